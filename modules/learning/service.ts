import { Types } from 'mongoose';
import { oid, trusted } from '../../server/db/ids';
import type { AppContext } from '../../server/context';
import { userById } from '../accounts';
import { enqueueEmail } from '../notifications';
import { cohortModel, courseModel, enrolmentModel, type Enrolment } from './model';
import { getCourseOutline, type CourseOutline, type OutlineLesson } from './outline';
import { completionState, progressOf, quizGate, stepsFor, type Gate, type Step } from './progress';
import { recentViews } from './recent-views';
import { completionBlockers, courseCompleted, quizSummaries } from './extensions';

export async function getCourseBySlug(ctx: AppContext, slug: string) {
  return courseModel(ctx.db).findOne({ slug }).lean();
}

export async function enrolmentFor(ctx: AppContext, userId: string, courseId: string) {
  return enrolmentModel(ctx.db)
    .findOne({ userId: oid(userId), courseId: oid(courseId) })
    .lean();
}

export async function enrolmentsOfUser(ctx: AppContext, userId: string) {
  return enrolmentModel(ctx.db)
    .find({ userId: oid(userId) })
    .lean();
}

/** Concurrent upserts on the unique (user, course) index: the loser retries and finds the winner's. */
async function upsertEnrolment(
  ctx: AppContext,
  filter: { userId: Types.ObjectId; courseId: Types.ObjectId },
  update: Record<string, unknown>,
): Promise<Enrolment> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await enrolmentModel(ctx.db)
        .findOneAndUpdate(filter, update, { upsert: true, new: true })
        .lean()) as Enrolment;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000 || attempt >= 2) throw err;
    }
  }
}

/**
 * What a new enrolment starts with: self-registered trainees join the course's default cohort when
 * it has one, so its trainers see them; otherwise they are "unassigned" until a trainer claims them.
 */
async function onInsert(ctx: AppContext, courseId: string | Types.ObjectId, now: Date) {
  const course = await getCourseOutline(ctx, courseId);
  return {
    enrolledAt: now,
    ...(course?.defaultCohortId ? { cohortId: oid(course.defaultCohortId) } : {}),
  };
}

/** Enrols on first visit of a published course; later visits only touch lastActivityAt. One write. */
export async function ensureEnrolment(ctx: AppContext, userId: string, courseId: string) {
  const now = ctx.clock.now();
  return upsertEnrolment(
    ctx,
    { userId: oid(userId), courseId: oid(courseId) },
    {
      $set: { lastActivityAt: now },
      $setOnInsert: { status: 'enrolled', ...(await onInsert(ctx, courseId, now)) },
    },
  );
}

/** Enrols someone another system put on the course's roster (an LMS); no visit is recorded. */
export async function enrolFromRoster(ctx: AppContext, userId: string, courseId: string) {
  const now = ctx.clock.now();
  return upsertEnrolment(
    ctx,
    { userId: oid(userId), courseId: oid(courseId) },
    { $setOnInsert: { status: 'enrolled', ...(await onInsert(ctx, courseId, now)) } },
  );
}

/**
 * lastActivityAt is read at day scale (reminders to stalled trainees, reports sorted by activity), so a
 * visit within this window of the last recorded one needs no write: page views stay reads.
 */
export const ACTIVITY_TOUCH_MS = 5 * 60_000;

/** A visit: like ensureEnrolment, but only writes when enrolling or when lastActivityAt is stale. */
export async function visitEnrolment(ctx: AppContext, userId: string, courseId: string) {
  const found = await enrolmentFor(ctx, userId, courseId);
  const last = found?.lastActivityAt?.getTime();
  if (found && last !== undefined && Math.abs(ctx.clock.now().getTime() - last) < ACTIVITY_TOUCH_MS)
    return found as Enrolment;
  return ensureEnrolment(ctx, userId, courseId);
}

async function markStarted(ctx: AppContext, enrolmentId: Types.ObjectId) {
  const now = ctx.clock.now();
  await enrolmentModel(ctx.db).updateOne(
    { _id: enrolmentId, status: 'enrolled' },
    { $set: { status: 'in_progress', startedAt: now } },
  );
}

/**
 * Records that the reader saw this version of a lesson; each version counts once. Re-reading a lesson
 * within the activity window costs nothing (recentViews); otherwise one read, and a write when new.
 */
export async function recordLessonView(
  ctx: AppContext,
  userId: string,
  course: CourseOutline,
  lesson: OutlineLesson,
): Promise<void> {
  const viewKey = `${lesson.id}:${lesson.version}`;
  if (recentViews.seen(ctx, userId, course.id, viewKey, ACTIVITY_TOUCH_MS)) return;
  const enrolment = await visitEnrolment(ctx, userId, course.id);
  const recorded = (enrolment.viewedKeys ?? []).includes(viewKey)
    ? enrolment
    : await addLessonView(ctx, enrolment, course, lesson, viewKey);
  recentViews.remember(ctx, userId, course.id, recorded.lastActivityAt ?? ctx.clock.now(), [
    ...(recorded.viewedKeys ?? []),
    viewKey,
  ]);
}

async function addLessonView(
  ctx: AppContext,
  enrolment: Enrolment,
  course: CourseOutline,
  lesson: OutlineLesson,
  viewKey: string,
): Promise<Enrolment> {
  const now = ctx.clock.now();
  const updated = await enrolmentModel(ctx.db)
    .findOneAndUpdate(
      { _id: enrolment._id, viewedKeys: trusted({ $ne: viewKey }) },
      {
        $push: { lessonsViewed: { lessonId: oid(lesson.id), version: lesson.version, at: now } },
        $addToSet: { viewedKeys: viewKey },
        $set: { lastActivityAt: now },
      },
      { new: true },
    )
    .lean();
  // Null: a parallel request recorded this view first.
  if (!updated) return enrolment;
  if (updated.status === 'enrolled') await markStarted(ctx, updated._id);
  await completeIfDone(ctx, updated, course);
  return updated as Enrolment;
}

export interface QuizOutcome {
  userId: string | Types.ObjectId;
  courseId: string | Types.ObjectId;
  quizKey: string;
  passed: boolean;
}

/** Called by the quizzes module after every submitted attempt. */
export async function recordQuizOutcome(ctx: AppContext, outcome: QuizOutcome): Promise<void> {
  const now = ctx.clock.now();
  const update: Record<string, unknown> = {
    $set: { lastActivityAt: now },
    $setOnInsert: await onInsert(ctx, outcome.courseId, now),
  };
  update.$addToSet = {
    quizzesTaken: outcome.quizKey,
    ...(outcome.passed ? { quizzesPassed: outcome.quizKey } : {}),
  };
  const enrolment = await upsertEnrolment(
    ctx,
    { userId: oid(outcome.userId), courseId: oid(outcome.courseId) },
    update,
  );
  // Only a first step moves 'enrolled' to 'in_progress': no write for everyone already past it.
  if (enrolment.status === 'enrolled') await markStarted(ctx, enrolment._id);
  const course = await getCourseOutline(ctx, outcome.courseId);
  if (course) await completeIfDone(ctx, enrolment, course);
}

/**
 * Sets completedAt once (a conditional update: only the first caller wins), then issues the certificate
 * and queues the completion e-mail. Safe under any number of parallel calls.
 */
async function completeIfDone(ctx: AppContext, enrolment: Enrolment, course: CourseOutline) {
  if (enrolment.completedAt || !completionState(course, enrolment).complete) return;
  // Rules other modules add (attending live sessions) are asked only once ours are met.
  if ((await completionBlockers(ctx, String(enrolment.userId), course.id)).length) return;
  const now = ctx.clock.now();
  const won = await enrolmentModel(ctx.db)
    .findOneAndUpdate(
      { _id: enrolment._id, completedAt: trusted({ $exists: false }) },
      { $set: { completedAt: now, status: 'completed', lastActivityAt: now } },
      { new: true },
    )
    .lean();
  if (!won) return;
  const userId = String(enrolment.userId);
  await courseCompleted(ctx, userId, course.id);
  const user = await userById(ctx, userId);
  if (!user) return;
  const locale = user.locale ?? ctx.config.defaultLocale;
  await enqueueEmail(ctx, {
    to: user.email,
    template: 'learning/course-completed',
    locale,
    data: { name: user.name, course: course.title[locale], certificatesPath: '/certificates' },
    dedupeKey: `completed:${userId}:${course.id}`,
  });
}

/**
 * Completes the course if every rule is now met: for modules whose own records feed a completion rule
 * (attendance marked after the last lesson was read). No enrolment, nothing to complete.
 */
export async function recheckCompletion(
  ctx: AppContext,
  userId: string | Types.ObjectId,
  courseId: string | Types.ObjectId,
): Promise<void> {
  const enrolment = await enrolmentFor(ctx, String(userId), String(courseId));
  if (!enrolment || enrolment.completedAt) return;
  const course = await getCourseOutline(ctx, courseId);
  if (course) await completeIfDone(ctx, enrolment as Enrolment, course);
}

/**
 * Whether the user may start a new attempt at this quiz of the course now (the quizzes module asks
 * before it opens one). Unknown courses and lesson quizzes are open.
 */
export async function quizGateFor(
  ctx: AppContext,
  userId: string | Types.ObjectId,
  courseId: string | Types.ObjectId,
  quizKey: string,
): Promise<Gate> {
  const kind = quizKey === 'pre' || quizKey === 'post' ? quizKey : 'lesson';
  if (kind === 'lesson') return { open: true };
  const course = await getCourseOutline(ctx, courseId);
  if (!course) return { open: true };
  const enrolment = await enrolmentFor(ctx, String(userId), String(courseId));
  return quizGate(course, enrolment, kind);
}

/** Where the trainee goes next in a course (the first step not done), for "Continue" buttons. */
export async function nextStepFor(
  ctx: AppContext,
  userId: string | Types.ObjectId,
  courseId: string | Types.ObjectId,
): Promise<{ course: CourseOutline; next?: Step } | undefined> {
  const course = await getCourseOutline(ctx, courseId);
  if (!course) return undefined;
  const enrolment = await enrolmentFor(ctx, String(userId), String(courseId));
  const steps = stepsFor(course, enrolment, await quizSummaries(ctx, course.id));
  return { course, next: progressOf(steps).next };
}

export async function hasCompletedCourse(
  ctx: AppContext,
  userId: string | Types.ObjectId,
  courseSlug: string,
): Promise<boolean> {
  const course = await courseModel(ctx.db).findOne({ slug: courseSlug }, { _id: 1 }).lean();
  if (!course) return false;
  const done = await enrolmentModel(ctx.db)
    .findOne(
      { userId: oid(userId), courseId: course._id, completedAt: trusted({ $exists: true }) },
      { _id: 1 },
    )
    .lean();
  return !!done;
}

/** Cohorts a trainer runs. */
export async function trainerCohortIds(ctx: AppContext, trainerId: string | Types.ObjectId) {
  const rows = await cohortModel(ctx.db)
    .find({ trainerIds: oid(trainerId) }, { _id: 1 })
    .lean();
  return rows.map((r) => r._id);
}

export async function enrolmentsForCourse(ctx: AppContext, courseId: string | Types.ObjectId) {
  return enrolmentModel(ctx.db)
    .find({ courseId: oid(courseId) })
    .lean();
}

/** A course's enrolments in _id order, `limit` at a time after `cursor` (for exports and the API). */
export async function enrolmentsPage(
  ctx: AppContext,
  courseId: string | Types.ObjectId,
  limit: number,
  cursor?: Types.ObjectId,
) {
  return enrolmentModel(ctx.db)
    .find({ courseId: oid(courseId), ...(cursor ? { _id: trusted({ $gt: cursor }) } : {}) })
    .sort({ _id: 1 })
    .limit(Math.min(Math.max(limit, 1), 500))
    .lean();
}
