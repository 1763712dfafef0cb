import { csrfSync } from 'csrf-sync';
import type { Request, RequestHandler } from 'express';
import { takeLeadingMultipartField } from './multipart-token';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Synchroniser-token CSRF. The token comes from the `x-csrf-token` header or the body's `_csrf`
 * field, never from the URL (URLs end up in logs, history and Referer headers).
 *
 * Multipart forms (uploads) put the hidden `_csrf` field first, before any file. The check reads only
 * the head of the body to find it, before multer reads anything else: a request without a valid token
 * as its first part is refused before a byte of its file is looked at, and the field is taken out of
 * the body so the route's schema never sees it (as for the other forms). A header works too.
 */
export function csrf(skip: (path: string) => boolean): { protect: RequestHandler; expose: RequestHandler } {
  const fromMultipart = new WeakMap<Request, string>();
  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    // 256 bits is ample; the default 1,024 adds ~100 bytes to every page on a slow phone link.
    size: 32,
    getTokenFromRequest: (req) => {
      const fromHeader = req.get('x-csrf-token');
      if (fromHeader) return fromHeader;
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof fromBody === 'string') return fromBody;
      return fromMultipart.get(req);
    },
  });
  const protect: RequestHandler = (req, res, next) => {
    if (skip(req.path) || SAFE.has(req.method)) return next();
    const check = () =>
      csrfSynchronisedProtection(req, res, (err?: unknown) => {
        if (err) return next(err);
        // The token has done its job; schemas never see it.
        if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)._csrf;
        next();
      });
    if (!req.is('multipart/form-data') || req.get('x-csrf-token')) return check();
    void takeLeadingMultipartField(req, '_csrf').then((token) => {
      if (token !== undefined) fromMultipart.set(req, token);
      check();
    });
  };
  const expose: RequestHandler = (req, res, next) => {
    res.locals.csrfToken = () => generateToken(req);
    next();
  };
  return { protect, expose };
}
