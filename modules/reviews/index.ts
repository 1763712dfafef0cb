import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { reviewerRoutes } from './routes-reviewer';
import { adminReviewRoutes } from './routes-admin';
import { sendReviewReminders } from './reminders';
import { extendHome } from '../accounts';
import { reviewTasks } from './home';
import { extendAudit } from '../audit';
import { reviewAuditNames } from './audit-names';

// Admins see what needs doing in the review workflow on their home page; reviewers what to review.
extendHome({ tasks: reviewTasks });
// The audit log names reviews and assignments by the pitch and the reviewer.
extendAudit(reviewAuditNames);

function reviewsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(reviewerRoutes(ctx), adminReviewRoutes(ctx));
  return router;
}

export const reviewsModule: UmbrellaModule = {
  name: 'reviews',
  routes: [{ path: '/', router: reviewsRouter }],
  nav: [{ href: '/reviews', label: 'reviews.nav.reviews', roles: ['reviewer'] }],
  // Reviewer reminders 48 h before the due date.
  jobs: [{ name: 'reviews.reminders', intervalMs: 15 * 60 * 1000, run: sendReviewReminders }],
};

export { sendReviewReminders } from './reminders';
export { assignManually, unassign, assignmentsOfCall } from './assign';
export { weightedScore, aggregate, rank, proposeSelection } from './scoring';
