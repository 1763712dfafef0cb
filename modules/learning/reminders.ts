import { Types } from 'mongoose';
import { trusted } from '../../server/db/ids';
import type { AppContext } from '../../server/context';
import { reminderRecipients } from '../accounts';
import { enqueueEmail } from '../notifications';
import { courseModel, enrolmentModel } from './model';

const DAY = 24 * 60 * 60 * 1000;

/**
 * E-mails trainees who enrolled but never started (after a day) or stalled (no activity for
 * `stalledDays`), at most once per `stalledDays`. The e-mail is queued first, keyed by the reminder
 * before it (its lastReminderAt), then lastReminderAt is moved with a conditional update: a crash in
 * between leaves a queued e-mail whose key the next sweep finds again, so no reminder is lost and none
 * is sent twice.
 */
export async function sendReminders(
  ctx: AppContext,
  options: { stalledDays?: number; cohortId?: string | Types.ObjectId } = {},
): Promise<number> {
  const days = options.stalledDays ?? 7;
  const now = ctx.clock.now();
  const stalledBefore = new Date(now.getTime() - days * DAY);
  const notStartedBefore = new Date(now.getTime() - DAY);
  // Built fresh for each query: mongoose casts filters in place.
  const notRecentlyReminded = () => ({
    $or: [
      { lastReminderAt: trusted({ $exists: false }) },
      { lastReminderAt: trusted({ $lte: stalledBefore }) },
    ],
  });
  const due = () => ({
    completedAt: trusted({ $exists: false }),
    ...(options.cohortId ? { cohortId: new Types.ObjectId(String(options.cohortId)) } : {}),
    $and: [
      {
        $or: [
          { status: 'enrolled', enrolledAt: trusted({ $lte: notStartedBefore }) },
          { status: 'in_progress', lastActivityAt: trusted({ $lte: stalledBefore }) },
        ],
      },
      notRecentlyReminded(),
    ],
  });
  const candidates = await enrolmentModel(ctx.db)
    .find(due(), { userId: 1, courseId: 1, lastReminderAt: 1 })
    .limit(500)
    .lean();
  if (!candidates.length) return 0;
  const users = await reminderRecipients(
    ctx,
    candidates.map((c) => c.userId),
  );
  const usersById = new Map(users.map((u) => [String(u._id), u]));
  const courses = await courseModel(ctx.db)
    .find({ _id: trusted({ $in: candidates.map((c) => c.courseId) }) }, { slug: 1, title: 1 })
    .lean();
  const coursesById = new Map(courses.map((c) => [String(c._id), c]));
  let sent = 0;
  for (const candidate of candidates) {
    const user = usersById.get(String(candidate.userId));
    const course = coursesById.get(String(candidate.courseId));
    if (!user || !course) continue;
    const previous = candidate.lastReminderAt;
    const locale = user.locale ?? ctx.config.defaultLocale;
    const queued = await enqueueEmail(ctx, {
      to: user.email,
      template: 'learning/reminder',
      locale,
      data: { name: user.name, course: course.title[locale], coursePath: `/learn/${course.slug}` },
      dedupeKey: `reminder:${String(candidate._id)}:${previous?.toISOString() ?? 'first'}`,
    });
    await enrolmentModel(ctx.db).updateOne(
      { _id: candidate._id, lastReminderAt: previous ?? trusted({ $exists: false }) },
      { $set: { lastReminderAt: now } },
    );
    if (queued) sent++;
  }
  return sent;
}
