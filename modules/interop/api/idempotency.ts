import { createHash } from 'node:crypto';
import { Schema, type Connection, type Types } from 'mongoose';
import type { AppContext } from '../../../server/context';
import { modelOn } from '../../../server/db/connect';
import { AppError, Conflict } from '../../../server/http/errors';
import { trusted } from '../../../server/db/ids';

/** How long a key is remembered: a client retrying within a day gets the first answer back. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * One write an API token made under an Idempotency-Key. The unique (token, key) index decides which of
 * two concurrent requests with one key acts; the other waits for nothing and is told so (409).
 */
interface IdempotentWrite {
  _id: Types.ObjectId;
  tokenId: string;
  key: string;
  bodyHash: string;
  state: 'pending' | 'done';
  status?: number;
  response?: unknown;
  expiresAt: Date;
}

const schema = new Schema<IdempotentWrite>({
  tokenId: { type: String, required: true },
  key: { type: String, required: true },
  bodyHash: { type: String, required: true },
  state: { type: String, enum: ['pending', 'done'], required: true },
  status: { type: Number },
  response: { type: Schema.Types.Mixed },
  expiresAt: { type: Date, required: true },
});
schema.index({ tokenId: 1, key: 1 }, { unique: true });
schema.index({ expiresAt: 1 });

const writes = (db: Connection) => modelOn<IdempotentWrite>(db, 'ApiIdempotentWrite', schema);

/** A key: printable ASCII, 1–255 characters (what the IETF draft and common APIs allow). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export type Claim = { replay: { status: number; response: unknown } } | { claimed: Types.ObjectId };

/**
 * Claims the key for this request, or returns the answer the first request with it got. The same key
 * with another body (another method, path or JSON) is the client's mistake: 422, nothing done.
 */
export async function claimKey(
  ctx: AppContext,
  tokenId: string,
  key: string,
  request: { method: string; path: string; body: unknown },
): Promise<Claim> {
  const bodyHash = createHash('sha256')
    .update(JSON.stringify([request.method, request.path, request.body ?? null]))
    .digest('hex');
  const Writes = writes(ctx.db);
  try {
    const doc = await Writes.create({
      tokenId,
      key,
      bodyHash,
      state: 'pending',
      expiresAt: new Date(ctx.clock.now().getTime() + IDEMPOTENCY_TTL_MS),
    });
    return { claimed: doc._id };
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  const first = await Writes.findOne({ tokenId, key }).lean();
  if (!first) throw new Conflict('interop.api.errors.idempotencyBusy');
  if (first.bodyHash !== bodyHash) throw new AppError(422, 'interop.api.errors.idempotencyMismatch');
  if (first.state !== 'done') throw new Conflict('interop.api.errors.idempotencyBusy');
  return { replay: { status: first.status ?? 200, response: first.response } };
}

/** Keeps the answer for replays. */
export async function keepAnswer(ctx: AppContext, id: Types.ObjectId, status: number, response: unknown) {
  await writes(ctx.db).updateOne({ _id: id }, { $set: { state: 'done', status, response } });
}

/** A write that failed frees its key: the client may fix the request and try again with it. */
export async function releaseKey(ctx: AppContext, id: Types.ObjectId) {
  await writes(ctx.db).deleteOne({ _id: id, state: 'pending' });
}

/** TTL indexes do not expire on the embedded database: the interop job sweeps old keys itself. */
export async function sweepIdempotencyKeys(ctx: AppContext): Promise<number> {
  const { deletedCount } = await writes(ctx.db).deleteMany({ expiresAt: trusted({ $lt: ctx.clock.now() }) });
  return deletedCount;
}

export const apiJob = {
  name: 'interop.api',
  intervalMs: 10 * 60_000,
  async run(ctx: AppContext) {
    return { idempotencyKeysSwept: await sweepIdempotencyKeys(ctx) };
  },
};
