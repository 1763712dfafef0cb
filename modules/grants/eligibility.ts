import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Role } from '../../server/types';
import type { Call } from './model';

type HasCompleted = (ctx: AppContext, userId: string, courseSlug: string) => Promise<boolean>;
let learning: Promise<HasCompleted> | undefined;

/**
 * `hasCompletedCourse` from modules/learning. Until that module lands, read completed enrolments
 * directly (the shape the learning module documents: enrolments { userId, courseId, status, completedAt }).
 */
function completionCheck(): Promise<HasCompleted> {
  learning ??= (async () => {
    const spec = '../learning/index.ts';
    try {
      const mod = (await import(spec)) as { hasCompletedCourse?: HasCompleted };
      if (typeof mod.hasCompletedCourse === 'function') return mod.hasCompletedCourse;
    } catch {
      // not there yet
    }
    return async (ctx: AppContext, userId: string, courseSlug: string) => {
      const course = await ctx.db
        .collection('courses')
        .findOne({ slug: courseSlug }, { projection: { _id: 1 } });
      if (!course) return false;
      const { Types } = await import('mongoose');
      const done = await ctx.db
        .collection('enrolments')
        .findOne(
          { userId: new Types.ObjectId(userId), courseId: course._id as Types.ObjectId, status: 'completed' },
          { projection: { _id: 1 } },
        );
      return !!done;
    };
  })();
  return learning;
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
  const hasCompleted = await completionCheck();
  if (await hasCompleted(ctx, user.id, courseSlug)) return { eligible: true, courseSlug };
  return { eligible: false, reason: 'grants.eligibility.notTrained', courseSlug };
}
