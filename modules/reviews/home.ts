import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
import type { HomeTask } from '../accounts';
import { DECIDED_STATUSES, listCalls, pitchesByIds, pitchesForCall } from './grants-port';
import { assignmentModel, ACTIVE_ASSIGNMENT } from './model';
import { callTitle } from './present';
import { myAssignments } from './assign';

const $in = (values: unknown[]) => mongoose.trusted({ $in: values });

/**
 * What needs doing in the review workflow. Admins, per call whose decisions are not out: pitches that
 * still need reviewers, overdue reviews, decisions ready to release. Reviewers: pitches to review.
 */
export async function reviewTasks(ctx: AppContext, user: SessionUser, lang: Locale): Promise<HomeTask[]> {
  if (user.role === 'reviewer') {
    const mine = await myAssignments(ctx, user.id);
    const open = mine.filter((a) => a.status === 'offered' || a.status === 'accepted');
    const live = new Set(
      (
        await pitchesByIds(
          ctx,
          open.map((a) => a.pitchId),
        )
      )
        // Withdrawn, or already decided (released or not): nothing left for this reviewer to do.
        .filter((p) => p.status !== 'withdrawn' && !DECIDED_STATUSES.includes(p.status))
        .map((p) => String(p._id)),
    );
    const count = open.filter((a) => live.has(String(a.pitchId))).length;
    return count ? [{ key: 'reviews.home.toReview', params: { count }, href: '/reviews' }] : [];
  }
  if (user.role !== 'admin') return [];
  const now = ctx.clock.now();
  const calls = (await listCalls(ctx, { status: ['open', 'closed'] })).filter((c) => !c.decisionsReleasedAt);
  const tasks: HomeTask[] = [];
  for (const call of calls) {
    const id = String(call._id);
    const title = callTitle(call, lang);
    const waiting = await pitchesForCall(ctx, call._id, ['submitted', 'under_review', 'shortlisted']);
    const active = await assignmentModel(ctx.db)
      .find({ callId: call._id, status: $in(ACTIVE_ASSIGNMENT) }, { pitchId: 1, status: 1, dueAt: 1 })
      .lean();
    const perPitch = new Map<string, number>();
    for (const a of active) perPitch.set(String(a.pitchId), (perPitch.get(String(a.pitchId)) ?? 0) + 1);
    const short = waiting.filter((p) => (perPitch.get(String(p._id)) ?? 0) < (call.reviewersPerPitch || 1));
    if (short.length)
      tasks.push({
        key: 'reviews.home.needReviewers',
        params: { count: short.length, call: title },
        href: `/admin/calls/${id}/assignments`,
      });
    const overdue = active.filter((a) => a.status !== 'submitted' && a.dueAt && a.dueAt < now).length;
    if (overdue)
      tasks.push({
        key: 'reviews.home.overdue',
        params: { count: overdue, call: title },
        href: `/admin/calls/${id}/assignments`,
      });
    const decided = await pitchesForCall(ctx, call._id, [...DECIDED_STATUSES]);
    if (decided.length)
      tasks.push({
        key: 'reviews.home.release',
        params: { count: decided.length, call: title },
        href: `/admin/calls/${id}/release`,
      });
  }
  return tasks;
}
