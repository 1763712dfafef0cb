import { createHash } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { AppError, Invalid, TooMany } from '../../../server/http/errors';
import { MongoRateLimitStore } from '../../../server/http/rate-limit-store';
import type { AppContext } from '../../../server/context';
import { parseForClients, parseParams } from '../../../server/http/validate';
import type { Policy } from '../../../server/auth/policy';
import { requireScope } from './tokens';
import { endpoints } from './endpoints';
import { openApiDocument } from './openapi';
import { IDEMPOTENCY_HEADER, type ApiActor } from './endpoint';
import { IDEMPOTENCY_KEY, claimKey, keepAnswer, releaseKey } from './idempotency';

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
      const query = ep.query ? parseForClients(ep.query, req.query) : {};
      const body = ep.body ? parseForClients(ep.body, jsonBody(req)) : undefined;
      const token = res.locals.apiToken as ApiActor;
      const run = async () => {
        const response = await ep.handler(ctx, { params, query, body, token });
        return { status: ep.status?.(response) ?? 200, response };
      };
      const answer = ep.method === 'get' ? await run() : await idempotent(ctx, req, res, token, run);
      res.status(answer.status).set('Cache-Control', 'no-store').json(answer.response);
    });
  }
  return router;
}

/** Writes take JSON: a form post or no body at all is a clear 415/400, never an empty object. */
function jsonBody(req: Request): unknown {
  if (!req.is('application/json')) throw new AppError(415, 'interop.api.errors.json');
  return req.body;
}

type Answer = { status: number; response: unknown };

/** With an Idempotency-Key, a write acts once: a retry gets the first answer back, marked as a replay. */
async function idempotent(
  ctx: AppContext,
  req: Request,
  res: Response,
  token: ApiActor,
  run: () => Promise<Answer>,
) {
  const key = req.get(IDEMPOTENCY_HEADER);
  if (key === undefined) return run();
  if (!IDEMPOTENCY_KEY.test(key)) throw new Invalid('interop.api.errors.idempotencyKey');
  const claim = await claimKey(ctx, token.id, key, { method: req.method, path: req.path, body: req.body });
  if ('replay' in claim) {
    res.set('Idempotent-Replayed', 'true');
    return claim.replay;
  }
  try {
    const answer = await run();
    await keepAnswer(ctx, claim.claimed, answer.status, answer.response);
    return answer;
  } catch (err) {
    await releaseKey(ctx, claim.claimed);
    throw err;
  }
}
