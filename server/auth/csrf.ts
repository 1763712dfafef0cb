import { csrfSync } from 'csrf-sync';
import type { RequestHandler } from 'express';

/**
 * Synchroniser-token CSRF. Multipart forms carry the token in the query string or a header, because
 * the check must run before multer reads the body.
 */
export function csrf(skip: (path: string) => boolean): { protect: RequestHandler; expose: RequestHandler } {
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === 'string') return fromBody;
      const fromHeader = req.get('x-csrf-token');
      if (fromHeader) return fromHeader;
      const fromQuery = (req.query as Record<string, unknown>)._csrf;
      return typeof fromQuery === 'string' ? fromQuery : undefined;
    },
  });
  const protect: RequestHandler = (req, res, next) => {
    if (skip(req.path)) return next();
    csrfSynchronisedProtection(req, res, (err?: unknown) => {
      if (err) return next(err);
      // The token has done its job; schemas never see it.
      if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)._csrf;
      next();
    });
  };
  const expose: RequestHandler = (req, res, next) => {
    res.locals.csrfToken = () => generateToken(req);
    next();
  };
  return { protect, expose };
}
