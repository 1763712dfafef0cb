import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';

/** One line of "needs doing" on a staff member's home page: an i18n key with its values, and a link. */
export interface HomeTask {
  key: string;
  params?: Record<string, string | number>;
  href: string;
}

/**
 * Where other modules add what needs doing to the home page without accounts importing them (grants,
 * reviews and awards sit above accounts). They register in their own index.ts.
 */
export interface HomeExtension {
  tasks(ctx: AppContext, user: SessionUser, lang: Locale): Promise<HomeTask[]>;
}

const extensions = new Set<HomeExtension>();

/** Registers once per extension object (re-registering the same object is a no-op). */
export function extendHome(extension: HomeExtension): void {
  extensions.add(extension);
}

/** Every module's tasks for this user, in registration order. */
export async function homeTasks(ctx: AppContext, user: SessionUser, lang: Locale): Promise<HomeTask[]> {
  const lists = await Promise.all([...extensions].map((e) => e.tasks(ctx, user, lang)));
  return lists.flat();
}
