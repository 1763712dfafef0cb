import { timingSafeEqual } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid, trusted } from '../../server/db/ids';
import { Conflict, Forbidden, Invalid } from '../../server/http/errors';
import type { SessionUser } from '../../server/types';
import { recheckCompletion, type CourseOutline } from '../learning';
import { mailSession } from './calendar';
import { liveSessionModel, type LiveSession } from './model';
import { CHECK_IN_EARLY_MS, rulesFor } from './service-manage';

type Id = string | Types.ObjectId;

/** Sessions of a course a trainee can still go to (not ended), soonest first. */
export async function upcomingSessions(ctx: AppContext, courseId: Id): Promise<LiveSession[]> {
  return liveSessionModel(ctx.db)
    .find({ courseId: oid(courseId), endsAt: trusted({ $gt: ctx.clock.now() }) })
    .sort({ startsAt: 1 })
    .limit(50)
    .lean<LiveSession[]>();
}

/**
 * Takes a seat: one conditional update that succeeds only while the session is scheduled, has not
 * started, has a seat left and does not list this person yet. Under any number of parallel requests
 * exactly `capacity` people get in. A repeated sign-up is a no-op (false), never a second seat.
 */
export async function signUp(
  ctx: AppContext,
  user: SessionUser,
  session: LiveSession,
  course: CourseOutline,
): Promise<boolean> {
  if (user.role !== 'journalist') throw new Forbidden();
  const uid = oid(user.id);
  const now = ctx.clock.now();
  const taken = await liveSessionModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: session._id,
        status: 'scheduled',
        startsAt: trusted({ $gt: now }),
        seatsLeft: trusted({ $gt: 0 }),
        registeredIds: trusted({ $ne: uid }),
      },
      { $inc: { seatsLeft: -1 }, $push: { registeredIds: uid, registrations: { userId: uid, at: now } } },
      { new: true },
    )
    .lean<LiveSession>();
  if (!taken) {
    const current = await liveSessionModel(ctx.db).findById(session._id).lean<LiveSession>();
    if (current?.registeredIds.some((id) => id.equals(uid))) return false;
    if (!current || current.status !== 'scheduled') throw new Conflict('sessions.errors.cancelled');
    if (current.startsAt <= now) throw new Conflict('sessions.errors.started');
    throw new Conflict('sessions.errors.full');
  }
  await mailSession(ctx, 'confirmed', taken, course, [uid], String(now.getTime()));
  return true;
}

/** Gives the seat back before the start; not signed up → nothing to do. */
export async function cancelSignUp(ctx: AppContext, user: SessionUser, session: LiveSession): Promise<void> {
  const uid = oid(user.id);
  const now = ctx.clock.now();
  const done = await liveSessionModel(ctx.db).updateOne(
    { _id: session._id, registeredIds: uid, startsAt: trusted({ $gt: now }) },
    { $inc: { seatsLeft: 1 }, $pull: { registeredIds: uid, registrations: { userId: uid } } },
  );
  if (done.modifiedCount === 1) return;
  const current = await liveSessionModel(ctx.db).findById(session._id).lean<LiveSession>();
  if (current?.registeredIds.some((id) => id.equals(uid))) throw new Conflict('sessions.errors.started');
}

export const checkInOpen = (now: Date, s: Pick<LiveSession, 'startsAt' | 'endsAt' | 'status'>) =>
  s.status === 'scheduled' &&
  now.getTime() >= s.startsAt.getTime() - CHECK_IN_EARLY_MS &&
  now.getTime() <= s.endsAt.getTime();

const sameCode = (a: string, b: string) => {
  const x = Buffer.from(a.toUpperCase().replace(/[\s-]/g, ''));
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * An attendee checks in with the code the trainer shows in the room or on screen: only while the
 * session runs (from a little before the start to the end), only someone signed up, once.
 */
export async function checkIn(ctx: AppContext, user: SessionUser, session: LiveSession, code: string) {
  const uid = oid(user.id);
  const now = ctx.clock.now();
  if (!checkInOpen(now, session)) throw new Invalid('errors.invalid', { code: 'sessions.errors.closed' });
  if (!session.registeredIds.some((id) => id.equals(uid)))
    throw new Invalid('errors.invalid', { code: 'sessions.errors.notRegistered' });
  if (!sameCode(code, session.checkInCode))
    throw new Invalid('errors.invalid', { code: 'sessions.errors.wrongCode' });
  await liveSessionModel(ctx.db).updateOne(
    { _id: session._id, registeredIds: uid, attendedIds: trusted({ $ne: uid }) },
    { $push: { attendedIds: uid, attendance: { userId: uid, at: now, by: 'code' } } },
  );
  await recheckCompletion(ctx, uid, session.courseId);
}

export async function attendedCount(ctx: AppContext, userId: Id, courseId: Id): Promise<number> {
  return liveSessionModel(ctx.db).countDocuments({
    courseId: oid(courseId),
    status: 'scheduled',
    attendedIds: oid(userId),
  });
}

/** The learning module asks this before completing a course: sessions still to attend, if any. */
export async function attendanceBlockers(
  ctx: AppContext,
  userId: string,
  courseId: string,
): Promise<string[]> {
  const { requiredSessions } = await rulesFor(ctx, courseId);
  if (requiredSessions === 0) return [];
  const attended = await attendedCount(ctx, userId, courseId);
  return attended >= requiredSessions ? [] : [`sessions:attend:${requiredSessions - attended}`];
}
