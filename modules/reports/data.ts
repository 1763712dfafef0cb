import { Types, type Connection } from 'mongoose';
import type { AppContext } from '../../server/context';
import { isObjectId, oid } from '../../server/db/ids';
import type { SessionUser } from '../../server/types';
import { TEST_RECORDS, ensureTestRecords } from '../quizzes';

/**
 * Collections other modules own. Reports only read them, through aggregation pipelines, so the
 * numbers are computed where the data lives (no loops over documents in the app process).
 */
export const C = {
  users: 'users',
  courses: 'courses',
  lessons: 'lessons',
  enrolments: 'enrolments',
  cohorts: 'cohorts',
  questions: 'questions',
  quizzes: 'quizzes',
  attempts: 'attempts',
  testRecords: TEST_RECORDS,
  surveyItems: 'surveyitems',
  calls: 'calls',
  pitches: 'pitches',
  assignments: 'assignments',
  reviews: 'reviews',
  awards: 'awards',
} as const;

export const col = (db: Connection, name: keyof typeof C) => db.collection(C[name]);

export type Doc = Record<string, unknown>;

/** An attempt's results as reports read them: packed, or the sub-documents when not packed yet. */
export const PACKED_RESULTS = { $ifNull: ['$resultsPacked', { $ifNull: ['$results', []] }] };

/** Cursor batch size for exports: bounds what one getMore holds in memory, whatever the row count. */
export const EXPORT_BATCH = 500;

/**
 * Which cohorts a viewer may see: undefined for admins (all), the cohorts a trainer teaches otherwise.
 * Goes into each report's first $match so out-of-scope trainees never leave the database.
 */
export async function cohortScope(
  ctx: AppContext,
  viewer: Pick<SessionUser, 'id' | 'role'>,
): Promise<Types.ObjectId[] | undefined> {
  if (viewer.role === 'admin') return undefined;
  const rows = await col(ctx.db, 'cohorts')
    .find({ trainerIds: oid(viewer.id) }, { projection: { _id: 1 } })
    .toArray();
  return rows.map((r) => r._id as unknown as Types.ObjectId);
}

/** Enrolment filter for a course, an optional cohort and the viewer's scope. */
export function enrolmentMatch(
  courseId: Types.ObjectId,
  cohortId: Types.ObjectId | undefined,
  scope: Types.ObjectId[] | undefined,
): Doc {
  const match: Doc = { courseId };
  if (scope) {
    const allowed = cohortId ? scope.filter((c) => c.equals(cohortId)) : scope;
    match.cohortId = { $in: allowed };
  } else if (cohortId) match.cohortId = cohortId;
  return match;
}

/**
 * Where a report's attempts come from. Without a cohort restriction: the attempts collection itself.
 * With one (trainer scope or a chosen cohort): the cohort's enrolments, each joined to its attempts by
 * the indexed userId — an index lookup per trainee instead of a long `$in` list over every attempt.
 */
export function attemptSource(
  ctx: AppContext,
  courseId: Types.ObjectId,
  cohortId: Types.ObjectId | undefined,
  scope: Types.ObjectId[] | undefined,
  attemptMatch: Doc,
): { collection: ReturnType<typeof col>; prefix: Doc[] } {
  if (!scope && !cohortId) return { collection: col(ctx.db, 'attempts'), prefix: [{ $match: attemptMatch }] };
  return {
    collection: col(ctx.db, 'enrolments'),
    prefix: [
      { $match: enrolmentMatch(courseId, cohortId, scope) },
      { $project: { userId: 1 } },
      { $lookup: { from: C.attempts, localField: 'userId', foreignField: 'userId', as: 'a' } },
      { $unwind: '$a' },
      { $replaceRoot: { newRoot: '$a' } },
      { $match: attemptMatch },
    ],
  };
}

/**
 * Where a report's test records (one per trainee: see quizzes' test-records.ts) come from, like
 * attemptSource: the course's records, or the scoped cohorts' enrolments joined to theirs by userId.
 * A course whose records were never built (a report asked before the start-up job reached it) is
 * built first.
 */
export async function testRecordSource(
  ctx: AppContext,
  courseId: Types.ObjectId,
  cohortId: Types.ObjectId | undefined,
  scope: Types.ObjectId[] | undefined,
): Promise<{ collection: ReturnType<typeof col>; prefix: Doc[] }> {
  await ensureTestRecords(ctx, courseId);
  if (!scope && !cohortId)
    return { collection: col(ctx.db, 'testRecords'), prefix: [{ $match: { courseId } }] };
  return {
    collection: col(ctx.db, 'enrolments'),
    prefix: [
      { $match: enrolmentMatch(courseId, cohortId, scope) },
      { $project: { userId: 1 } },
      { $lookup: { from: C.testRecords, localField: 'userId', foreignField: 'userId', as: 'r' } },
      { $unwind: '$r' },
      { $replaceRoot: { newRoot: '$r' } },
      { $match: { courseId } },
    ],
  };
}

/**
 * Why a trainer's report of a course is empty: reports show the trainees of their cohorts, so say
 * how many cohorts of this course they run and how many of its trainees are in no cohort at all
 * (self-registrations nobody has claimed) — "0 learners" with a reason and a way out.
 */
export async function scopeExplanation(
  ctx: AppContext,
  viewer: Pick<SessionUser, 'id'>,
  courseId: Types.ObjectId,
): Promise<{ cohorts: number; unassigned: number }> {
  const [cohorts, unassigned] = await Promise.all([
    col(ctx.db, 'cohorts').countDocuments({ courseId, trainerIds: oid(viewer.id) }),
    col(ctx.db, 'enrolments').countDocuments({ courseId, cohortId: { $exists: false } }),
  ]);
  return { cohorts, unassigned };
}

/** The course a report is about: by slug or id, else the first course. */
export async function findCourse(ctx: AppContext, ref: string | undefined) {
  const courses = col(ctx.db, 'courses');
  const filter = ref ? (isObjectId(ref) ? { _id: oid(ref) } : { slug: ref }) : {};
  return courses.findOne(filter, { sort: { _id: 1 } });
}

export async function listCourses(ctx: AppContext) {
  return col(ctx.db, 'courses')
    .find({}, { projection: { slug: 1, title: 1 } })
    .sort({ _id: 1 })
    .limit(200)
    .toArray();
}

export async function listCohorts(ctx: AppContext, courseId: Types.ObjectId, scope?: Types.ObjectId[]) {
  const filter: Doc = { courseId };
  if (scope) filter._id = { $in: scope };
  return col(ctx.db, 'cohorts')
    .find(filter, { projection: { name: 1, region: 1 } })
    .sort({ name: 1 })
    .limit(500)
    .toArray();
}

/** A course's attitude and practice items (the quizzes module's survey), in the survey's order. */
export async function surveyItemsOfCourse(ctx: AppContext, courseId: Types.ObjectId) {
  return col(ctx.db, 'surveyItems')
    .find(
      { courseId },
      {
        projection: {
          sid: 1,
          kind: 1,
          scale: 1,
          dimension: 1,
          dimensionLabel: 1,
          reversed: 1,
          text: 1,
          position: 1,
        },
      },
    )
    .sort({ position: 1 })
    .limit(500)
    .toArray();
}
