import type { AppContext } from '../../server/context';

interface Visit {
  at: number;
  viewedKeys: Set<string>;
}

const MAX_ENTRIES = 20_000;
const byContext = new WeakMap<AppContext, Map<string, Visit>>();

function visitsOf(ctx: AppContext): Map<string, Visit> {
  let visits = byContext.get(ctx);
  if (!visits) byContext.set(ctx, (visits = new Map()));
  return visits;
}

/**
 * Lesson views this process has seen recorded recently, per trainee and course: a reader paging back
 * and forth through a course would otherwise cost an enrolment read per page for views already
 * stored. An entry lives only as long as `freshForMs` (the window in which lastActivityAt needs no
 * write), so activity is still recorded at that granularity. Enrolments are never deleted and views
 * never removed, so a remembered view cannot turn false; other processes simply read once more.
 */
export const recentViews = {
  seen(ctx: AppContext, userId: string, courseId: string, viewKey: string, freshForMs: number): boolean {
    const visit = visitsOf(ctx).get(`${userId}:${courseId}`);
    if (!visit || Math.abs(ctx.clock.now().getTime() - visit.at) >= freshForMs) return false;
    return visit.viewedKeys.has(viewKey);
  },

  /** Called after the enrolment was read or written at `at`, with every view it holds. */
  remember(ctx: AppContext, userId: string, courseId: string, at: Date, viewedKeys: string[]): void {
    const visits = visitsOf(ctx);
    const key = `${userId}:${courseId}`;
    visits.delete(key);
    if (visits.size >= MAX_ENTRIES) visits.delete(visits.keys().next().value!);
    visits.set(key, { at: at.getTime(), viewedKeys: new Set(viewedKeys) });
  },
};
