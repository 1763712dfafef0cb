import type { Request } from 'express';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { Conflict, Invalid } from '../../server/http/errors';
import { saveSession } from '../../server/auth/sign-in';
import { userModel, type User } from './model';
import { findActiveUser } from './service';
import { matchTotp, newTotpSecret } from './totp';

declare module 'express-session' {
  interface SessionData {
    /**
     * The secret the setup page showed last, in this sign-in only. Nothing reaches the account until a
     * code from it is confirmed: a secret someone copied from a setup page they then left is worth nothing.
     */
    totpEnrolment?: { userId: string; secret: string };
  }
}

const alreadyOn = () => new Conflict('accounts.errors.totpAlreadyOn');

/**
 * A fresh secret for this visit of the setup page, kept pending in the session (each visit replaces
 * the last). A secret an older version stored unconfirmed on the account is dropped: it was shown to
 * whoever opened that page.
 */
export async function beginTotpEnrolment(ctx: AppContext, req: Request, userId: string): Promise<string> {
  const user = await findActiveUser(ctx, userId);
  if (user.totpEnabledAt) throw alreadyOn();
  if (user.totpSecret)
    await userModel(ctx.db).updateOne(
      { _id: user._id, totpEnabledAt: trusted({ $exists: false }) },
      { $unset: { totpSecret: 1 } },
    );
  const secret = newTotpSecret();
  req.session.totpEnrolment = { userId, secret };
  await saveSession(req);
  return secret;
}

/** The secret this session's setup page shows now, if it belongs to `userId`. */
export function pendingTotpSecret(req: Request, userId: string): string | undefined {
  const pending = req.session.totpEnrolment;
  return pending?.userId === userId ? pending.secret : undefined;
}

/**
 * A code from the secret the setup page showed last turns two-step verification on: secret, time and
 * the used step are written together, once (a second confirmation, from any session, is a conflict).
 */
export async function confirmTotpEnrolment(
  ctx: AppContext,
  req: Request,
  userId: string,
  code: string,
): Promise<User> {
  const user = await findActiveUser(ctx, userId);
  if (user.totpEnabledAt) throw alreadyOn();
  const secret = pendingTotpSecret(req, userId);
  const now = ctx.clock.now();
  const step = secret ? matchTotp(secret, code, now) : undefined;
  if (step === undefined) throw new Invalid('accounts.errors.code', { code: 'accounts.errors.code' });
  const updated = await userModel(ctx.db)
    .findOneAndUpdate(
      { _id: user._id, status: 'active', totpEnabledAt: trusted({ $exists: false }) },
      { $set: { totpSecret: secret, totpEnabledAt: now, totpLastStep: step } },
      { new: true },
    )
    .lean();
  if (!updated) throw alreadyOn();
  return updated;
}
