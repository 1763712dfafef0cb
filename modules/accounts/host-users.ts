import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { AppContext } from '../../server/context';
import type { AuthAdapter } from '../../server/auth/current-user';
import type { Locale, Role, SessionUser } from '../../server/types';
import { userModel, type User } from './model';
import { toSessionUser } from './service';
import { createLinkedAccount, type UserCard } from './directory';

/** What a host app tells us about its signed-in user. */
export interface HostUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale?: Locale;
  /**
   * `true` only when the host has checked that this user controls `email` (a confirmation link, an
   * identity provider's `email_verified`). Only then is an account here that already has the address
   * (and no host id yet) linked to them. Otherwise, if the address is taken, they get an account of
   * their own under a placeholder address: registering someone else's address in the host must never
   * open that person's account here.
   */
  emailVerified?: boolean;
}

/**
 * Signs in the host's user: one indexed read per request (like a session read), so disabling an
 * account here takes effect at once. The first request links or creates our account (see
 * `linkHostUser`). The host is trusted to have authenticated the user, including any second factor.
 */
export function hostAuthAdapter(ctx: AppContext, map: (req: Request) => HostUser | undefined): AuthAdapter {
  return async (req) => {
    const host = map(req);
    return host ? linkHostUser(ctx, host) : undefined;
  };
}

/**
 * Our account for a host user: the one linked to their host id; else, when the host vouches for the
 * address (`emailVerified: true`), the account with that address not yet linked to anyone; else a new
 * one (like an LTI launch, whose asserted address is never trusted to sign into an existing account).
 */
export async function linkHostUser(ctx: AppContext, host: HostUser): Promise<SessionUser | undefined> {
  const users = userModel(ctx.db);
  const email = host.email.trim().toLowerCase();
  const fields = { name: host.name.slice(0, 120), role: host.role };
  let user: UserCard | null = await users.findOne({ hostId: host.id }).lean<User>();
  if (user && (user.name !== fields.name || user.role !== fields.role)) {
    user = await users.findOneAndUpdate({ _id: user._id }, { $set: fields }, { new: true }).lean<User>();
  }
  if (!user && host.emailVerified === true) {
    user = await users
      .findOneAndUpdate({ email, hostId: null }, { $set: { ...fields, hostId: host.id } }, { new: true })
      .lean<User>();
  }
  user ??= await createHostAccount(ctx, host, email, fields);
  return user.status === 'active' ? toSessionUser(user) : undefined;
}

/**
 * A new account for the host user, under their address when it is free, else under a placeholder
 * unique to their host id. A parallel first request that created it already wins.
 */
async function createHostAccount(
  ctx: AppContext,
  host: HostUser,
  email: string,
  fields: { name: string; role: Role },
): Promise<UserCard> {
  const hash = createHash('sha256').update(host.id).digest('hex').slice(0, 24);
  try {
    return await createLinkedAccount(ctx, {
      ...fields,
      email,
      placeholderEmail: `host-${hash}@host.invalid`,
      hostId: host.id,
      locale: host.locale,
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const raced = await userModel(ctx.db).findOne({ hostId: host.id }).lean<User>();
    if (!raced) throw err;
    return raced;
  }
}
