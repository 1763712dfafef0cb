import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import { enqueueEmail } from '../notifications';
import { assignmentModel } from './model';
import { usersById } from './users';
import { callsByIds } from './grants-port';
import { callTitle, dueLabel } from './present';

export const REMINDER_BEFORE_MS = 48 * 60 * 60 * 1000;

/** E-mails each reviewer with an accepted, unsubmitted review once, 48 h before its due date. */
export async function sendReviewReminders(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await assignmentModel(ctx.db)
    .find({
      status: 'accepted',
      reminderSentAt: mongoose.trusted({ $exists: false }),
      dueAt: mongoose.trusted({ $gt: now, $lte: new Date(now.getTime() + REMINDER_BEFORE_MS) }),
    })
    .limit(500)
    .lean();
  if (!due.length) return 0;
  const users = await usersById(
    ctx,
    due.map((a) => a.reviewerId),
  );
  const calls = new Map(
    (
      await callsByIds(
        ctx,
        due.map((a) => a.callId),
      )
    ).map((c) => [String(c._id), c]),
  );
  let sent = 0;
  for (const a of due) {
    // Claim first so two workers never both send; the dedupe key covers a crash in between.
    const claimed = await assignmentModel(ctx.db).updateOne(
      { _id: a._id, reminderSentAt: mongoose.trusted({ $exists: false }) },
      { $set: { reminderSentAt: now } },
    );
    const reviewer = users.get(String(a.reviewerId));
    if (claimed.modifiedCount !== 1 || !reviewer) continue;
    const locale = reviewer.locale === 'mn' ? 'mn' : 'en';
    const call = calls.get(String(a.callId));
    await enqueueEmail(ctx, {
      to: reviewer.email,
      template: 'reviews/reminder',
      locale,
      dedupeKey: `reviews.reminder:${a._id}`,
      data: {
        name: reviewer.name,
        callTitle: call ? callTitle(call, locale) : '',
        dueAt: dueLabel(a.dueAt, call, locale),
        assignmentId: String(a._id),
      },
    });
    sent++;
  }
  return sent;
}
