import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { apiRouter } from './api/router';
import { tokenRoutes } from './routes-tokens';
import { ltiRoutes } from './lti';
import { xapiRoutes } from './xapi';
import { archiveRoutes } from './archive';

export function interopRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/api/v1', apiRouter(ctx));
  router.use(tokenRoutes(ctx));
  router.use(ltiRoutes(ctx));
  router.use(xapiRoutes(ctx));
  router.use(archiveRoutes(ctx));
  return router;
}

export { openApiDocument } from './api/openapi';
export { createApiToken } from './api/tokens';
