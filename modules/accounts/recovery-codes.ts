import { createHash, randomInt } from 'node:crypto';
import type { AppContext } from '../../server/context';
import { Invalid } from '../../server/http/errors';
import { userModel, type User } from './model';
import { findActiveUser } from './service';
import { recordAudit } from '../audit';

/** How many codes a staff member gets at enrolment and at each regeneration. */
export const RECOVERY_CODE_COUNT = 10;

/** No 0/o, 1/l/i: read aloud or copied from paper without doubt. 31 symbols, 12 of them ≈ 59 bits. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 12;

/** As shown: `abcd-efgh-jkmn`. */
function newCode(): string {
  let raw = '';
  for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return raw.match(/.{4}/g)!.join('-');
}

/** What the user typed, as stored: lower case, no spaces or dashes; undefined if it cannot be a code. */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const raw = typed.toLowerCase().replace(/[\s-]/g, '');
  return new RegExp(`^[${ALPHABET}]{${LENGTH}}$`).test(raw) ? raw : undefined;
}

/**
 * The codes carry ~59 random bits each and guesses are rate-limited per account, so a fast hash is
 * enough (as for our reset links); only the hashes are stored.
 */
const hashOf = (normalised: string) => createHash('sha256').update(normalised).digest('hex');

/**
 * Replaces the user's recovery codes with ten new ones and returns them: the only time they exist
 * in clear. Older codes, used or not, stop working.
 */
export async function issueRecoveryCodes(ctx: AppContext, userId: string): Promise<string[]> {
  const user = await findActiveUser(ctx, userId);
  if (!user.totpEnabledAt) throw new Invalid('accounts.errors.totpOff');
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await userModel(ctx.db).updateOne(
    { _id: user._id },
    {
      $set: {
        recoveryCodeHashes: codes.map((c) => hashOf(normaliseRecoveryCode(c)!)),
        usedRecoveryCodeHashes: [],
      },
    },
  );
  await recordAudit(ctx, { id: userId, role: user.role }, 'account.recoveryCodesIssued', {
    type: 'user',
    id: userId,
  });
  return codes;
}

/**
 * Signs in with a recovery code instead of a TOTP code. The code is taken out of the unused list in
 * one conditional update, so two requests with the same code have a single winner. A code used before
 * is called used; anything else is called wrong.
 */
export async function useRecoveryCode(ctx: AppContext, userId: string, typed: string): Promise<User> {
  const user = await findActiveUser(ctx, userId);
  const normalised = normaliseRecoveryCode(typed);
  const wrong = () =>
    new Invalid('accounts.errors.recoveryWrong', { recoveryCode: 'accounts.errors.recoveryWrong' });
  if (!normalised || !user.totpEnabledAt) throw wrong();
  const hash = hashOf(normalised);
  const updated = await userModel(ctx.db)
    .findOneAndUpdate(
      { _id: user._id, status: 'active', recoveryCodeHashes: hash },
      { $pull: { recoveryCodeHashes: hash }, $push: { usedRecoveryCodeHashes: hash } },
      { new: true },
    )
    .lean();
  if (updated) {
    // Worth knowing afterwards: a recovery code means the phone was not at hand (or someone else has the codes).
    await recordAudit(
      ctx,
      { id: userId, role: updated.role },
      'account.recoveryCodeUsed',
      { type: 'user', id: userId },
      { left: updated.recoveryCodeHashes?.length ?? 0 },
    );
    return updated;
  }
  const after = await findActiveUser(ctx, userId);
  if (after.usedRecoveryCodeHashes?.includes(hash))
    throw new Invalid('accounts.errors.recoveryUsed', { recoveryCode: 'accounts.errors.recoveryUsed' });
  throw wrong();
}

/** How many unused codes the user has left (shown on the account page). */
export const recoveryCodesLeft = (user: Pick<User, 'recoveryCodeHashes'>) =>
  user.recoveryCodeHashes?.length ?? 0;
