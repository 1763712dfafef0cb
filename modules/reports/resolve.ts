import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { NotFound } from '../../server/http/errors';
import { cohortScope, col, findCourse, type Doc } from './data';
import { isObjectId, oid } from '../../server/db/ids';
import type { ReportQuery } from './schemas';
import type { CompletionFilters } from './completion';

export interface Resolved {
  course: Doc & { _id: Types.ObjectId };
  courseId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  scope?: Types.ObjectId[];
}

/** Turns a report's query into database filters, including the viewer's cohort scope. */
export async function resolveCourse(
  ctx: AppContext,
  viewer: Pick<SessionUser, 'id' | 'role'>,
  q: ReportQuery,
): Promise<Resolved | undefined> {
  const course = await findCourse(ctx, q.course);
  if (!course) {
    if (q.course) throw new NotFound();
    return undefined;
  }
  const scope = await cohortScope(ctx, viewer);
  const cohortId = q.cohort ? oid(q.cohort) : undefined;
  if (cohortId && scope && !scope.some((c) => c.equals(cohortId))) throw new NotFound();
  return { course: course as Resolved['course'], courseId: course._id, cohortId, scope };
}

export const completionFilters = (r: Resolved, q: ReportQuery): CompletionFilters => ({
  courseId: r.courseId,
  cohortId: r.cohortId,
  scope: r.scope,
  region: q.region,
  outlet: q.outlet,
  language: q.language,
  status: q.status,
  sort: q.sort,
});

/** The quiz an item analysis is about: by key ('pre', 'post', 'lesson:<slug>') or id; default post-test. */
export async function resolveQuiz(ctx: AppContext, courseId: Types.ObjectId, ref: string | undefined) {
  const filter: Doc = isObjectId(ref) ? { _id: oid(ref!), courseId } : { courseId, key: ref ?? 'post' };
  const quiz = await col(ctx.db, 'quizzes').findOne(filter);
  if (!quiz && ref) throw new NotFound();
  return quiz;
}

/** The filters worth recording with an export (no page numbers or empty values). */
export function auditFilters(q: ReportQuery): Record<string, string> {
  return Object.fromEntries(
    Object.entries(q)
      .filter(([k, v]) => v !== undefined && k !== 'page' && k !== 'format')
      .map(([k, v]) => [k, String(v)]),
  );
}
