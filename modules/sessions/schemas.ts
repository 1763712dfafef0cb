import { z } from 'zod';
import { listField, objectId, text } from '../../server/http/validate';
import { SESSION_KINDS } from './model';

export { idParams } from '../../server/http/validate';

const required = (max: number) => text(max).min(1, 'sessions.errors.required');
const wholeNumber = (min: number, max: number, key: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,4}$/, key)
    .transform(Number)
    .refine((n) => n >= min && n <= max, key);

/** Only web links: no javascript:, data: or other schemes reach a page or a calendar. */
const webLink = z
  .string()
  .trim()
  .max(500, 'sessions.errors.link')
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !/\s/.test(v);
    } catch {
      return false;
    }
  }, 'sessions.errors.link');

export const sessionForm = z.strictObject({
  kind: z.enum(SESSION_KINDS, { message: 'sessions.errors.kind' }),
  titleEn: required(200),
  titleMn: required(200),
  startsAt: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'sessions.errors.dateTime'),
  durationMinutes: wholeNumber(15, 600, 'sessions.errors.duration'),
  place: text(300).optional().default(''),
  link: webLink.optional().default(''),
  capacity: wholeNumber(1, 1000, 'sessions.errors.capacity'),
});
export type SessionInput = z.infer<typeof sessionForm>;

export const rulesForm = z.strictObject({
  requiredSessions: wholeNumber(0, 50, 'sessions.errors.required-sessions'),
  timeZone: text(64).min(1, 'sessions.errors.timeZone'),
});

/** The roster: who is ticked now, and who was ticked when the page was shown (so only changes apply). */
export const attendanceForm = z.strictObject({
  present: listField(objectId, 1000),
  was: listField(objectId, 1000),
});

export const checkInForm = z.strictObject({
  code: z.string().trim().max(20, 'sessions.errors.wrongCode'),
});

export const emptyForm = z.strictObject({});

export const courseParams = z.strictObject({
  courseSlug: z
    .string()
    .max(80)
    .regex(/^[a-z0-9-]+$/),
});
