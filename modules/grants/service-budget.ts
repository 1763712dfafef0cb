import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { callModel, pitchModel, type Call, type Pitch } from './model';

/**
 * The call's money and release flag, changed by the decisions that reviews makes. Each is one
 * conditional update on the call, so parallel decisions can never overspend the pool.
 */
export async function reserveBudget(
  ctx: AppContext,
  callId: Types.ObjectId,
  amount: number,
): Promise<boolean> {
  const res = await callModel(ctx.db).updateOne(
    {
      _id: callId,
      $expr: trusted({ $lte: [{ $add: [{ $ifNull: ['$awardedTotal', 0] }, amount] }, '$budgetPool'] }),
    },
    { $inc: { awardedTotal: amount } },
  );
  return res.modifiedCount === 1;
}

/** Compensation when the pitch could not be moved after the money was reserved. */
export async function releaseBudget(ctx: AppContext, callId: Types.ObjectId, amount: number): Promise<void> {
  await callModel(ctx.db).updateOne({ _id: callId }, { $inc: { awardedTotal: -amount } });
}

/** Sets decisionsReleasedAt once; true for the request that set it. */
export async function markDecisionsReleased(ctx: AppContext, callId: Types.ObjectId): Promise<boolean> {
  const res = await callModel(ctx.db).updateOne(
    { _id: callId, decisionsReleasedAt: trusted({ $exists: false }) },
    { $set: { decisionsReleasedAt: ctx.clock.now(), status: 'decided' } },
  );
  return res.modifiedCount === 1;
}

export async function callsByIds(ctx: AppContext, ids: Types.ObjectId[]): Promise<Call[]> {
  if (!ids.length) return [];
  return (await callModel(ctx.db)
    .find({ _id: trusted({ $in: ids }) })
    .lean()) as Call[];
}

export async function pitchesByIds(ctx: AppContext, ids: Types.ObjectId[]) {
  if (!ids.length) return [];
  return (await pitchModel(ctx.db)
    .find({ _id: trusted({ $in: ids }) }, { title: 1, callId: 1, status: 1 })
    .lean()) as Array<Pick<Pitch, '_id' | 'title' | 'callId' | 'status'>>;
}
