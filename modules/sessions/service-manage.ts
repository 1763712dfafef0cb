import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid, trusted } from '../../server/db/ids';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import type { SessionUser } from '../../server/types';
import { recheckCompletion, type CourseOutline } from '../learning';
import { localToUtc } from '../grants';
import { mailSession } from './calendar';
import { liveSessionModel, sessionRulesModel, type LiveSession, type SessionRules } from './model';
import type { SessionInput } from './schemas';

export const DEFAULT_TIME_ZONE = 'Asia/Ulaanbaatar';
/** Check-in and attendance open this long before the start (people arrive early). */
export const CHECK_IN_EARLY_MS = 15 * 60_000;

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const newCheckInCode = () =>
  Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

export async function rulesFor(ctx: AppContext, courseId: string | Types.ObjectId) {
  const rules = await sessionRulesModel(ctx.db)
    .findOne({ courseId: oid(courseId) })
    .lean<SessionRules>();
  return { requiredSessions: rules?.requiredSessions ?? 0, timeZone: rules?.timeZone ?? DEFAULT_TIME_ZONE };
}

export async function setRules(
  ctx: AppContext,
  course: CourseOutline,
  input: { requiredSessions: number; timeZone: string },
) {
  if (!Intl.supportedValuesOf('timeZone').includes(input.timeZone) && input.timeZone !== 'UTC')
    throw new Invalid('errors.invalid', { timeZone: 'sessions.errors.timeZone' });
  await sessionRulesModel(ctx.db).updateOne(
    { courseId: oid(course.id) },
    { $set: { requiredSessions: input.requiredSessions, timeZone: input.timeZone } },
    { upsert: true },
  );
}

/** Why a typed start cannot be used (an i18n key), or undefined: not a date-time, or in the past. */
export function startProblem(ctx: AppContext, local: string, timeZone: string): string | undefined {
  let startsAt: Date;
  try {
    startsAt = localToUtc(local, timeZone);
  } catch {
    return 'sessions.errors.dateTime';
  }
  return startsAt.getTime() <= ctx.clock.now().getTime() ? 'sessions.errors.past' : undefined;
}

/** The instants a form describes, in the course's zone; a start in the past is refused. */
function timesOf(ctx: AppContext, input: SessionInput, timeZone: string) {
  const problem = startProblem(ctx, input.startsAt, timeZone);
  if (problem) throw new Invalid('errors.invalid', { startsAt: problem });
  const startsAt = localToUtc(input.startsAt, timeZone);
  return { startsAt, endsAt: new Date(startsAt.getTime() + input.durationMinutes * 60_000) };
}

function detailsOf(input: SessionInput) {
  if (!input.place && !input.link)
    throw new Invalid('errors.invalid', { place: 'sessions.errors.placeOrLink' });
  return {
    kind: input.kind,
    title: { en: input.titleEn, mn: input.titleMn },
    place: input.place || undefined,
    link: input.link || undefined,
  };
}

export async function createSession(
  ctx: AppContext,
  actor: SessionUser,
  course: CourseOutline,
  input: SessionInput,
): Promise<LiveSession> {
  const { timeZone } = await rulesFor(ctx, course.id);
  const details = detailsOf(input);
  const times = timesOf(ctx, input, timeZone);
  const created = await liveSessionModel(ctx.db).create({
    courseId: oid(course.id),
    ...details,
    ...times,
    timeZone,
    capacity: input.capacity,
    seatsLeft: input.capacity,
    checkInCode: newCheckInCode(),
    createdBy: oid(actor.id),
  });
  return created.toObject();
}

/**
 * Changes a session that has not started. Capacity moves seatsLeft by the difference in the same
 * conditional update, which fails (and says so) if more people signed up than the new capacity holds.
 * People signed up get the new time and place, with an updated calendar file.
 */
export async function updateSession(
  ctx: AppContext,
  session: LiveSession,
  course: CourseOutline,
  input: SessionInput,
): Promise<LiveSession> {
  const details = detailsOf(input);
  const times = timesOf(ctx, input, session.timeZone);
  const delta = input.capacity - session.capacity;
  const moved =
    times.startsAt.getTime() !== session.startsAt.getTime() ||
    times.endsAt.getTime() !== session.endsAt.getTime() ||
    details.place !== session.place ||
    details.link !== session.link;
  const updated = await liveSessionModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: session._id,
        status: 'scheduled',
        capacity: session.capacity,
        sequence: session.sequence,
        startsAt: trusted({ $gt: ctx.clock.now() }),
        ...(delta < 0 ? { seatsLeft: trusted({ $gte: -delta }) } : {}),
      },
      {
        $set: { ...details, ...times, capacity: input.capacity },
        $inc: { seatsLeft: delta, sequence: moved ? 1 : 0 },
        // A new time needs a new reminder.
        ...(moved ? { $unset: { remindedAt: '', reminderLockedUntil: '' } } : {}),
      },
      { new: true },
    )
    .lean<LiveSession>();
  if (!updated) {
    const now = await liveSessionModel(ctx.db).findById(session._id).lean<LiveSession>();
    if (!now) throw new NotFound();
    if (now.status !== 'scheduled' || now.startsAt <= ctx.clock.now())
      throw new Conflict('sessions.errors.started');
    if (now.capacity === session.capacity && now.sequence === session.sequence)
      throw new Invalid('errors.invalid', { capacity: 'sessions.errors.belowSignUps' });
    throw new Conflict('errors.staleEdit');
  }
  if (moved)
    await mailSession(ctx, 'changed', updated, course, updated.registeredIds, `seq${updated.sequence}`);
  return updated;
}

/** Cancels a session before it starts; everyone signed up is told, with a cancelling calendar file. */
export async function cancelSession(ctx: AppContext, session: LiveSession, course: CourseOutline) {
  const cancelled = await liveSessionModel(ctx.db)
    .findOneAndUpdate(
      { _id: session._id, status: 'scheduled', startsAt: trusted({ $gt: ctx.clock.now() }) },
      { $set: { status: 'cancelled' }, $inc: { sequence: 1 } },
      { new: true },
    )
    .lean<LiveSession>();
  if (!cancelled) throw new Conflict('sessions.errors.started');
  await mailSession(ctx, 'cancelled', cancelled, course, cancelled.registeredIds, 'cancel');
  return cancelled;
}

export const attendanceOpen = (ctx: AppContext, s: Pick<LiveSession, 'startsAt' | 'status'>) =>
  s.status === 'scheduled' && ctx.clock.now().getTime() >= s.startsAt.getTime() - CHECK_IN_EARLY_MS;

/**
 * Applies the roster's changes only: ticked now and not before → present; ticked before and not now
 * → absent. Someone who checked in with the code after the page was shown keeps their mark.
 */
export async function markAttendance(
  ctx: AppContext,
  session: LiveSession,
  input: { present: string[]; was: string[] },
): Promise<{ added: number; removed: number }> {
  if (!attendanceOpen(ctx, session)) throw new Conflict('sessions.errors.notStarted');
  const registered = new Set(session.registeredIds.map(String));
  const present = new Set(input.present.filter((id) => registered.has(id)));
  const was = new Set(input.was.filter((id) => registered.has(id)));
  const add = [...present].filter((id) => !was.has(id));
  const remove = [...was].filter((id) => !present.has(id));
  const Sessions = liveSessionModel(ctx.db);
  let added = 0;
  for (const id of add) {
    const r = await Sessions.updateOne(
      { _id: session._id, registeredIds: oid(id), attendedIds: trusted({ $ne: oid(id) }) },
      {
        $push: { attendedIds: oid(id), attendance: { userId: oid(id), at: ctx.clock.now(), by: 'trainer' } },
      },
    );
    added += r.modifiedCount;
  }
  let removed = 0;
  for (const id of remove) {
    const r = await Sessions.updateOne(
      { _id: session._id, attendedIds: oid(id) },
      { $pull: { attendedIds: oid(id), attendance: { userId: oid(id) } } },
    );
    removed += r.modifiedCount;
  }
  for (const id of add) await recheckCompletion(ctx, id, session.courseId);
  return { added, removed };
}

export async function sessionsOfCourse(ctx: AppContext, courseId: string) {
  return liveSessionModel(ctx.db)
    .find({ courseId: oid(courseId) })
    .sort({ startsAt: -1 })
    .limit(200)
    .lean<LiveSession[]>();
}
