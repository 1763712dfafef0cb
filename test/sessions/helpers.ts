import { Types } from 'mongoose';
import ICAL from 'ical.js';
import type { AppContext } from '../../server/context';
import { buildCourse, buildUser, signIn } from '../factories';
import { cohortModel } from '../../modules/learning/model';
import { liveSessionModel, type LiveSession } from '../../modules/sessions/model';
import { newCheckInCode } from '../../modules/sessions/service-manage';

/** A published course and a trainer who runs a cohort of it (so the course is theirs). */
export async function courseWithTrainer(ctx: AppContext, options: Parameters<typeof buildCourse>[1] = {}) {
  const built = await buildCourse(ctx, options);
  const trainer = await buildUser(ctx, { role: 'trainer', name: 'Tsetseg Trainer' });
  await cohortModel(ctx.db).create({
    name: 'Media Camp cohort',
    courseId: built.course._id,
    trainerIds: [trainer._id],
  });
  return { ...built, trainer };
}

/** A session straight in the model; by default it starts in two days, for 90 minutes, 10 seats. */
export async function buildSession(
  ctx: AppContext,
  courseId: Types.ObjectId,
  fields: Partial<LiveSession> = {},
): Promise<LiveSession> {
  const startsAt = fields.startsAt ?? new Date(ctx.clock.now().getTime() + 2 * 24 * 3600_000);
  const capacity = fields.capacity ?? 10;
  const doc = await liveSessionModel(ctx.db).create({
    courseId,
    kind: 'webinar',
    title: { en: 'Media Camp I', mn: 'Медиа кэмп I' },
    startsAt,
    endsAt: new Date(startsAt.getTime() + 90 * 60_000),
    timeZone: 'Asia/Ulaanbaatar',
    link: 'https://meet.example.org/media-camp',
    capacity,
    seatsLeft: capacity,
    checkInCode: newCheckInCode(),
    ...fields,
  });
  return doc.toObject();
}

export const reload = async (ctx: AppContext, id: Types.ObjectId) =>
  (await liveSessionModel(ctx.db).findById(id).lean<LiveSession>())!;

/**
 * Checks a calendar file strictly (CRLF only, lines ≤ 75 octets, continuation lines start with a
 * space) and parses it with ical.js; returns the one event's properties.
 */
export function parseCalendar(text: string) {
  if (!text.endsWith('\r\n')) throw new Error('a calendar file ends with CRLF');
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) {
    if (/[\r\n]/.test(line)) throw new Error(`bare line break in ${JSON.stringify(line)}`);
    if (Buffer.byteLength(line, 'utf8') > 75) throw new Error(`line over 75 octets: ${line}`);
  }
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const component = new ICAL.Component(ICAL.parse(text));
  const vevents = component.getAllSubcomponents('vevent');
  if (vevents.length !== 1) throw new Error(`expected one VEVENT, found ${vevents.length}`);
  const event = vevents[0]!;
  const value = (name: string) => event.getFirstPropertyValue(name);
  const time = (name: string) => {
    const v = value(name) as ICAL.Time | null;
    return v ? { iso: v.toJSDate().toISOString(), utc: v.zone?.tzid === 'UTC' } : undefined;
  };
  return {
    lines,
    unfolded,
    version: component.getFirstPropertyValue('version'),
    prodid: component.getFirstPropertyValue('prodid'),
    uid: value('uid') as string,
    dtstamp: time('dtstamp'),
    start: time('dtstart'),
    end: time('dtend'),
    summary: value('summary') as string,
    description: value('description') as string | null,
    location: value('location') as string | null,
    url: value('url') as string | null,
    status: value('status') as string | null,
    sequence: value('sequence') as number | null,
  };
}

/**
 * Signs in with the clock at the real time (the second factor's code is made from it), then puts the
 * clock back where the test had it.
 */
export async function signInNow(
  app: Parameters<typeof signIn>[0],
  clock: { now(): Date; set(d: Date): void },
  user: Parameters<typeof signIn>[1],
) {
  const kept = clock.now();
  clock.set(new Date());
  try {
    return await signIn(app, user);
  } finally {
    clock.set(kept);
  }
}
