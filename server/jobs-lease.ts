import type { Collection } from 'mongodb';
import type { AppContext } from './context';

/** One scheduled job's lock: who runs it until when, and when its last run finished. */
interface LeaseDoc {
  _id: string;
  holder: string;
  expiresAt: Date;
  startedAt?: Date;
  /** Unset while a run is under way: a run whose holder died is due again as soon as its lease expires. */
  doneAt?: Date;
}

export const LEASE_COLLECTION = 'jobleases';
const EPOCH = new Date(0);

export interface Lease {
  /** Extends the lease; false when it was lost (it expired and another process took it). */
  renew(): Promise<boolean>;
  /** Ends the run: the lease is free and the job's next run falls due `intervalMs` from now. */
  release(): Promise<void>;
}

const leases = (ctx: AppContext): Collection<LeaseDoc> => ctx.db.collection<LeaseDoc>(LEASE_COLLECTION);

/** Creates the job's lease document once (a free lease, never run). */
export async function ensureLease(ctx: AppContext, name: string): Promise<void> {
  try {
    await leases(ctx).updateOne(
      { _id: name },
      { $setOnInsert: { holder: '', expiresAt: EPOCH } },
      { upsert: true },
    );
  } catch (err) {
    // Another process created it at the same moment.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

/**
 * Takes the job's lease for `holder` with one conditional update, so of all the processes asking at
 * once exactly one gets it: the lease must be free (expired, or already ours) and, unless
 * `dueAfterMs` is undefined, the last run must have finished at least that long ago (or never).
 */
export async function takeLease(
  ctx: AppContext,
  name: string,
  holder: string,
  options: { leaseMs: number; dueAfterMs?: number },
): Promise<Lease | undefined> {
  const now = ctx.clock.now();
  const free = { $or: [{ expiresAt: { $lte: now } }, { holder }] };
  const due =
    options.dueAfterMs === undefined
      ? {}
      : {
          $or: [
            { doneAt: { $exists: false } },
            { doneAt: { $lte: new Date(now.getTime() - options.dueAfterMs) } },
          ],
        };
  const taken = await leases(ctx).updateOne(
    { _id: name, $and: [free, due] },
    {
      $set: { holder, startedAt: now, expiresAt: new Date(now.getTime() + options.leaseMs) },
      $unset: { doneAt: '' },
    },
  );
  if (taken.modifiedCount !== 1) return undefined;
  const mine = { _id: name, holder };
  return {
    async renew() {
      const until = new Date(ctx.clock.now().getTime() + options.leaseMs);
      const res = await leases(ctx).updateOne(mine, { $set: { expiresAt: until } });
      return res.matchedCount === 1;
    },
    async release() {
      await leases(ctx).updateOne(mine, { $set: { holder: '', expiresAt: EPOCH, doneAt: ctx.clock.now() } });
    },
  };
}
