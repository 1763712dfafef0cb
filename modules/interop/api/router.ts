import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { TooMany } from '../../../server/http/errors';
import { MongoRateLimitStore } from '../../../server/http/rate-limit-store';
import type { AppContext } from '../../../server/context';
import { parse, parseParams } from '../../../server/http/validate';
import type { Policy } from '../../../server/auth/policy';
import { requireScope } from './tokens';
import { endpoints } from './endpoints';
import { openApiDocument } from './openapi';

/**
 * The documented per-token budget: a token (or, without one, an address) gets so many requests a
 * minute, counted in the database so every process counts alike; past it, 429 with Retry-After.
 */
function perToken(ctx: AppContext): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: ctx.config.apiLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: new MongoRateLimitStore(ctx, 'api-token'),
    keyGenerator: (req) => {
      const auth = req.get('authorization');
      if (!auth) return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
      return `token:${createHash('sha256').update(auth).digest('hex').slice(0, 32)}`;
    },
    handler: (_req, _res, next) => next(new TooMany()),
  });
}

/** /api/v1: each declared endpoint becomes a route — scope check, strict input parsing, handler, JSON. */
export function apiRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(perToken(ctx));
  const doc = openApiDocument(ctx.config.baseUrl);
  const publicDoc: Policy = Object.assign(((_req, _res, next) => next()) as Policy, { policy: 'anyone' });
  router.get('/openapi.json', publicDoc, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(doc);
  });
  for (const ep of endpoints) {
    const scope = Object.assign(requireScope(ctx, ep.scope), { policy: `api:${ep.scope}` }) as Policy;
    router[ep.method](ep.path, scope, async (req, res) => {
      const params = ep.params ? parseParams(ep.params, req.params) : {};
      const query = ep.query ? parse(ep.query, req.query) : {};
      res.set('Cache-Control', 'no-store').json(await ep.handler(ctx, { params, query }));
    });
  }
  return router;
}
