import type { AppContext } from '../../server/context';
import { formatInZone, localToUtc, utcToLocalInput } from '../grants';
import { getOutlineBySlug } from '../learning';
import { liveSessionModel } from './model';
import { DEFAULT_TIME_ZONE, newCheckInCode } from './service-manage';

const DEMO_COURSE = 'tip-reporting';

/**
 * Seed step: on a fresh install (no sessions at all), one online "Media Camp" in the demo course a week
 * from now at 15:00 Ulaanbaatar time, as the campaign ran its own, so trainees see sign-up at once.
 */
export async function seedDemoSession(ctx: AppContext): Promise<string | undefined> {
  const sessions = liveSessionModel(ctx.db);
  if ((await sessions.estimatedDocumentCount()) > 0) return undefined;
  const course = await getOutlineBySlug(ctx, DEMO_COURSE);
  if (!course || course.status !== 'published') return undefined;
  const now = ctx.clock.now();
  const day = utcToLocalInput(new Date(now.getTime() + 7 * 86_400_000), DEFAULT_TIME_ZONE).slice(0, 10);
  const startsAt = localToUtc(`${day}T15:00`, DEFAULT_TIME_ZONE);
  await sessions.create({
    courseId: course.id,
    kind: 'webinar',
    title: {
      en: 'Media Camp (demo): campaign findings and your story ideas',
      mn: 'Медиа кэмп (туршилтын): аяны судалгааны үр дүн ба таны нийтлэлийн санаа',
    },
    startsAt,
    endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
    timeZone: DEFAULT_TIME_ZONE,
    place: 'Online (demo)',
    capacity: 30,
    seatsLeft: 30,
    checkInCode: newCheckInCode(),
  });
  return `Demo live session on ${formatInZone(startsAt, DEFAULT_TIME_ZONE, 'en')} in /learn/${DEMO_COURSE}`;
}
