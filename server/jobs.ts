import type { AppContext } from './context';
import { outboxJob } from '../modules/notifications';
import { ltiJob } from '../modules/interop/lti';
import { xapiJob } from '../modules/interop/xapi';
import { reviewReminderJob } from '../modules/reviews';
import { reminderJob } from '../modules/learning';
import { expiredAttemptsJob } from '../modules/quizzes';
import { closeCallsJob } from '../modules/grants';

export interface BackgroundJob {
  name: string;
  intervalMs: number;
  run(ctx: AppContext): Promise<unknown>;
}

/** Periodic work (outbox sending, reminders, clean-up). Each module adds its jobs here. */
export const backgroundJobs: BackgroundJob[] = [
  reminderJob,
  outboxJob,
  reviewReminderJob,
  expiredAttemptsJob,
  closeCallsJob,
  ltiJob,
  xapiJob,
];

/** Runs each job on its interval, never overlapping itself; stop() waits for runs in flight. */
export function startBackgroundJobs(ctx: AppContext, jobs: BackgroundJob[] = backgroundJobs) {
  const inFlight = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let running = false;
    return setInterval(() => {
      if (running) return;
      running = true;
      const p = job
        .run(ctx)
        .catch((err: unknown) => ctx.log.error({ err, job: job.name }, 'background job failed'))
        .finally(() => {
          running = false;
          inFlight.delete(p);
        });
      inFlight.add(p);
    }, job.intervalMs);
  });
  return {
    async stop() {
      timers.forEach(clearInterval);
      await Promise.allSettled([...inFlight]);
    },
  };
}
