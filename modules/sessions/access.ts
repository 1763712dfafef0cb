import type { AppContext } from '../../server/context';
import { NotFound } from '../../server/http/errors';
import { oid } from '../../server/db/ids';
import type { SessionUser } from '../../server/types';
import {
  courseLabel,
  getCourseOutline,
  getOutlineBySlug,
  publishedCourses,
  trainerCourseIds,
} from '../learning';
import type { CourseOutline } from '../learning';
import { liveSessionModel, type LiveSession } from './model';

/**
 * Which courses' sessions a staff member manages: a trainer, the courses of the cohorts they run; an
 * admin, every course. Anyone else's course or session is a 404, so ids reveal nothing.
 */
async function mayManage(ctx: AppContext, actor: SessionUser, courseId: string): Promise<boolean> {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'trainer') return false;
  return (await trainerCourseIds(ctx, actor.id)).includes(courseId);
}

export async function managedCourses(ctx: AppContext, actor: SessionUser) {
  const ids =
    actor.role === 'admin'
      ? (await publishedCourses(ctx)).map((c) => String(c._id))
      : await trainerCourseIds(ctx, actor.id);
  const labels = await Promise.all(ids.map(async (id) => ({ id, label: await courseLabel(ctx, id) })));
  return labels.flatMap(({ id, label }) => (label ? [{ id, ...label }] : []));
}

export async function requireManagedCourse(
  ctx: AppContext,
  actor: SessionUser,
  slug: string,
): Promise<CourseOutline> {
  const course = await getOutlineBySlug(ctx, slug);
  if (!course || !(await mayManage(ctx, actor, course.id))) throw new NotFound();
  return course;
}

export async function requireManagedSession(
  ctx: AppContext,
  actor: SessionUser,
  sessionId: string,
): Promise<{ session: LiveSession; course: CourseOutline }> {
  const session = await liveSessionModel(ctx.db).findById(oid(sessionId)).lean<LiveSession>();
  if (!session || !(await mayManage(ctx, actor, String(session.courseId)))) throw new NotFound();
  const course = await getCourseOutline(ctx, session.courseId);
  if (!course) throw new NotFound();
  return { session, course };
}

/** A session a trainee may see: its course is published. */
export async function requireVisibleSession(
  ctx: AppContext,
  sessionId: string,
): Promise<{ session: LiveSession; course: CourseOutline }> {
  const session = await liveSessionModel(ctx.db).findById(oid(sessionId)).lean<LiveSession>();
  if (!session) throw new NotFound();
  const course = await getCourseOutline(ctx, session.courseId);
  if (!course || course.status !== 'published') throw new NotFound();
  return { session, course };
}
