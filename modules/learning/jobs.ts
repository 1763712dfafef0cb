import type { AppContext } from '../../server/context';
import { importCourses } from './importer';
import { sendReminders } from './reminders';

/** Hourly: remind stalled trainees (each at most once per 7 days). */
export const reminderJob = {
  name: 'learning.reminders',
  intervalMs: 60 * 60 * 1000,
  run: (ctx: AppContext) => sendReminders(ctx, { stalledDays: 7 }),
};

/** Seed step: import the shipped course(s); unchanged content is a no-op. */
export async function seedCourses(ctx: AppContext): Promise<void> {
  await importCourses(ctx);
}
