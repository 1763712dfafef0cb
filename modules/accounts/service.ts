import { randomUUID } from 'node:crypto';
import { trusted } from '../../server/db/ids';

import type { AppContext } from '../../server/context';
import type { Locale, Role, SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound, Unauthenticated } from '../../server/http/errors';
import { hashPassword, isCommonPassword, verifyPassword } from '../../server/auth/passwords';
import { endSessionsOf } from '../../server/auth/session';
import { enqueueEmail } from '../notifications';
import { userModel, type Gender, type OutletType, type User } from './model';
import { consumeToken, issueToken, peekToken, revokeTokensOf } from './tokens';
import { matchTotp } from './totp';

/**
 * Each of these e-mails is wanted every time, so each gets a key of its own (the embedded database
 * ignores the outbox's partial index, where a missing key would count as a duplicate).
 */
const oneOff = (kind: string) => `accounts.${kind}:${randomUUID()}`;

/** Roles whose accounts must enrol a second factor before doing anything else. */
export const SECOND_FACTOR_ROLES: readonly Role[] = ['admin', 'trainer', 'reviewer'];

export function toSessionUser(
  u: Pick<User, '_id' | 'role' | 'name' | 'email' | 'locale' | 'timeZone'>,
): SessionUser {
  return {
    id: String(u._id),
    role: u.role,
    name: u.name,
    email: u.email,
    locale: u.locale,
    timeZone: u.timeZone,
  };
}

function assertPasswordAllowed(password: string): void {
  if (isCommonPassword(password))
    throw new Invalid('accounts.errors.passwordCommon', { password: 'accounts.errors.passwordCommon' });
}

export interface RegisterInput {
  name: string;
  email: string;
  password: string;
  outlet?: string;
  region?: string;
  locale?: Locale;
}

/**
 * Creates a journalist account. An address already in use gets the same answer as a new one (no
 * enumeration); its owner is told by e-mail instead.
 */
export async function registerJournalist(
  ctx: AppContext,
  input: RegisterInput,
  locale: Locale,
): Promise<User | undefined> {
  assertPasswordAllowed(input.password);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await userModel(ctx.db).create({
      ...input,
      role: 'journalist',
      status: 'active',
      passwordHash,
      locale: input.locale ?? locale,
    });
    return user.toObject();
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    await enqueueEmail(ctx, {
      to: input.email,
      template: 'accounts/account-exists',
      locale,
      dedupeKey: oneOff('account-exists'),
    });
    return undefined;
  }
}

export type LoginResult = { user: User; needsSecondFactor: boolean; mustEnrol: boolean };

/** Checks a password. Wrong e-mail and wrong password are indistinguishable to the caller. */
export async function authenticate(ctx: AppContext, email: string, password: string): Promise<LoginResult> {
  const user = await userModel(ctx.db).findOne({ email: email.trim().toLowerCase() }).lean();
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok || user.status !== 'active') throw new Unauthenticated('accounts.errors.badLogin');
  const needs = SECOND_FACTOR_ROLES.includes(user.role);
  return { user, needsSecondFactor: needs && !!user.totpEnabledAt, mustEnrol: needs && !user.totpEnabledAt };
}

export async function findActiveUser(ctx: AppContext, id: string) {
  const user = await userModel(ctx.db).findOne({ _id: id, status: 'active' }).lean();
  if (!user) throw new NotFound();
  return user;
}

/**
 * Accepts a TOTP code once: the matched time step is stored so a replayed code fails. Only a confirmed
 * secret counts (`totpEnabledAt`): one an older version stored at setup and nobody confirmed was shown
 * to whoever opened that page, so it is no second factor.
 */
export async function verifySecondFactor(ctx: AppContext, userId: string, code: string): Promise<User> {
  const user = await findActiveUser(ctx, userId);
  const secret = user.totpEnabledAt ? user.totpSecret : undefined;
  const step = secret ? matchTotp(secret, code, ctx.clock.now()) : undefined;
  if (step === undefined) throw new Invalid('accounts.errors.code', { code: 'accounts.errors.code' });
  const updated = await userModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: user._id,
        $or: [{ totpLastStep: trusted({ $exists: false }) }, { totpLastStep: trusted({ $lt: step }) }],
      },
      { $set: { totpLastStep: step } },
      { new: true },
    )
    .lean();
  if (!updated) throw new Invalid('accounts.errors.codeUsed', { code: 'accounts.errors.codeUsed' });
  return updated;
}

export interface ProfileInput {
  name: string;
  outlet?: string;
  region?: string;
  outletType?: OutletType | '';
  gender?: Gender | '';
  statsConsent?: 'on';
  locale: Locale;
  timeZone?: string;
  remindersOptOut?: 'on';
}

/**
 * Outlet type and gender are optional. Gender is kept only with the statistics consent ticked (an
 * unticked box with a gender chosen is an error to correct, never a silent drop); unticking it later
 * removes the gender. Blank choices unset the field.
 */
function statsFields(input: ProfileInput, now: Date) {
  if (input.gender && input.statsConsent !== 'on')
    throw new Invalid('accounts.errors.genderConsent', { statsConsent: 'accounts.errors.genderConsent' });
  const set: Record<string, unknown> = {};
  const unset: Record<string, 1> = {};
  if (input.outletType) set.outletType = input.outletType;
  else unset.outletType = 1;
  if (input.gender) set.gender = input.gender;
  else unset.gender = 1;
  // $min keeps the date consent was first given, in the same update (no read before it).
  const min = input.statsConsent === 'on' ? { statsConsentAt: now } : undefined;
  if (!min) unset.statsConsentAt = 1;
  return { set, unset, min };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export async function updateProfile(ctx: AppContext, userId: string, input: ProfileInput): Promise<User> {
  if (input.timeZone && !isTimeZone(input.timeZone))
    throw new Invalid('accounts.errors.timeZone', { timeZone: 'accounts.errors.timeZone' });
  const { remindersOptOut, outletType: _t, gender: _g, statsConsent: _c, ...fields } = input;
  const stats = statsFields(input, ctx.clock.now());
  const user = await userModel(ctx.db)
    .findOneAndUpdate(
      { _id: userId, status: 'active' },
      {
        $set: { ...fields, ...stats.set, remindersOptOut: remindersOptOut === 'on' },
        ...(Object.keys(stats.unset).length ? { $unset: stats.unset } : {}),
        ...(stats.min ? { $min: stats.min } : {}),
      },
      { new: true },
    )
    .lean();
  if (!user) throw new NotFound();
  return user;
}

export async function setPreferredLocale(ctx: AppContext, userId: string, locale: Locale): Promise<void> {
  await userModel(ctx.db).updateOne({ _id: userId }, { $set: { locale } });
}

/** Always answers the same; mails a link only when the address belongs to an active account. */
export async function requestPasswordReset(ctx: AppContext, email: string, locale: Locale): Promise<void> {
  // An account a host app created (no password here) signs in through the host. A reset would let
  // whoever owns its address, which the host may never have checked, set a password on it.
  const user = await userModel(ctx.db)
    .findOne({
      email: email.trim().toLowerCase(),
      status: 'active',
      $or: [{ hostId: trusted({ $exists: false }) }, { passwordHash: trusted({ $exists: true }) }],
    })
    .lean();
  if (!user) return;
  const token = await issueToken(ctx, user._id, 'reset');
  await enqueueEmail(ctx, {
    to: user.email,
    template: 'accounts/password-reset',
    locale: user.locale ?? locale,
    data: { token, name: user.name },
    dedupeKey: oneOff('password-reset'),
  });
}

export const resetTokenIsValid = async (ctx: AppContext, token: string) =>
  !!(await peekToken(ctx, token, 'reset'));

export async function resetPassword(ctx: AppContext, token: string, password: string): Promise<void> {
  assertPasswordAllowed(password);
  const passwordHash = await hashPassword(password);
  const record = await consumeToken(ctx, token, 'reset');
  if (!record) throw new Invalid('accounts.errors.tokenInvalid');
  // Only an active account: one disabled or deleted since the link was sent stays locked.
  const changed = await userModel(ctx.db).updateOne(
    { _id: record.userId, status: 'active' },
    { $set: { passwordHash } },
  );
  if (changed.matchedCount !== 1) throw new Invalid('accounts.errors.tokenInvalid');
  await afterPasswordChange(ctx, String(record.userId));
}

/**
 * Whatever changed a password (reset link, the profile, an administrator), the old credentials' reach
 * ends with it: every outstanding reset link is used up and every session ends but `keepSessionId`
 * (the one the owner changed it from).
 */
export async function afterPasswordChange(ctx: AppContext, userId: string, keepSessionId?: string) {
  await revokeTokensOf(ctx, userId, 'reset');
  await endSessionsOf(ctx.db, userId, keepSessionId);
}

/**
 * The signed-in user changes their password: the current one confirms it. Other sessions and reset
 * links end, and the owner is told by e-mail (so a change they did not make does not go unnoticed).
 */
export async function changePassword(
  ctx: AppContext,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  keepSessionId: string,
): Promise<User> {
  const user = await findActiveUser(ctx, userId);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
    throw new Invalid('accounts.errors.badPassword', { currentPassword: 'accounts.errors.badPassword' });
  if (isCommonPassword(input.newPassword))
    throw new Invalid('accounts.errors.passwordCommon', { newPassword: 'accounts.errors.passwordCommon' });
  const passwordHash = await hashPassword(input.newPassword);
  const updated = await userModel(ctx.db)
    .findOneAndUpdate(
      { _id: user._id, status: 'active', passwordHash: user.passwordHash },
      { $set: { passwordHash } },
      { new: true },
    )
    .lean();
  if (!updated) throw new Conflict();
  await afterPasswordChange(ctx, userId, keepSessionId);
  await enqueueEmail(ctx, {
    to: updated.email,
    template: 'accounts/password-changed',
    locale: updated.locale ?? ctx.config.defaultLocale,
    data: { name: updated.name },
    dedupeKey: oneOff('password-changed'),
  });
  return updated;
}

export async function inviteUser(
  ctx: AppContext,
  invitedBy: SessionUser,
  input: { email: string; name: string; role: Role },
) {
  const created = await userModel(ctx.db)
    .create({ ...input, status: 'invited' })
    .catch(async (err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      // The address of a withdrawn invitation may be invited again, with the new name and role.
      const again = await userModel(ctx.db).findOneAndUpdate(
        {
          email: input.email.toLowerCase(),
          status: 'disabled',
          invitationWithdrawnAt: trusted({ $exists: true }),
        },
        {
          $set: { name: input.name, role: input.role, status: 'invited' },
          $unset: { invitationWithdrawnAt: '' },
        },
        { new: true },
      );
      if (!again) throw new Conflict('accounts.errors.emailTaken');
      return again;
    });
  const token = await issueToken(ctx, created._id, 'invite');
  await enqueueEmail(ctx, {
    to: created.email,
    template: 'accounts/invitation',
    locale: invitedBy.locale ?? ctx.config.defaultLocale,
    data: { token, name: created.name, role: created.role, inviter: invitedBy.name },
    dedupeKey: oneOff('invitation'),
  });
  return created.toObject();
}

export async function invitationFor(ctx: AppContext, token: string) {
  const record = await peekToken(ctx, token, 'invite');
  if (!record) return undefined;
  return userModel(ctx.db).findOne({ _id: record.userId, status: 'invited' }).lean();
}

export async function acceptInvitation(
  ctx: AppContext,
  token: string,
  input: { name: string; password: string },
): Promise<User> {
  assertPasswordAllowed(input.password);
  const passwordHash = await hashPassword(input.password);
  const record = await consumeToken(ctx, token, 'invite');
  if (!record) throw new Invalid('accounts.errors.tokenInvalid');
  const user = await userModel(ctx.db)
    .findOneAndUpdate(
      { _id: record.userId, status: 'invited' },
      { $set: { name: input.name, passwordHash, status: 'active' } },
      { new: true },
    )
    .lean();
  if (!user) throw new Invalid('accounts.errors.tokenInvalid');
  return user;
}

export async function listUsers(ctx: AppContext, filter: { role?: Role } = {}) {
  return userModel(ctx.db)
    .find(filter.role ? { role: filter.role } : {}, {
      passwordHash: 0,
      totpSecret: 0,
      recoveryCodeHashes: 0,
      usedRecoveryCodeHashes: 0,
    })
    .sort({ createdAt: -1 })
    .limit(500)
    .lean();
}

/**
 * Role or status change: the user's open sessions end at once so the change cannot be outlived.
 * Disabling also withdraws a pending invitation (an address typed wrong, a role given by mistake): its
 * links are used up with the reset links, so they get the usual "expired or used" page. An invitation
 * cannot be switched to active by hand: the account has no password until its owner accepts.
 */
export async function updateUserAccess(
  ctx: AppContext,
  actor: SessionUser,
  id: string,
  change: { role: Role; status: 'active' | 'disabled' },
) {
  if (actor.id === id) throw new Invalid('accounts.errors.selfChange');
  const options = {
    new: true,
    projection: { passwordHash: 0, totpSecret: 0, recoveryCodeHashes: 0, usedRecoveryCodeHashes: 0 },
  };
  const users = userModel(ctx.db);
  // Withdrawing a pending invitation marks the account, so it can never be switched to active by hand
  // (whoever owns the address could then set a password through /forgot and hold the role).
  const withdrawn =
    change.status === 'disabled'
      ? await users
          .findOneAndUpdate(
            { _id: id, status: 'invited' },
            { $set: { ...change, invitationWithdrawnAt: ctx.clock.now() } },
            options,
          )
          .lean()
      : null;
  const user =
    withdrawn ??
    (await users
      .findOneAndUpdate(
        {
          _id: id,
          status: trusted({ $in: ['active', 'disabled'] }),
          ...(change.status === 'active' ? { invitationWithdrawnAt: trusted({ $exists: false }) } : {}),
        },
        { $set: change },
        options,
      )
      .lean());
  if (!user) {
    if (await users.exists({ _id: id, status: 'invited' }))
      throw new Invalid('accounts.errors.invitePending');
    if (await users.exists({ _id: id, invitationWithdrawnAt: trusted({ $exists: true }) }))
      throw new Invalid('accounts.errors.inviteWithdrawn');
    throw new NotFound();
  }
  await endSessionsOf(ctx.db, id);
  // A disabled account's links die with its sessions (re-enabling does not revive them).
  if (change.status === 'disabled') {
    await revokeTokensOf(ctx, id, 'reset');
    await revokeTokensOf(ctx, id, 'invite');
  }
  return user;
}
