import { Router } from 'express';
import type { AppContext } from '../../../server/context';
import { parse, parseParams } from '../../../server/http/validate';
import type { Policy } from '../../../server/auth/policy';
import { requireScope } from './tokens';
import { endpoints } from './endpoints';
import { openApiDocument } from './openapi';

/** /api/v1: each declared endpoint becomes a route — scope check, strict input parsing, handler, JSON. */
export function apiRouter(ctx: AppContext): Router {
  const router = Router();
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
