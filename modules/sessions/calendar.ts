import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { usersByIds } from '../accounts';
import { enqueueEmail } from '../notifications';
import type { CourseOutline } from '../learning';
import { formatInZone } from '../grants';
import { buildCalendar } from './ics';
import type { LiveSession } from './model';

type Sessionish = Pick<
  LiveSession,
  '_id' | 'title' | 'startsAt' | 'endsAt' | 'place' | 'link' | 'sequence' | 'status' | 'timeZone' | 'kind'
>;

const host = (baseUrl: string) => new URL(baseUrl).host;
export const sessionPath = (s: Pick<LiveSession, '_id'>) => `/sessions/${String(s._id)}`;

/**
 * The session's calendar file in the reader's language. DTSTAMP is when the file was made. The meeting
 * link is left out for people not signed up (the file then points at the session's page).
 */
export function sessionCalendar(
  ctx: AppContext,
  s: Sessionish,
  course: CourseOutline,
  locale: Locale,
  { withLink = true }: { withLink?: boolean } = {},
): string {
  const page = `${ctx.config.baseUrl}${sessionPath(s)}`;
  const link = withLink ? s.link : undefined;
  return buildCalendar({
    uid: `session-${String(s._id)}@${host(ctx.config.baseUrl)}`,
    stamp: ctx.clock.now(),
    start: s.startsAt,
    end: s.endsAt,
    summary: s.title[locale] || s.title.en || s.title.mn,
    description: `${course.title[locale]}\n${page}`,
    location: s.place || link || undefined,
    url: link || page,
    sequence: s.sequence,
    cancelled: s.status === 'cancelled',
  });
}

export const calendarFileName = (s: Pick<LiveSession, '_id'>) => `session-${String(s._id)}.ics`;

export type SessionMail = 'confirmed' | 'reminder' | 'changed' | 'cancelled';

/**
 * Queues one e-mail per person (in their language, with the calendar file). `key` makes each
 * message once-only: the same key for the same person never queues a second one.
 */
export async function mailSession(
  ctx: AppContext,
  kind: SessionMail,
  s: Sessionish,
  course: CourseOutline,
  userIds: Array<string | LiveSession['_id']>,
  key: string,
): Promise<number> {
  let queued = 0;
  for (const user of await usersByIds(ctx, userIds)) {
    if (user.status !== 'active') continue;
    const locale: Locale = user.locale ?? ctx.config.defaultLocale;
    const queuedNow = await enqueueEmail(ctx, {
      to: user.email,
      template: `sessions/${kind}`,
      locale,
      data: {
        name: user.name,
        title: s.title[locale] || s.title.en,
        course: course.title[locale],
        when: formatInZone(s.startsAt, s.timeZone, locale),
        minutes: Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 60_000),
        place: s.place ?? '',
        link: s.link ?? '',
        path: sessionPath(s),
      },
      dedupeKey: `session:${kind}:${String(s._id)}:${key}:${String(user._id)}`,
      attachments: [
        {
          filename: calendarFileName(s),
          contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
          content: sessionCalendar(ctx, s, course, locale),
        },
      ],
    });
    if (queuedNow) queued++;
  }
  return queued;
}
