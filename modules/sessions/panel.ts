import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
import type { CoursePanel } from '../learning';
import { presentSession } from './present';
import { attendedCount, upcomingSessions } from './service-attend';
import { rulesFor } from './service-manage';

/** The course page's "Live sessions" section: upcoming sessions and the trainee's attendance so far. */
export async function sessionsPanel(
  ctx: AppContext,
  course: { id: string; slug: string },
  user: SessionUser,
  lang: Locale,
): Promise<CoursePanel[]> {
  const [sessions, rules] = await Promise.all([upcomingSessions(ctx, course.id), rulesFor(ctx, course.id)]);
  if (!sessions.length && rules.requiredSessions === 0) return [];
  const now = ctx.clock.now();
  const staff = user.role !== 'journalist';
  return [
    {
      view: 'sessions/_panel',
      locals: {
        liveSessions: sessions.map((s) => presentSession(s, lang, now, { id: user.id, staff })),
        requiredSessions: rules.requiredSessions,
        attended: staff ? undefined : await attendedCount(ctx, user.id, course.id),
      },
    },
  ];
}
