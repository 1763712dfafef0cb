import type { AppContext, PersonalDataHook } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { NotFound, Invalid } from '../../server/http/errors';
import { verifyPassword } from '../../server/auth/passwords';
import { endSessionsOf } from '../../server/auth/session';
import { recordAudit } from '../audit';
import { userModel } from './model';
import { revokeTokensOf } from './tokens';

/** The accounts module's share of a data export: the profile (never secrets). */
export const profileData: PersonalDataHook = {
  key: 'profile',
  async export(ctx, userId) {
    const u = await userModel(ctx.db).findOne({ _id: userId }).lean();
    if (!u) throw new NotFound();
    return {
      id: String(u._id),
      name: u.name,
      email: u.email,
      role: u.role,
      status: u.status,
      outlet: u.outlet ?? null,
      region: u.region ?? null,
      outletType: u.outletType ?? null,
      gender: u.gender ?? null,
      statsConsentAt: u.statsConsentAt ?? null,
      locale: u.locale ?? null,
      timeZone: u.timeZone ?? null,
      remindersOptOut: u.remindersOptOut,
      twoStepVerification: !!u.totpEnabledAt,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
    };
  },
};

/** Everything we hold about the signed-in user, one key per module. */
export async function exportPersonalData(
  ctx: AppContext,
  user: SessionUser,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { exportedAt: ctx.clock.now().toISOString() };
  for (const hook of ctx.personalData) if (hook.export) out[hook.key] = await hook.export(ctx, user.id);
  await recordAudit(ctx, user, 'account.exported', { type: 'user', id: user.id });
  return out;
}

export const DELETED_NAME = 'Deleted user';

/**
 * Deletes a journalist's account on their own request: the password confirms it, personal fields are
 * anonymised (the record stays so others' references keep working), and every session ends.
 */
export async function deleteOwnAccount(ctx: AppContext, user: SessionUser, password: string): Promise<void> {
  const current = await userModel(ctx.db).findOne({ _id: user.id, status: 'active' }).lean();
  if (!current) throw new NotFound();
  if (!(await verifyPassword(current.passwordHash, password)))
    throw new Invalid('accounts.errors.badPassword', { password: 'accounts.errors.badPassword' });
  const done = await userModel(ctx.db).updateOne(
    { _id: current._id, status: 'active' },
    {
      $set: {
        name: DELETED_NAME,
        email: `deleted-${String(current._id)}@invalid`,
        status: 'disabled',
        remindersOptOut: true,
      },
      $unset: {
        passwordHash: 1,
        outlet: 1,
        region: 1,
        outletType: 1,
        gender: 1,
        statsConsentAt: 1,
        timeZone: 1,
        totpSecret: 1,
        totpEnabledAt: 1,
        totpLastStep: 1,
        recoveryCodeHashes: 1,
        usedRecoveryCodeHashes: 1,
        lockedUntil: 1,
      },
    },
  );
  if (done.modifiedCount !== 1) throw new NotFound();
  for (const hook of ctx.personalData) await hook.erase?.(ctx, user.id);
  await revokeTokensOf(ctx, user.id, 'reset');
  await endSessionsOf(ctx.db, user.id);
  await recordAudit(ctx, user, 'account.deleted', { type: 'user', id: user.id });
}
