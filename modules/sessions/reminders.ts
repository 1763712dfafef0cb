import type { AppContext } from '../../server/context';
import type { BackgroundJob } from '../../server/module';
import { trusted } from '../../server/db/ids';
import { getCourseOutline } from '../learning';
import { mailSession } from './calendar';
import { liveSessionModel, type LiveSession } from './model';

/** Reminders go out this long before a session starts ("the day before"). */
export const REMINDER_LEAD_MS = 24 * 3600_000;
/** A claim lasts this long: a run that died mid-way is taken over after it, and dedupe keys stop doubles. */
export const REMINDER_LOCK_MS = 5 * 60_000;

/** Claims one session due for its reminder; null when none is. */
async function claimOne(ctx: AppContext): Promise<LiveSession | null> {
  const now = ctx.clock.now();
  return liveSessionModel(ctx.db)
    .findOneAndUpdate(
      {
        status: 'scheduled',
        startsAt: trusted({ $gt: now, $lte: new Date(now.getTime() + REMINDER_LEAD_MS) }),
        remindedAt: trusted({ $exists: false }),
        $or: [
          { reminderLockedUntil: trusted({ $exists: false }) },
          { reminderLockedUntil: trusted({ $lt: now }) },
        ],
      },
      { $set: { reminderLockedUntil: new Date(now.getTime() + REMINDER_LOCK_MS) } },
      { sort: { startsAt: 1 }, new: true },
    )
    .lean<LiveSession>();
}

/**
 * Queues the reminder e-mail (with the calendar file) to everyone signed up for each session starting
 * within a day, once per session and time: each session is claimed by one run at a time, each message
 * has a dedupe key, and `remindedAt` closes the session once its messages are queued.
 */
export async function sendSessionReminders(
  ctx: AppContext,
  batch = 20,
): Promise<{ sessions: number; queued: number }> {
  let sessions = 0;
  let queued = 0;
  for (let i = 0; i < batch; i++) {
    const session = await claimOne(ctx);
    if (!session) break;
    const course = await getCourseOutline(ctx, session.courseId);
    if (course)
      queued += await mailSession(
        ctx,
        'reminder',
        session,
        course,
        session.registeredIds,
        `seq${session.sequence}`,
      );
    await liveSessionModel(ctx.db).updateOne(
      { _id: session._id, sequence: session.sequence },
      { $set: { remindedAt: ctx.clock.now() }, $unset: { reminderLockedUntil: '' } },
    );
    sessions++;
  }
  return { sessions, queued };
}

export const sessionReminderJob: BackgroundJob = {
  name: 'session-reminders',
  intervalMs: 5 * 60_000,
  run: (ctx) => sendSessionReminders(ctx),
};
