import { trusted } from '../../server/db/ids';
import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { accountTokenModel, type AccountToken } from './model';

const LIFETIME_MS: Record<AccountToken['purpose'], number> = {
  reset: 60 * 60 * 1000,
  invite: 7 * 24 * 60 * 60 * 1000,
};

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh one-time token; the database keeps only its hash. */
export async function issueToken(ctx: AppContext, userId: Types.ObjectId, purpose: AccountToken['purpose']) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.clock.now().getTime() + LIFETIME_MS[purpose]);
  await accountTokenModel(ctx.db).create({ userId, purpose, tokenHash: hash(token), expiresAt });
  return token;
}

/** The token's record if it is valid, without using it up (to show the form). */
export async function peekToken(ctx: AppContext, token: string, purpose: AccountToken['purpose']) {
  return accountTokenModel(ctx.db)
    .findOne({
      tokenHash: hash(token),
      purpose,
      usedAt: trusted({ $exists: false }),
      expiresAt: trusted({ $gt: ctx.clock.now() }),
    })
    .lean();
}

/** Uses the token up atomically: of two racing requests exactly one gets the record. */
export async function consumeToken(ctx: AppContext, token: string, purpose: AccountToken['purpose']) {
  const now = ctx.clock.now();
  const record = await accountTokenModel(ctx.db)
    .findOneAndUpdate(
      {
        tokenHash: hash(token),
        purpose,
        usedAt: trusted({ $exists: false }),
        expiresAt: trusted({ $gt: now }),
      },
      { $set: { usedAt: now } },
      { new: true },
    )
    .lean();
  if (record) await deleteExpiredTokens(ctx);
  return record;
}

/** Uses up every outstanding link of one kind for a user (a password change makes old resets moot). */
export async function revokeTokensOf(
  ctx: AppContext,
  userId: Types.ObjectId | string,
  purpose: AccountToken['purpose'],
) {
  await accountTokenModel(ctx.db).updateMany(
    { userId, purpose, usedAt: trusted({ $exists: false }) },
    { $set: { usedAt: ctx.clock.now() } },
  );
}

/** TTL indexes do not expire rows on every server we support: sweep them ourselves. */
export async function deleteExpiredTokens(ctx: AppContext): Promise<void> {
  await accountTokenModel(ctx.db).deleteMany({ expiresAt: trusted({ $lt: ctx.clock.now() }) });
}
