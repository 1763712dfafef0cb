import type { AppContext } from '../../server/context';
import { NotFound } from '../../server/http/errors';
import { hashPassword, isCommonPassword } from '../../server/auth/passwords';
import { userModel } from './model';
import { issueToken } from './tokens';

/** One user as an admin sees them (never the password hash or TOTP secret). */
export async function getUserForAdmin(ctx: AppContext, id: string) {
  const user = await userModel(ctx.db)
    .findOne(
      { _id: id },
      { passwordHash: 0, totpSecret: 0, recoveryCodeHashes: 0, usedRecoveryCodeHashes: 0 },
    )
    .lean();
  if (!user) throw new NotFound();
  return user;
}

export type CreateAdminResult =
  | { outcome: 'exists'; role: string }
  | { outcome: 'created'; inviteToken?: string }
  | { outcome: 'weakPassword' };

/**
 * First administrator from the command line. Without a password the account is invited and the caller
 * prints the one-time link; with one it is active at once. Either way TOTP enrolment follows at sign-in.
 */
export async function createAdminAccount(
  ctx: AppContext,
  input: { email: string; name: string; password?: string },
): Promise<CreateAdminResult> {
  const existing = await userModel(ctx.db).findOne({ email: input.email }, { role: 1 }).lean();
  if (existing) return { outcome: 'exists', role: existing.role };
  try {
    return await create(ctx, input);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    return { outcome: 'exists', role: 'unknown' };
  }
}

async function create(
  ctx: AppContext,
  input: { email: string; name: string; password?: string },
): Promise<CreateAdminResult> {
  if (input.password !== undefined) {
    if (input.password.length < 8 || input.password.length > 128 || isCommonPassword(input.password))
      return { outcome: 'weakPassword' };
    await userModel(ctx.db).create({
      email: input.email,
      name: input.name,
      role: 'admin',
      status: 'active',
      passwordHash: await hashPassword(input.password),
    });
    return { outcome: 'created' };
  }
  const user = await userModel(ctx.db).create({
    email: input.email,
    name: input.name,
    role: 'admin',
    status: 'invited',
  });
  return { outcome: 'created', inviteToken: await issueToken(ctx, user._id, 'invite') };
}
