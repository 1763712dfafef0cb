import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { reviewerRoutes } from './routes-reviewer';
import { adminReviewRoutes } from './routes-admin';

export function reviewsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(reviewerRoutes(ctx), adminReviewRoutes(ctx));
  return router;
}

export { decisionFor } from './decisions';
export { sendReviewReminders } from './reminders';
export { weightedScore, aggregate, rank, proposeSelection } from './scoring';

/** Reviewer reminders 48 h before the due date; registered in server/jobs.ts. */
export const reviewReminderJob = {
  name: 'reviews.reminders',
  intervalMs: 15 * 60 * 1000,
  run: (ctx: AppContext) => import('./reminders').then((m) => m.sendReviewReminders(ctx)),
};
