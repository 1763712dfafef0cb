import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid, trusted } from '../../server/db/ids';
import {
  cohortModel,
  courseModel,
  enrolmentModel,
  lessonModel,
  type Bilingual,
  type Course,
  type Enrolment,
  type Lesson,
} from './model';

/** What other modules (the API, LTI, xAPI, course archives) may read about courses and progress. */

type Id = Types.ObjectId | string;
export interface Label {
  slug: string;
  title: Bilingual;
}

export async function courseLabel(ctx: AppContext, courseId: Id): Promise<Label | undefined> {
  return (await courseModel(ctx.db).findById(courseId, { slug: 1, title: 1 }).lean<Label>()) ?? undefined;
}

export async function lessonLabel(ctx: AppContext, lessonId: Id): Promise<Label | undefined> {
  return (await lessonModel(ctx.db).findById(lessonId, { slug: 1, title: 1 }).lean<Label>()) ?? undefined;
}

/**
 * Enrolments with any activity in (after, until], for statements sent to an LRS: `limit` at a time in
 * _id order, after the `cursor` enrolment (the last of the previous page).
 */
export async function enrolmentsActiveIn(
  ctx: AppContext,
  window: { after: Date; until: Date },
  limit: number,
  cursor?: Types.ObjectId,
): Promise<Enrolment[]> {
  return enrolmentModel(ctx.db)
    .find({
      lastActivityAt: trusted({ $gt: window.after, $lte: window.until }),
      ...(cursor ? { _id: trusted({ $gt: cursor }) } : {}),
    })
    .sort({ _id: 1 })
    .limit(limit)
    .lean<Enrolment[]>();
}

/** The user's enrolment in a course if it was completed at or after `since`. */
export async function completionSince(
  ctx: AppContext,
  q: { userId: Id; courseId: Id; since: Date },
): Promise<Pick<Enrolment, '_id' | 'completedAt'> | undefined> {
  const e = await enrolmentModel(ctx.db)
    .findOne(
      { userId: q.userId, courseId: q.courseId, completedAt: trusted({ $gte: q.since }) },
      { completedAt: 1 },
    )
    .lean<Pick<Enrolment, '_id' | 'completedAt'>>();
  return e ?? undefined;
}

/** How many of a course's trainees are at each stage. */
export async function completionCounts(ctx: AppContext, courseId: Id) {
  const groups = await enrolmentModel(ctx.db).aggregate<{ _id: string; n: number }>([
    { $match: { courseId: oid(courseId) } },
    { $group: { _id: '$status', n: { $sum: 1 } } },
  ]);
  const count = (status: Enrolment['status']) => groups.find((g) => g._id === status)?.n ?? 0;
  return { enrolled: count('enrolled'), inProgress: count('in_progress'), completed: count('completed') };
}

/** A course by slug with its published lessons in course order (for archives). */
export async function courseWithPublishedLessons(
  ctx: AppContext,
  slug: string,
): Promise<{ course: Course; lessons: Lesson[] } | undefined> {
  const course = await courseModel(ctx.db).findOne({ slug }).lean<Course>();
  if (!course) return undefined;
  const published = await lessonModel(ctx.db)
    .find({ courseId: course._id, status: 'published' })
    .lean<Lesson[]>();
  const byId = new Map(published.map((l) => [String(l._id), l]));
  const lessons = course.lessonIds.map((id) => byId.get(String(id))).filter((l) => !!l);
  return { course, lessons };
}

/** The courses a trainer runs a cohort of (their courses, for pages scoped to them). */
export async function trainerCourseIds(ctx: AppContext, trainerId: Id): Promise<string[]> {
  const ids = await cohortModel(ctx.db).distinct('courseId', { trainerIds: oid(trainerId) });
  return ids.map(String);
}
