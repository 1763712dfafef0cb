import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { pitchModel, type Call } from './model';

/**
 * Whether the pitches of a call are final, so reviewers may read them: a rolling call's pitch is final
 * once submitted; a fixed-deadline call's pitches stay editable and withdrawable until the deadline
 * (or until staff close the call), whatever reviewers have been assigned meanwhile.
 */
export function pitchesFinal(call: Pick<Call, 'deadlineMode' | 'status' | 'closesAt'>, now: Date): boolean {
  return call.deadlineMode === 'rolling' || call.status !== 'open' || now >= call.closesAt;
}

/**
 * When a call closes, its submitted pitches become the versions under review (a conditional update:
 * only pitches still `submitted`; a stale editor's save then loses on the status). Idempotent.
 */
export async function freezeSubmittedPitches(ctx: AppContext, callId: Types.ObjectId): Promise<number> {
  const res = await pitchModel(ctx.db).updateMany(
    { callId, status: 'submitted' },
    { $set: { status: 'under_review' } },
  );
  return res.modifiedCount;
}
