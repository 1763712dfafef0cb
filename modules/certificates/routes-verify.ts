import { Router, type Request, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { AppContext } from '../../server/context';
import { parse, parseParams } from '../../server/http/validate';
import { TooMany } from '../../server/http/errors';
import { MongoRateLimitStore } from '../../server/http/rate-limit-store';
import { certificatesPolicy as policy } from './policy';
import { codeParams, verifyQuery } from './schemas';
import { forPublic } from './present';
import { certificateByCode } from './service';

/** Lookups allowed per client address per minute: plenty for people, too few to enumerate codes. */
export const VERIFY_LIMIT_PER_MINUTE = 60;

/** Public certificate verification by code or QR link. Shows status, course and date; nothing more. */
export function verifyRoutes(ctx: AppContext): Router {
  const router = Router();
  // Counted in the database, so every process behind a load balancer counts the same lookups.
  const lookups = rateLimit({
    store: new MongoRateLimitStore(ctx, 'certificate-verify'),
    windowMs: 60_000,
    limit: VERIFY_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    // The empty form is not a lookup.
    skip: (req) => req.path === '/verify' && req.query.code === undefined,
    handler: (_req, _res, next) => next(new TooMany()),
  });

  const answer = async (res: Response, code: string) => {
    const cert = await certificateByCode(ctx, code);
    res.set('X-Robots-Tag', 'noindex, nofollow');
    if (!cert) return res.status(404).render('certificates/verify-missing', {});
    res.render('certificates/verify-result', { cert: forPublic(cert, res.locals.lang) });
  };

  router.get('/verify', policy.verify, lookups, async (req: Request, res: Response) => {
    const { code } = parse(verifyQuery, req.query);
    if (code === undefined) {
      res.set('X-Robots-Tag', 'noindex, nofollow');
      return res.render('certificates/verify-form', {});
    }
    await answer(res, code);
  });

  router.get('/verify/:code', policy.verify, lookups, async (req, res) => {
    const { code } = parseParams(codeParams, req.params);
    await answer(res, code);
  });

  return router;
}
