import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { userModel, usersByIds } from '../accounts';

export interface UserCard {
  _id: Types.ObjectId;
  name: string;
  email: string;
  outlet?: string;
  locale?: 'en' | 'mn';
  role: string;
  status: string;
}

const FIELDS = { name: 1, email: 1, outlet: 1, locale: 1, role: 1, status: 1 };

/** Users by id (name, e-mail, outlet, role, locale, status) through the accounts service. */
export async function usersById(
  ctx: AppContext,
  ids: Array<string | Types.ObjectId>,
): Promise<Map<string, UserCard>> {
  if (!ids.length) return new Map();
  const users = (await usersByIds(ctx, ids)) as unknown as UserCard[];
  return new Map(users.map((u) => [String(u._id), u]));
}

/** Active reviewers for assignment. accounts exports no role listing yet, so this one read uses its model. */
export async function activeReviewers(ctx: AppContext): Promise<UserCard[]> {
  return (await userModel(ctx.db)
    .find({ role: 'reviewer', status: 'active' }, FIELDS)
    .sort({ _id: 1 })
    .limit(1000)
    .lean()) as unknown as UserCard[];
}

export const sameOutlet = (a?: string, b?: string) =>
  !!a && !!b && a.trim().toLowerCase() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();
