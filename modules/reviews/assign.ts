import mongoose, { type Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid } from '../../server/db/ids';
import type { SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import {
  getCall,
  getPitch,
  localToUtc,
  pitchesFinal,
  pitchesForCall,
  transitionPitch,
  type CallDoc,
  type PitchDoc,
} from './grants-port';
import { assignmentModel, reviewModel, ACTIVE_ASSIGNMENT, type Assignment } from './model';
import { activeReviewers, sameOutlet, usersById } from './users';

const $in = (values: unknown[]) => mongoose.trusted({ $in: values });
const REVIEWABLE: PitchDoc['status'][] = ['submitted', 'under_review', 'shortlisted'];

/**
 * A pitch goes under review when it is assigned only once it is final: at once on a rolling call, at
 * the deadline on a fixed one (until then the applicant may still edit or withdraw it; the grants
 * module moves it when the call closes).
 */
async function startReview(ctx: AppContext, call: CallDoc, pitchId: Types.ObjectId) {
  if (!pitchesFinal(call, ctx.clock.now())) return;
  await transitionPitch(ctx, pitchId, ['submitted'], 'under_review');
}

/** True when the reviewer works for the outlet the pitch is for (or the applicant's own outlet). */
async function outletConflict(ctx: AppContext, pitch: PitchDoc, reviewerOutlet?: string) {
  if (sameOutlet(pitch.outlet, reviewerOutlet)) return true;
  const applicant = (await usersById(ctx, [pitch.applicantId])).get(String(pitch.applicantId));
  return sameOutlet(applicant?.outlet, reviewerOutlet);
}

/**
 * A due date picked on the assignments page, as an instant: a calendar day means the end of that day
 * (23:59) in the call's time zone, so everyone sees the day the admin picked, whatever their own zone.
 */
export function dueInstant(call: Pick<CallDoc, 'timeZone'>, input?: string): Date | undefined {
  if (!input) return undefined;
  try {
    return localToUtc(input.length === 10 ? `${input}T23:59` : input, call.timeZone);
  } catch {
    throw new Invalid('reviews.errors.date', { dueAt: 'reviews.errors.date' });
  }
}

/** A person (an admin), or an integration acting by its API token (role 'api-token'). */
type Actor = Pick<SessionUser, 'id'> & { role: string };

export async function assignManually(
  ctx: AppContext,
  actor: Actor,
  callId: string,
  input: { pitchId: string; reviewerId: string; dueAt?: string },
): Promise<Assignment> {
  const call = await getCall(ctx, callId);
  const dueAt = dueInstant(call, input.dueAt);
  const pitch = await getPitch(ctx, input.pitchId);
  if (!pitch.callId.equals(call._id) || !REVIEWABLE.includes(pitch.status)) throw new NotFound();
  const reviewer = (await usersById(ctx, [oid(input.reviewerId)])).get(input.reviewerId);
  if (!reviewer || reviewer.role !== 'reviewer' || reviewer.status !== 'active')
    throw new Invalid('reviews.errors.notReviewer');
  // A journalist later made a reviewer (or synced so by a host) never reviews their own pitch.
  if (reviewer._id.equals(pitch.applicantId)) throw new Conflict('reviews.errors.ownPitch');
  if (await outletConflict(ctx, pitch, reviewer.outlet)) throw new Conflict('reviews.errors.outletConflict');
  let created: Assignment;
  try {
    created = (
      await assignmentModel(ctx.db).create({
        callId: call._id,
        pitchId: pitch._id,
        reviewerId: reviewer._id,
        status: 'offered',
        dueAt,
      })
    ).toObject();
  } catch (err) {
    // Already assigned, or the reviewer declared a conflict: the existing row stands.
    if ((err as { code?: number }).code === 11000) throw new Conflict('reviews.errors.alreadyAssigned');
    throw err;
  }
  await startReview(ctx, call, pitch._id);
  await recordAudit(
    ctx,
    actor,
    'assignment.created',
    { type: 'assignment', id: created._id },
    { mode: 'manual' },
  );
  return created;
}

/** Removes an assignment that has no submitted review yet (its draft goes with it). */
export async function unassign(ctx: AppContext, actor: Actor, callId: string, assignmentId: string) {
  const removed = await assignmentModel(ctx.db)
    .findOneAndDelete({ _id: oid(assignmentId), callId: oid(callId), status: $in(['offered', 'accepted']) })
    .lean();
  if (!removed) throw new NotFound();
  await reviewModel(ctx.db).deleteOne({ assignmentId: removed._id, status: 'draft' });
  await recordAudit(ctx, actor, 'assignment.removed', { type: 'assignment', id: removed._id });
}

export interface AutoAssignResult {
  created: number;
  unfilled: number;
}

/**
 * Fills each reviewable pitch up to `reviewersPerPitch` active reviewers, least-loaded reviewer first.
 * Skips declared conflicts (their rows stay) and same-outlet conflicts; respects `cap` per reviewer.
 * Idempotent: the unique (pitch, reviewer) index means a re-run only adds what is missing.
 */
export async function autoAssign(
  ctx: AppContext,
  actor: SessionUser,
  callId: string,
  options: { cap?: number; dueAt?: string } = {},
): Promise<AutoAssignResult> {
  const call = await getCall(ctx, callId);
  const dueAt = dueInstant(call, options.dueAt);
  const pitches = await pitchesForCall(ctx, call._id, REVIEWABLE);
  const reviewers = await activeReviewers(ctx);
  const existing = await assignmentModel(ctx.db).find({ callId: call._id }).lean();
  const applicants = await usersById(
    ctx,
    pitches.map((p) => p.applicantId),
  );

  const load = new Map(reviewers.map((r) => [String(r._id), 0]));
  const taken = new Set<string>();
  const filled = new Map<string, number>();
  for (const a of existing) {
    taken.add(`${a.pitchId}:${a.reviewerId}`);
    if (!ACTIVE_ASSIGNMENT.includes(a.status)) continue;
    const r = String(a.reviewerId);
    if (load.has(r)) load.set(r, load.get(r)! + 1);
    filled.set(String(a.pitchId), (filled.get(String(a.pitchId)) ?? 0) + 1);
  }
  const cap = options.cap ?? Infinity;
  let created = 0;
  let unfilled = 0;
  for (const pitch of pitches) {
    let need = Math.max(0, (call.reviewersPerPitch || 1) - (filled.get(String(pitch._id)) ?? 0));
    const before = need;
    const applicantOutlet = applicants.get(String(pitch.applicantId))?.outlet;
    const candidates = reviewers
      .filter((r) => !taken.has(`${pitch._id}:${r._id}`))
      .filter((r) => !sameOutlet(pitch.outlet, r.outlet) && !sameOutlet(applicantOutlet, r.outlet))
      .filter((r) => String(r._id) !== String(pitch.applicantId))
      .sort(
        (a, b) =>
          load.get(String(a._id))! - load.get(String(b._id))! || String(a._id).localeCompare(String(b._id)),
      );
    for (const r of candidates) {
      if (need === 0) break;
      if (load.get(String(r._id))! >= cap) continue;
      const doc = await assignmentModel(ctx.db)
        .create({
          callId: call._id,
          pitchId: pitch._id,
          reviewerId: r._id,
          status: 'offered',
          dueAt,
        })
        .catch((err: { code?: number }) => (err.code === 11000 ? null : Promise.reject(err)));
      taken.add(`${pitch._id}:${r._id}`);
      if (!doc) continue; // a concurrent run got there first
      load.set(String(r._id), load.get(String(r._id))! + 1);
      need--;
      created++;
      await recordAudit(
        ctx,
        actor,
        'assignment.created',
        { type: 'assignment', id: doc._id },
        { mode: 'auto' },
      );
    }
    if (need > 0) unfilled++;
    const have = (filled.get(String(pitch._id)) ?? 0) + (before - need);
    if (have > 0 && pitch.status === 'submitted') await startReview(ctx, call, pitch._id);
  }
  return { created, unfilled };
}

/** Reviewer's answer before the pitch opens. A conflict removes access at once. */
export async function declare(
  ctx: AppContext,
  actor: SessionUser,
  assignmentId: string,
  input: { conflict: boolean; reason?: string },
): Promise<Assignment> {
  const now = ctx.clock.now();
  const updated = await assignmentModel(ctx.db)
    .findOneAndUpdate(
      { _id: oid(assignmentId), reviewerId: oid(actor.id), status: 'offered' },
      input.conflict
        ? { $set: { status: 'conflict_declared', conflictReason: input.reason ?? '', respondedAt: now } }
        : { $set: { status: 'accepted', respondedAt: now } },
      { new: true },
    )
    .lean();
  if (!updated) throw new NotFound();
  if (input.conflict) await reviewModel(ctx.db).deleteOne({ assignmentId: updated._id, status: 'draft' });
  await recordAudit(
    ctx,
    actor,
    'assignment.declared',
    { type: 'assignment', id: updated._id },
    {
      conflict: input.conflict,
    },
  );
  return updated;
}

/** The reviewer's own assignment, never one with a declared conflict (that is a 404). */
export async function myAssignment(
  ctx: AppContext,
  reviewerId: string,
  assignmentId: string,
): Promise<Assignment> {
  const a = await assignmentModel(ctx.db)
    .findOne({ _id: oid(assignmentId), reviewerId: oid(reviewerId), status: $in(ACTIVE_ASSIGNMENT) })
    .lean();
  if (!a) throw new NotFound();
  return a;
}

export async function myAssignments(ctx: AppContext, reviewerId: string) {
  return assignmentModel(ctx.db)
    .find({ reviewerId: oid(reviewerId), status: $in(ACTIVE_ASSIGNMENT) })
    .sort({ dueAt: 1, createdAt: 1 })
    .limit(500)
    .lean();
}

export async function assignmentsOfCall(ctx: AppContext, callId: string) {
  return assignmentModel(ctx.db)
    .find({ callId: oid(callId) })
    .sort({ createdAt: 1 })
    .lean();
}
