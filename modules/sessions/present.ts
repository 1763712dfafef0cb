import type { Types } from 'mongoose';
import type { Locale } from '../../server/types';
import { formatInZone } from '../grants';
import type { LiveSession } from './model';
import { checkInOpen } from './service-attend';

/**
 * What a page may show of a session. The meeting link goes only to people signed up (and staff), the
 * check-in code only to staff; other people's names never reach a trainee's page.
 */
export function presentSession(
  s: LiveSession,
  lang: Locale,
  now: Date,
  viewer: { id?: string | Types.ObjectId; staff?: boolean } = {},
) {
  const registered = !!viewer.id && s.registeredIds.some((id) => String(id) === String(viewer.id));
  const attended = !!viewer.id && s.attendedIds.some((id) => String(id) === String(viewer.id));
  const started = s.startsAt.getTime() <= now.getTime();
  return {
    id: String(s._id),
    kind: s.kind,
    title: s.title[lang] || s.title.en,
    when: formatInZone(s.startsAt, s.timeZone, lang),
    startsAtIso: s.startsAt.toISOString(),
    minutes: Math.round((s.endsAt.getTime() - s.startsAt.getTime()) / 60_000),
    place: s.place,
    link: registered || viewer.staff ? s.link : undefined,
    hasLink: !!s.link,
    capacity: s.capacity,
    seatsLeft: s.seatsLeft,
    signedUp: s.capacity - s.seatsLeft,
    full: s.seatsLeft <= 0,
    cancelled: s.status === 'cancelled',
    started,
    ended: s.endsAt.getTime() <= now.getTime(),
    registered,
    attended,
    checkInOpen: checkInOpen(now, s),
    attendedCount: s.attendedIds.length,
    code: viewer.staff ? s.checkInCode : undefined,
  };
}
export type PresentedSession = ReturnType<typeof presentSession>;
