import type { AppContext } from '../../server/context';
import { activeUsersWithRole, usersByIds, type UserCard } from '../accounts';

export type { UserCard };

/** Users by id (name, e-mail, outlet, role, locale, status) through the accounts directory. */
export async function usersById(
  ctx: AppContext,
  ids: Parameters<typeof usersByIds>[1],
): Promise<Map<string, UserCard>> {
  const users = await usersByIds(ctx, ids);
  return new Map(users.map((u) => [String(u._id), u]));
}

/** Active reviewers for assignment. */
export const activeReviewers = (ctx: AppContext) => activeUsersWithRole(ctx, 'reviewer');

export const sameOutlet = (a?: string, b?: string) =>
  !!a && !!b && a.trim().toLowerCase() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();
