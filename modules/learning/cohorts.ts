import { Types } from 'mongoose';
import { oid, trusted } from '../../server/db/ids';
import type { AppContext } from '../../server/context';
import { Conflict, NotFound } from '../../server/http/errors';
import type { SessionUser } from '../../server/types';
import { activeJournalistsByEmail, usersByIds } from '../accounts';
import { recordAudit } from '../audit';
import { cohortModel, courseModel, enrolmentModel } from './model';
import { getCourseOutline, invalidateCourse } from './outline';
import { completionState, stepsFor, progressOf } from './progress';

/** Trainers see cohorts they run; admins see all. Anyone else's cohort is a 404. */
const scope = (actor: SessionUser) =>
  actor.role === 'admin' ? {} : { trainerIds: new Types.ObjectId(actor.id) };

export async function listCohorts(ctx: AppContext, actor: SessionUser) {
  const cohorts = await cohortModel(ctx.db).find(scope(actor)).sort({ createdAt: -1 }).lean();
  const courses = await courseModel(ctx.db)
    .find({ _id: trusted({ $in: cohorts.map((c) => c.courseId) }) }, { title: 1, slug: 1 })
    .lean();
  const byId = new Map(courses.map((c) => [String(c._id), c]));
  return cohorts.map((c) => ({ ...c, course: byId.get(String(c.courseId)) }));
}

export async function createCohort(
  ctx: AppContext,
  actor: SessionUser,
  input: { name: string; courseId: string; region?: string },
) {
  const course = await courseModel(ctx.db).findById(input.courseId, { _id: 1 }).lean();
  if (!course) throw new NotFound();
  const cohort = await cohortModel(ctx.db).create({
    name: input.name,
    courseId: course._id,
    region: input.region || undefined,
    trainerIds: [new Types.ObjectId(actor.id)],
  });
  await recordAudit(ctx, actor, 'cohort.created', { type: 'cohort', id: String(cohort._id) });
  return cohort;
}

export async function cohortFor(ctx: AppContext, actor: SessionUser, cohortId: string) {
  if (!Types.ObjectId.isValid(cohortId)) throw new NotFound();
  const cohort = await cohortModel(ctx.db)
    .findOne({ _id: new Types.ObjectId(cohortId), ...scope(actor) })
    .lean();
  if (!cohort) throw new NotFound();
  return cohort;
}

/** Members with their progress; reading trainee data is logged. */
export async function cohortMembers(ctx: AppContext, actor: SessionUser, cohortId: string) {
  const cohort = await cohortFor(ctx, actor, cohortId);
  const course = await getCourseOutline(ctx, cohort.courseId);
  const enrolments = await enrolmentModel(ctx.db).find({ cohortId: cohort._id }).lean();
  const users = await usersByIds(
    ctx,
    enrolments.map((e) => e.userId),
  );
  const byId = new Map(users.map((u) => [String(u._id), u]));
  await recordAudit(ctx, actor, 'cohort.viewed', { type: 'cohort', id: String(cohort._id) });
  const members = enrolments.map((e) => {
    const progress = course ? progressOf(stepsFor(course, e, [])) : { done: 0, total: 0, percent: 0 };
    return {
      user: byId.get(String(e.userId)),
      status: e.status,
      lastActivityAt: e.lastActivityAt,
      completedAt: e.completedAt,
      done: progress.done,
      total: progress.total,
      percent: progress.percent,
      missing: course ? completionState(course, e).missing.length : 0,
    };
  });
  members.sort((a, b) => (a.user?.name ?? '').localeCompare(b.user?.name ?? ''));
  return { cohort, course, members };
}

/**
 * Trainees enrolled in a course of the actor's (a trainer: the courses of their cohorts; an admin:
 * all) who are in no cohort — self-registrations when the course has no default cohort — with the
 * actor's cohorts each can be added to. Listing them is logged like any view of trainee data.
 */
export async function unassignedTrainees(ctx: AppContext, actor: SessionUser, limit = 200) {
  const mine = await cohortModel(ctx.db).find(scope(actor)).sort({ name: 1 }).lean();
  const courseIds = [...new Set(mine.map((c) => String(c.courseId)))].map((id) => new Types.ObjectId(id));
  if (!courseIds.length) return { rows: [], cohortsByCourse: new Map<string, typeof mine>() };
  const enrolments = await enrolmentModel(ctx.db)
    .find({ courseId: trusted({ $in: courseIds }), cohortId: trusted({ $exists: false }) })
    .sort({ enrolledAt: -1, _id: -1 })
    .limit(limit)
    .lean();
  const [users, courses] = await Promise.all([
    usersByIds(
      ctx,
      enrolments.map((e) => e.userId),
    ),
    courseModel(ctx.db)
      .find({ _id: trusted({ $in: courseIds }) }, { title: 1, slug: 1 })
      .lean(),
  ]);
  const userById = new Map(users.map((u) => [String(u._id), u]));
  const courseById = new Map(courses.map((c) => [String(c._id), c]));
  const cohortsByCourse = new Map<string, typeof mine>();
  for (const c of mine)
    cohortsByCourse.set(String(c.courseId), [...(cohortsByCourse.get(String(c.courseId)) ?? []), c]);
  const rows = enrolments.map((e) => ({
    enrolmentId: String(e._id),
    user: userById.get(String(e.userId)),
    course: courseById.get(String(e.courseId)),
    courseId: String(e.courseId),
    status: e.status,
    enrolledAt: e.enrolledAt,
    lastActivityAt: e.lastActivityAt,
  }));
  if (rows.length)
    await recordAudit(
      ctx,
      actor,
      'enrolments.unassigned.viewed',
      { type: 'course', id: courseIds.map(String).join(',') },
      {
        count: rows.length,
      },
    );
  return { rows, cohortsByCourse };
}

/** Adds an unassigned trainee to one of the actor's cohorts of the same course; once only. */
export async function claimTrainee(
  ctx: AppContext,
  actor: SessionUser,
  enrolmentId: string,
  cohortId: string,
) {
  const cohort = await cohortFor(ctx, actor, cohortId);
  const claimed = await enrolmentModel(ctx.db).updateOne(
    { _id: oid(enrolmentId), courseId: cohort.courseId, cohortId: trusted({ $exists: false }) },
    { $set: { cohortId: cohort._id } },
  );
  // Someone else's course, no such enrolment, or already in a cohort (a second trainer was quicker).
  if (claimed.matchedCount === 0) throw new Conflict('learning.cohorts.notUnassigned');
  await recordAudit(
    ctx,
    actor,
    'cohort.claimed',
    { type: 'cohort', id: String(cohort._id) },
    { enrolmentId },
  );
  return cohort;
}

/**
 * Makes a cohort its course's default (self-registered trainees join it from now on), or stops it
 * being the default. Trainers may do this for cohorts they run; it is audited.
 */
export async function setDefaultCohort(ctx: AppContext, actor: SessionUser, cohortId: string, on: boolean) {
  const cohort = await cohortFor(ctx, actor, cohortId);
  await courseModel(ctx.db).updateOne(
    on ? { _id: cohort.courseId } : { _id: cohort.courseId, defaultCohortId: cohort._id },
    on ? { $set: { defaultCohortId: cohort._id } } : { $unset: { defaultCohortId: 1 } },
  );
  await invalidateCourse(ctx, cohort.courseId);
  await recordAudit(ctx, actor, on ? 'cohort.default.set' : 'cohort.default.cleared', {
    type: 'cohort',
    id: String(cohort._id),
  });
}

/**
 * Enrols one account in a course (into a cohort when given, moving it there if already enrolled).
 * True when this created the enrolment. Two requests at once: the unique (user, course) index lets one
 * insert; the other, refused, only sets the cohort.
 */
async function enrolInCohort(
  ctx: AppContext,
  userId: Types.ObjectId,
  courseId: Types.ObjectId,
  cohortId: Types.ObjectId | undefined,
  now: Date,
): Promise<boolean> {
  const filter = { userId, courseId };
  const set = cohortId ? { $set: { cohortId } } : {};
  try {
    const result = await enrolmentModel(ctx.db).updateOne(
      filter,
      { ...set, $setOnInsert: { status: 'enrolled', enrolledAt: now, lastActivityAt: now } },
      { upsert: true },
    );
    return result.upsertedCount > 0;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    if (cohortId) await enrolmentModel(ctx.db).updateOne(filter, set);
    return false;
  }
}

/** Enrols existing journalist accounts by e-mail; returns the addresses that matched no one. */
export async function enrolByEmail(ctx: AppContext, actor: SessionUser, cohortId: string, emails: string[]) {
  const cohort = await cohortFor(ctx, actor, cohortId);
  const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const users = await activeJournalistsByEmail(ctx, wanted);
  const found = new Set(users.map((u) => u.email));
  const now = ctx.clock.now();
  for (const user of users) await enrolInCohort(ctx, user._id, cohort.courseId, cohort._id, now);
  await recordAudit(
    ctx,
    actor,
    'cohort.enrolled',
    { type: 'cohort', id: String(cohort._id) },
    {
      count: users.length,
    },
  );
  return { enrolled: users.length, unknown: wanted.filter((e) => !found.has(e)) };
}

/**
 * Enrols one active journalist account (found by id or e-mail) in a course, and into one of the
 * course's cohorts when given — what a programme's own system asks through the API. Enrolling twice
 * is one enrolment (a later request with a cohort moves it there). The integration is the actor.
 */
export async function enrolJournalist(
  ctx: AppContext,
  actor: { id: string; role: string; name: string },
  who: { userId?: string; email?: string },
  courseId: string,
  cohortId?: string,
) {
  const cohort = cohortId
    ? await cohortModel(ctx.db)
        .findOne({ _id: oid(cohortId), courseId: oid(courseId) })
        .lean()
    : undefined;
  if (cohortId && !cohort) throw new NotFound('learning.cohorts.notInCourse');
  const user = who.email
    ? (await activeJournalistsByEmail(ctx, [who.email.trim().toLowerCase()]))[0]
    : (await usersByIds(ctx, [who.userId!])).find((u) => u.role === 'journalist' && u.status === 'active');
  if (!user) throw new NotFound('learning.cohorts.noSuchJournalist');
  const created = await enrolInCohort(ctx, user._id, oid(courseId), cohort?._id, ctx.clock.now());
  const enrolment = (await enrolmentModel(ctx.db)
    .findOne({ userId: user._id, courseId: oid(courseId) })
    .lean())!;
  await recordAudit(
    ctx,
    actor,
    created ? 'enrolment.created' : 'enrolment.updated',
    { type: 'enrolment', id: String(enrolment._id) },
    { by: actor.name, cohortId: cohortId ?? null },
  );
  return { enrolment, userId: String(user._id), created };
}
