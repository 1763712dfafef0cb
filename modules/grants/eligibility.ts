import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Role } from '../../server/types';
import { hasCompletedCourse } from '../learning';
import type { Call } from './model';

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
  if (await hasCompletedCourse(ctx, user.id, courseSlug)) return { eligible: true, courseSlug };
  return { eligible: false, reason: 'grants.eligibility.notTrained', courseSlug };
}
