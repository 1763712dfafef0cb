import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Role } from '../../server/types';
import { hasCompletedCourse } from '../learning';
import type { Call } from './model';
import { trusted } from '../../server/db/ids';

/**
 * The learning module's answer; if its query fails (e.g. a filter the connection's sanitizeFilter
 * rejects) read completed enrolments directly, the same shape it stores, rather than lock everyone out.
 */
async function completed(ctx: AppContext, userId: string, courseSlug: string): Promise<boolean> {
  try {
    return await hasCompletedCourse(ctx, userId, courseSlug);
  } catch (err) {
    ctx.log.warn({ err }, 'hasCompletedCourse failed; reading enrolments directly');
    const course = await ctx.db
      .collection('courses')
      .findOne({ slug: courseSlug }, { projection: { _id: 1 } });
    if (!course) return false;
    const { Types } = await import('mongoose');
    const done = await ctx.db
      .collection('enrolments')
      .findOne(
        { userId: new Types.ObjectId(userId), courseId: course._id, completedAt: trusted({ $exists: true }) },
        { projection: { _id: 1 } },
      );
    return !!done;
  }
}

export interface Eligibility {
  eligible: boolean;
  /** i18n key saying why not. */
  reason?: string;
  courseSlug?: string;
}

/** Journalists who finished the call's course (if it names one) may pitch. */
export async function eligibilityFor(
  ctx: AppContext,
  user: { id: string; role: Role },
  call: Pick<Call, 'eligibility'> & { _id?: Types.ObjectId },
): Promise<Eligibility> {
  if (user.role !== 'journalist') return { eligible: false, reason: 'grants.eligibility.journalistsOnly' };
  const courseSlug = call.eligibility?.courseSlug;
  if (!courseSlug) return { eligible: true };
  if (await completed(ctx, user.id, courseSlug)) return { eligible: true, courseSlug };
  return { eligible: false, reason: 'grants.eligibility.notTrained', courseSlug };
}
