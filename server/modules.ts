import type { Router } from 'express';
import type { AppContext } from './context';
import { accountsRouter } from '../modules/accounts';
import { learningRouter } from '../modules/learning';
import { notificationsRouter } from '../modules/notifications';
import { auditRouter } from '../modules/audit';
import { certificatesRouter } from '../modules/certificates';
import { quizzesRouter } from '../modules/quizzes';
import { reportsRouter } from '../modules/reports';
import { grantsRouter } from '../modules/grants';
import { reviewsRouter } from '../modules/reviews';
import { awardsRouter } from '../modules/awards';
import { interopRouter } from '../modules/interop';

/**
 * Where each feature module is mounted inside the app. Add one line per module; its routes.ts holds
 * the rest.
 */
export function featureRouters(ctx: AppContext): Array<[string, Router]> {
  return [
    ['/', accountsRouter(ctx)],
    ['/', learningRouter(ctx)],
    ['/', quizzesRouter(ctx)],
    ['/admin/outbox', notificationsRouter(ctx)],
    ['/admin/audit', auditRouter(ctx)],
    ['/', certificatesRouter(ctx)],
    ['/', reportsRouter(ctx)],
    ['/', grantsRouter(ctx)],
    ['/', reviewsRouter(ctx)],
    ['/', awardsRouter(ctx)],
    ['/', interopRouter(ctx)],
  ];
}

/** Path prefixes that accept cross-site POSTs and check them their own way (LTI launch, token API). */
export const crossSitePaths: string[] = ['/api/', '/lti/'];
