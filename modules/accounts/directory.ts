import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale, Role } from '../../server/types';
import { userModel } from './model';
import { trusted } from '../../server/db/ids';

/**
 * What other modules may read and write about people, by name: they never touch the users
 * collection. Each read returns the same card (no secrets), so a field rename fails at compile time.
 */
const CARD = { name: 1, email: 1, outlet: 1, region: 1, role: 1, locale: 1, timeZone: 1, status: 1 } as const;

export interface UserCard {
  _id: Types.ObjectId;
  name: string;
  email: string;
  outlet?: string;
  region?: string;
  role: Role;
  locale?: Locale;
  timeZone?: string;
  status: string;
}

type Id = string | Types.ObjectId;

export async function usersByIds(ctx: AppContext, ids: Id[]): Promise<UserCard[]> {
  if (!ids.length) return [];
  return userModel(ctx.db)
    .find({ _id: trusted({ $in: ids }) }, CARD)
    .lean<UserCard[]>();
}

export async function userById(ctx: AppContext, id: Id): Promise<UserCard | undefined> {
  return (await userModel(ctx.db).findById(id, CARD).lean<UserCard>()) ?? undefined;
}

/** Active accounts of a role, oldest first (e.g. reviewers for assignment). */
export async function activeUsersWithRole(ctx: AppContext, role: Role, limit = 1000): Promise<UserCard[]> {
  return userModel(ctx.db)
    .find({ role, status: 'active' }, CARD)
    .sort({ _id: 1 })
    .limit(limit)
    .lean<UserCard[]>();
}

/** Of these users, the active ones who have not opted out of reminders. */
export async function reminderRecipients(ctx: AppContext, ids: Id[]): Promise<UserCard[]> {
  if (!ids.length) return [];
  return userModel(ctx.db)
    .find({ _id: trusted({ $in: ids }), status: 'active', remindersOptOut: trusted({ $ne: true }) }, CARD)
    .lean<UserCard[]>();
}

/** Active journalist accounts with these e-mail addresses (lower-cased by the caller). */
export async function activeJournalistsByEmail(ctx: AppContext, emails: string[]): Promise<UserCard[]> {
  if (!emails.length) return [];
  return userModel(ctx.db)
    .find({ email: trusted({ $in: emails }), role: 'journalist', status: 'active' }, CARD)
    .lean<UserCard[]>();
}

export async function emailInUse(ctx: AppContext, email: string): Promise<boolean> {
  return !!(await userModel(ctx.db).exists({ email }));
}

/**
 * An account for someone another system vouches for (an LMS launch; a host app, with its `hostId`), a
 * journalist unless the system says otherwise. The preferred address may be taken (by someone else, or
 * by a parallel request): then the placeholder is used, which is unique to the identity.
 */
export async function createLinkedAccount(
  ctx: AppContext,
  fields: {
    email: string;
    placeholderEmail: string;
    name: string;
    locale?: Locale;
    role?: Role;
    hostId?: string;
  },
): Promise<UserCard> {
  const Users = userModel(ctx.db);
  const { email, placeholderEmail, role = 'journalist', ...rest } = fields;
  const data = { ...rest, role, status: 'active' as const };
  const user = await Users.create({ email, ...data }).catch((err: { code?: number }) => {
    if (err.code !== 11000 || email === placeholderEmail) throw err;
    return Users.create({ email: placeholderEmail, ...data });
  });
  return user.toObject() as unknown as UserCard;
}

/** The language another system (an LMS launch) says this person reads, kept as their profile's. */
export async function followLocale(ctx: AppContext, id: Id, locale: Locale): Promise<void> {
  await userModel(ctx.db).updateOne({ _id: id, locale: trusted({ $ne: locale }) }, { $set: { locale } });
}

/** Removes an account created a moment ago that lost a race to be linked (nothing refers to it yet). */
export async function discardUnlinkedAccount(ctx: AppContext, id: Id): Promise<void> {
  await userModel(ctx.db).deleteOne({ _id: id });
}
