import type { BackgroundJob } from '../../server/module';
import type { AppContext } from '../../server/context';
import { recordAudit } from '../audit';
import { callModel } from './model';
import { freezeSubmittedPitches } from './service-freeze';
import { trusted } from '../../server/db/ids';

/**
 * Moves calls whose deadline has passed from open to closed, and their submitted pitches to under
 * review (the deadline itself is enforced on every request by the clock; this only makes the statuses
 * say so for lists and the review workflow).
 */
export async function closeExpiredCalls(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await callModel(ctx.db)
    .find({ status: 'open', closesAt: trusted({ $lte: now }) }, { _id: 1 })
    .limit(100)
    .lean();
  let closed = 0;
  for (const { _id } of due) {
    const res = await callModel(ctx.db).updateOne(
      { _id, status: 'open', closesAt: trusted({ $lte: now }) },
      { $set: { status: 'closed' }, $inc: { __v: 1 } },
    );
    if (res.modifiedCount !== 1) continue;
    // The versions on file at the deadline are the ones reviewers read.
    await freezeSubmittedPitches(ctx, _id);
    closed++;
    await recordAudit(ctx, undefined, 'call.closed', { type: 'call', id: _id }, { reason: 'deadline' });
  }
  return closed;
}

export const closeCallsJob: BackgroundJob = {
  name: 'grants-close-expired-calls',
  intervalMs: 60_000,
  run: closeExpiredCalls,
};
