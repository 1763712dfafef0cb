import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { apiRouter } from './api/router';
import { apiJob } from './api/idempotency';
import { tokenRoutes } from './routes-tokens';
import { ltiJob, ltiRoutes } from './lti';
import { xapiJob, xapiRoutes } from './xapi';
import { archiveRoutes, exportCourseCommand, importCourseArchiveCommand } from './archive';
import { exportQuestionsCommand, importQuestionsCommand, interchangeRoutes } from './interchange';

function interopRouter(ctx: AppContext): Router {
  const router = Router();
  router.use('/api/v1', apiRouter(ctx));
  router.use(tokenRoutes(ctx));
  router.use(ltiRoutes(ctx));
  router.use(xapiRoutes(ctx));
  router.use(archiveRoutes(ctx));
  router.use(interchangeRoutes(ctx));
  return router;
}

/** Integrations: the JSON API, LTI 1.3, xAPI and course archives. */
export const interopModule: UmbrellaModule = {
  name: 'interop',
  routes: [{ path: '/', router: interopRouter }],
  // The token API and LTI launches come from other sites by design and check their callers themselves.
  // Not the learner's hand-off (/lti/continue/): it starts a session, so it keeps the CSRF check.
  crossSitePaths: ['/api/', '/lti/login', '/lti/launch', '/lti/deep-link'],
  nav: [
    { href: '/admin/api-tokens', label: 'interop.nav', roles: ['admin'] },
    { href: '/admin/lti', label: 'interop.lti.nav', roles: ['admin'] },
    { href: '/admin/xapi', label: 'interop.xapi.nav', roles: ['admin'] },
  ],
  jobs: [ltiJob, xapiJob, apiJob],
  cli: {
    'export-course': exportCourseCommand,
    'import-course-archive': importCourseArchiveCommand,
    'export-questions': exportQuestionsCommand,
    'import-questions': importQuestionsCommand,
  },
};

export { openApiDocument } from './api/openapi';
export { createApiToken } from './api/tokens';
