import type { Request } from 'express';
import type { AppContext } from '../../server/context';
import type { AuthAdapter } from '../../server/auth/current-user';
import type { Locale, Role, SessionUser } from '../../server/types';
import { userModel } from './model';
import { toSessionUser } from './service';

/** What a host app tells us about its signed-in user. */
export interface HostUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale?: Locale;
}

/**
 * Signs in the host's user: one indexed read per request (like a session read), so disabling an
 * account here takes effect at once. The first request links or creates our account (by host id,
 * else by an e-mail not yet linked to another host id). The host is trusted to have authenticated the
 * user, including any second factor.
 */
export function hostAuthAdapter(ctx: AppContext, map: (req: Request) => HostUser | undefined): AuthAdapter {
  return async (req) => {
    const host = map(req);
    return host ? linkHostUser(ctx, host) : undefined;
  };
}

export async function linkHostUser(ctx: AppContext, host: HostUser): Promise<SessionUser | undefined> {
  const users = userModel(ctx.db);
  const email = host.email.trim().toLowerCase();
  const fields = { name: host.name.slice(0, 120), role: host.role };
  let user = await users.findOne({ hostId: host.id }).lean();
  if (user && (user.name !== fields.name || user.role !== fields.role)) {
    user = await users.findOneAndUpdate({ _id: user._id }, { $set: fields }, { new: true }).lean();
  }
  user ??= await users
    .findOneAndUpdate({ email, hostId: null }, { $set: { ...fields, hostId: host.id } }, { new: true })
    .lean();
  if (!user) {
    const created = await users.create({
      ...fields,
      email,
      hostId: host.id,
      status: 'active',
      locale: host.locale,
    });
    user = created.toObject();
  }
  return user.status === 'active' ? toSessionUser(user) : undefined;
}
