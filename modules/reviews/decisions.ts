import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid, trusted } from '../../server/db/ids';
import type { Locale, SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { enqueueEmail } from '../notifications';
import { createAward } from '../awards';
import {
  DECIDED_STATUSES,
  getCall,
  getPitch,
  markDecisionsReleased,
  pitchesForCall,
  recordCommentsToApplicant,
  releaseBudget,
  reserveBudget,
  transitionPitch,
  type CallDoc,
  type PitchDoc,
  type PitchStatus,
} from './grants-port';
import { reviewModel } from './model';
import { aggregate, proposeSelection, rank, DEFAULT_DISAGREEMENT } from './scoring';
import { callTitle } from './present';
import { usersById } from './users';

export type Outcome = 'funded' | 'waitlisted' | 'declined' | 'shortlisted';
const FROM: Record<Outcome, PitchStatus[]> = {
  shortlisted: ['under_review'],
  funded: ['under_review', 'shortlisted', 'waitlisted'],
  waitlisted: ['under_review', 'shortlisted'],
  declined: ['under_review', 'shortlisted', 'waitlisted'],
};

/** The review board: raw, median, normalised, disagreement, requested amounts, budget helper. */
export async function reviewBoard(
  ctx: AppContext,
  callId: string,
  lang: Locale,
  options: { picked?: string[]; threshold?: number } = {},
) {
  const call = await getCall(ctx, callId);
  const pitches = await pitchesForCall(ctx, call._id, [
    'under_review',
    'shortlisted',
    'funded',
    'waitlisted',
    'declined',
  ]);
  const reviews = await reviewModel(ctx.db).find({ callId: call._id, status: 'submitted' }).lean();
  const scores = aggregate(
    call.rubric,
    reviews.map((r) => ({ pitchId: String(r.pitchId), reviewerId: String(r.reviewerId), scores: r.scores })),
    options.threshold ?? DEFAULT_DISAGREEMENT,
  );
  const byPitch = new Map(scores.map((s) => [s.pitchId, s]));
  const rows = rank(
    pitches.map((p) => {
      const s = byPitch.get(String(p._id));
      return {
        pitchId: String(p._id),
        title: p.title,
        status: p.status,
        requested: p.budgetTotal ?? 0,
        decision: p.decision,
        n: s?.n ?? 0,
        rawMean: s?.rawMean ?? null,
        median: s?.median ?? null,
        normalised: s?.normalised ?? null,
        spread: s?.spread ?? null,
        disagreement: s?.disagreement ?? false,
      };
    }),
  );
  const remaining = call.budgetPool - (call.awardedTotal ?? 0);
  const open = rows.filter((r) => !DECIDED_STATUSES.includes(r.status));
  const proposal = proposeSelection(open, remaining);
  const picked = options.picked ? new Set(options.picked) : new Set(proposal.pitchIds);
  const pickedTotal = open.filter((r) => picked.has(r.pitchId)).reduce((s, r) => s + r.requested, 0);
  return {
    call: {
      id: String(call._id),
      title: callTitle(call, lang),
      currency: call.currency ?? 'MNT',
      budgetPool: call.budgetPool,
      awardedTotal: call.awardedTotal ?? 0,
      maxAward: call.maxAward,
      released: !!call.decisionsReleasedAt,
    },
    rows: rows.map((r) => ({
      ...r,
      proposed: proposal.pitchIds.includes(r.pitchId),
      picked: picked.has(r.pitchId),
    })),
    remaining,
    proposal,
    pickedTotal,
    fits: pickedTotal <= remaining,
    threshold: options.threshold ?? DEFAULT_DISAGREEMENT,
  };
}

function decisionOf(outcome: Outcome, actor: SessionUser, now: Date, amount?: number) {
  return { decision: { outcome, amount: amount ?? 0, decidedAt: now, decidedBy: oid(actor.id) } };
}

/**
 * Funding reserves the money with one conditional update on the call (the pool can never be
 * exceeded, however many decisions race), then moves the pitch; if the pitch cannot move, the money
 * goes back.
 */
async function fund(ctx: AppContext, actor: SessionUser, call: CallDoc, pitch: PitchDoc, amount: number) {
  if (!Number.isInteger(amount) || amount <= 0)
    throw new Invalid('reviews.errors.amount', { amount: 'reviews.errors.amount' });
  if (amount > call.maxAward)
    throw new Invalid('reviews.errors.overMax', { amount: 'reviews.errors.overMax' });
  if (!FROM.funded.includes(pitch.status)) throw new Conflict('reviews.errors.alreadyDecided');
  if (!(await reserveBudget(ctx, call._id, amount))) throw new Conflict('reviews.errors.overBudget');
  const moved = await transitionPitch(
    ctx,
    pitch._id,
    FROM.funded,
    'funded',
    decisionOf('funded', actor, ctx.clock.now(), amount),
  );
  if (!moved) {
    await releaseBudget(ctx, call._id, amount);
    throw new Conflict('reviews.errors.alreadyDecided');
  }
  await createAward(ctx, {
    pitchId: pitch._id,
    callId: call._id,
    applicantId: pitch.applicantId,
    amount,
    title: pitch.title,
    outlet: pitch.outlet,
  });
  return moved;
}

export async function decide(
  ctx: AppContext,
  actor: SessionUser,
  callId: string,
  pitchId: string,
  input: { outcome: Outcome; amount?: number },
) {
  const call = await getCall(ctx, callId);
  const pitch = await getPitch(ctx, pitchId);
  if (!pitch.callId.equals(call._id)) throw new NotFound();
  let moved: PitchDoc | null;
  if (input.outcome === 'funded') {
    moved = await fund(ctx, actor, call, pitch, input.amount ?? pitch.budgetTotal ?? 0);
  } else {
    const extra = input.outcome === 'shortlisted' ? {} : decisionOf(input.outcome, actor, ctx.clock.now());
    moved = await transitionPitch(ctx, pitch._id, FROM[input.outcome], input.outcome, extra);
    if (!moved) throw new Conflict('reviews.errors.alreadyDecided');
  }
  await recordAudit(
    ctx,
    actor,
    'decision.made',
    { type: 'pitch', id: pitch._id },
    {
      outcome: input.outcome,
      amount: moved.decision?.amount,
    },
  );
  // A decision made after release (a waitlisted pitch funded later) goes out at once.
  if (call.decisionsReleasedAt && input.outcome !== 'shortlisted') await sendDecision(ctx, call, moved);
  return moved;
}

async function commentsFor(ctx: AppContext, pitchId: Types.ObjectId): Promise<string[]> {
  const reviews = await reviewModel(ctx.db)
    .find({ pitchId, status: 'submitted' }, { commentToApplicant: 1 })
    .sort({ submittedAt: 1 })
    .lean();
  return reviews.map((r) => r.commentToApplicant.trim()).filter(Boolean);
}

async function sendDecision(ctx: AppContext, call: CallDoc, pitch: PitchDoc) {
  if (!pitch.decision) return;
  const applicant = (await usersById(ctx, [pitch.applicantId])).get(String(pitch.applicantId));
  if (!applicant) return;
  const comments = await commentsFor(ctx, pitch._id);
  await recordCommentsToApplicant(ctx, pitch._id, comments);
  const locale: Locale = applicant.locale === 'mn' ? 'mn' : 'en';
  await enqueueEmail(ctx, {
    to: applicant.email,
    template: 'reviews/decision',
    locale,
    dedupeKey: `reviews.decision:${pitch._id}:${pitch.decision.outcome}`,
    data: {
      name: applicant.name,
      title: pitch.title,
      callTitle: { en: call.title?.en ?? '', mn: call.title?.mn ?? '' },
      outcome: pitch.decision.outcome,
      amount: pitch.decision.amount,
      currency: call.currency ?? 'MNT',
      comments,
      pitchId: String(pitch._id),
    },
  });
}

/**
 * What "Release" will do, for the confirmation page: who gets which result by e-mail, in which language,
 * the totals, and how many pitches are still undecided (they get nothing yet).
 */
export async function releasePreview(ctx: AppContext, callId: string, lang: Locale) {
  const call = await getCall(ctx, callId);
  const decided = await pitchesForCall(ctx, call._id, [...DECIDED_STATUSES]);
  const undecided = await pitchesForCall(ctx, call._id, ['submitted', 'under_review', 'shortlisted']);
  const people = await usersById(
    ctx,
    decided.map((p) => p.applicantId),
  );
  const order: Record<string, number> = { funded: 0, waitlisted: 1, declined: 2 };
  const rows = decided
    .map((p) => {
      const who = people.get(String(p.applicantId));
      return {
        pitchId: String(p._id),
        title: p.title,
        applicant: who?.name ?? '',
        email: who?.email ?? '',
        language: who?.locale === 'mn' ? 'mn' : 'en',
        outcome: p.status,
        amount: p.status === 'funded' ? (p.decision?.amount ?? 0) : 0,
      };
    })
    .sort((a, b) => (order[a.outcome] ?? 9) - (order[b.outcome] ?? 9) || a.title.localeCompare(b.title));
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  return {
    call: {
      id: String(call._id),
      title: callTitle(call, lang),
      currency: call.currency ?? 'MNT',
      released: !!call.decisionsReleasedAt,
    },
    rows,
    totals: {
      funded: count('funded'),
      waitlisted: count('waitlisted'),
      declined: count('declined'),
      fundedAmount: rows.reduce((s, r) => s + r.amount, 0),
      undecided: undecided.length,
    },
  };
}

/** One action per call: sets decisionsReleasedAt once, then queues one e-mail per decided pitch. */
export async function releaseDecisions(ctx: AppContext, actor: SessionUser, callId: string) {
  const call = await getCall(ctx, callId);
  const first = await markDecisionsReleased(ctx, call._id);
  // Comments to applicants are frozen before any is read for an e-mail: an edit that checked the call
  // just before the release either lands before this (and is sent) or is refused (lockedAt is set).
  await reviewModel(ctx.db).updateMany(
    { callId: call._id, commentLockedAt: trusted({ $exists: false }) },
    { $set: { commentLockedAt: ctx.clock.now() } },
  );
  const released = await getCall(ctx, call._id);
  const decided = await pitchesForCall(ctx, call._id, [...DECIDED_STATUSES]);
  // Re-running after a crash is safe: every message has a dedupe key.
  for (const pitch of decided) await sendDecision(ctx, released, pitch);
  if (first)
    await recordAudit(
      ctx,
      actor,
      'decisions.released',
      { type: 'call', id: call._id },
      { pitches: decided.length },
    );
  return { first, count: decided.length };
}

/** Staff: all reviews of one pitch, with private comments and reviewer names. */
export async function staffReviewsOfPitch(ctx: AppContext, callId: string, pitchId: string) {
  const pitch = await getPitch(ctx, pitchId);
  if (String(pitch.callId) !== callId) throw new NotFound();
  const reviews = await reviewModel(ctx.db).find({ pitchId: pitch._id }).sort({ submittedAt: 1 }).lean();
  const users = await usersById(
    ctx,
    reviews.map((r) => r.reviewerId),
  );
  return {
    pitch,
    reviews: reviews.map((r) => ({ ...r, reviewerName: users.get(String(r.reviewerId))?.name ?? '' })),
  };
}
