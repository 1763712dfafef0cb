import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import {
  formatInZone,
  getCall,
  getPitch,
  pitchesFinal,
  storedFilesOfPitch,
  type CallDoc,
  type PitchDoc,
} from './grants-port';
import { assignmentModel, reviewModel, type Assignment, type Recommendation, type Review } from './model';
import { myAssignment } from './assign';
import { blindPitch, callTitle, dueLabel, ownReviewView, peerReviewView, rubricView } from './present';

export interface ReviewInput {
  version: number;
  /** Scores as typed, by criterion id ('' or missing: not scored yet). */
  scores: Record<string, string | undefined>;
  commentToApplicant: string;
  privateComment: string;
  recommendation?: Recommendation;
}

/** A stale save: carries the reviewer's own text so the page can show it back. */
export class StaleReview extends Conflict {
  constructor(readonly input: ReviewInput) {
    super('errors.staleEdit');
  }
}

async function ensureReview(ctx: AppContext, a: Assignment): Promise<Review> {
  const existing = await reviewModel(ctx.db).findOne({ assignmentId: a._id }).lean();
  if (existing) return existing;
  const doc = await reviewModel(ctx.db)
    .findOneAndUpdate(
      { assignmentId: a._id },
      {
        $setOnInsert: {
          callId: a.callId,
          pitchId: a.pitchId,
          reviewerId: a.reviewerId,
          status: 'draft',
          version: 0,
          scores: [],
          commentToApplicant: '',
          privateComment: '',
        },
      },
      { upsert: true, new: true },
    )
    .lean()
    .catch(async (err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      return reviewModel(ctx.db).findOne({ assignmentId: a._id }).lean();
    });
  return doc!;
}

/** Everything the reviewer's pitch page shows, through the blind read model. */
export async function reviewPage(ctx: AppContext, user: SessionUser, assignmentId: string, lang: Locale) {
  const assignment = await myAssignment(ctx, user.id, assignmentId);
  // Independent reads go together: each round trip is the page's latency (and the embedded server's queue).
  const [call, pitch] = await Promise.all([
    getCall(ctx, assignment.callId),
    getPitch(ctx, assignment.pitchId),
  ]);
  const base = {
    assignmentId: String(assignment._id),
    status: assignment.status,
    due: dueLabel(assignment.dueAt, call, lang),
  };
  // A pitch withdrawn before the deadline leaves every reviewer's list; no one reads their own pitch.
  if (pitch.status === 'withdrawn' || pitch.applicantId.equals(assignment.reviewerId)) throw new NotFound();
  if (assignment.status === 'offered')
    return { ...base, callTitle: callTitle(call, lang), title: pitch.title ?? '', opened: false as const };
  // Assigned before a fixed deadline: the reviewer reads the version on file at the deadline, not a draft.
  if (!pitchesFinal(call, ctx.clock.now()))
    return {
      ...base,
      callTitle: callTitle(call, lang),
      title: pitch.title ?? '',
      opened: false as const,
      opensAt: formatInZone(call.closesAt, call.timeZone, lang),
    };
  const [files, review] = await Promise.all([
    reviewerFiles(ctx, call, pitch._id),
    ensureReview(ctx, assignment),
  ]);
  const peers =
    review.status === 'submitted'
      ? await reviewModel(ctx.db)
          .find({ pitchId: pitch._id, status: 'submitted', _id: mongoose.trusted({ $ne: review._id }) })
          .sort({ submittedAt: 1 })
          .lean()
      : [];
  return {
    ...base,
    opened: true as const,
    callTitle: callTitle(call, lang),
    blind: call.blind,
    pitch: blindPitch(call, pitch, files, lang),
    rubric: rubricView(call, lang),
    review: ownReviewView(review),
    // Submitted: only the comment to the applicant may change, and only until the decisions go out.
    commentEditable: review.status === 'submitted' && !call.decisionsReleasedAt,
    released: !!call.decisionsReleasedAt,
    peers: peerReviewView(peers),
  };
}

/**
 * The typed scores against the rubric. Every bad field is reported at once (a whole number from 0 to
 * the criterion's highest score; on submit every criterion and a recommendation), so the form can mark
 * them all; nothing is stored while any is wrong.
 */
function checkScores(call: CallDoc, input: ReviewInput, complete: boolean) {
  const scores: Array<{ criterionId: string; score: number }> = [];
  const errors: Record<string, string> = {};
  for (const c of call.rubric) {
    const raw = (input.scores[c.id] ?? '').trim();
    if (!raw) {
      if (complete) errors[`score_${c.id}`] = 'reviews.errors.scoreAll';
      continue;
    }
    const score = /^\d{1,2}$/.test(raw) ? Number(raw) : NaN;
    if (!(score >= 0 && score <= c.scaleMax)) errors[`score_${c.id}`] = 'reviews.errors.scoreRange';
    else scores.push({ criterionId: c.id, score });
  }
  if (complete && !input.recommendation) errors.recommendation = 'reviews.errors.recommendation';
  const bad = Object.values(errors);
  if (bad.length)
    throw new Invalid(
      bad.includes('reviews.errors.scoreRange') ? 'reviews.errors.fixScores' : bad[0],
      errors,
    );
  return scores;
}

/** What a review save works on, loaded once: the reviewer's own active assignment and its call. */
export interface ReviewTarget {
  assignment: Assignment;
  call: CallDoc;
}

/** The reviewer's assignment (someone else's, or a withdrawn one, is a 404) and its call. */
export async function reviewTarget(
  ctx: AppContext,
  reviewerId: string,
  assignmentId: string,
): Promise<ReviewTarget> {
  const assignment = await myAssignment(ctx, reviewerId, assignmentId);
  const [call, pitch] = await Promise.all([
    getCall(ctx, assignment.callId),
    getPitch(ctx, assignment.pitchId),
  ]);
  if (pitch.status === 'withdrawn' || pitch.applicantId.equals(assignment.reviewerId)) throw new NotFound();
  return { assignment, call };
}

/**
 * Saves a draft (`submit` false) or submits, on a target from `reviewTarget` (the route needs the call's
 * rubric to read the form, so it loads the target and passes it here). One conditional update on
 * (assignment, version, draft): of two saves of the same version exactly one wins; the other gets
 * StaleReview (409). A second submit returns the first result.
 */
export async function saveReview(
  ctx: AppContext,
  user: SessionUser,
  { assignment, call }: ReviewTarget,
  input: ReviewInput,
  submit: boolean,
): Promise<Review> {
  if (assignment.status === 'offered') throw new Conflict('reviews.errors.declareFirst');
  if (!pitchesFinal(call, ctx.clock.now())) throw new Conflict('reviews.errors.notFinal');
  const current = await ensureReview(ctx, assignment);
  if (current.status === 'submitted') {
    if (submit) return current;
    throw new Conflict('reviews.errors.alreadySubmitted');
  }
  const scores = checkScores(call, input, submit);
  const now = ctx.clock.now();
  const set: Record<string, unknown> = {
    scores,
    commentToApplicant: input.commentToApplicant,
    privateComment: input.privateComment,
    ...(submit ? { status: 'submitted', submittedAt: now } : {}),
  };
  const update = input.recommendation
    ? { $set: { ...set, recommendation: input.recommendation } }
    : { $set: set };
  const saved = await reviewModel(ctx.db)
    .findOneAndUpdate(
      { assignmentId: assignment._id, version: input.version, status: 'draft' },
      { ...update, $inc: { version: 1 } },
      { new: true },
    )
    .lean();
  if (!saved) {
    const now2 = await reviewModel(ctx.db).findOne({ assignmentId: assignment._id }).lean();
    if (submit && now2?.status === 'submitted') return now2;
    throw new StaleReview(input);
  }
  if (submit) {
    await assignmentModel(ctx.db).updateOne(
      { _id: assignment._id, status: 'accepted' },
      { $set: { status: 'submitted' } },
    );
    await recordAudit(ctx, user, 'review.submitted', { type: 'review', id: saved._id });
  } else {
    await recordAudit(
      ctx,
      user,
      'review.saved',
      { type: 'review', id: saved._id },
      { version: saved.version },
    );
  }
  return saved;
}

/**
 * After submitting, the reviewer may still reword their comment to the applicant until the call's
 * decisions are released (the e-mail carries it then); scores, recommendation and the private note
 * stay final. One conditional update on (assignment, version, submitted): a stale edit gets 409.
 */
export async function editCommentToApplicant(
  ctx: AppContext,
  user: SessionUser,
  { assignment, call }: ReviewTarget,
  input: { version: number; commentToApplicant: string },
): Promise<Review> {
  if (call.decisionsReleasedAt) throw new Conflict('reviews.errors.commentLocked');
  const current = await reviewModel(ctx.db).findOne({ assignmentId: assignment._id }).lean();
  if (current?.status !== 'submitted') throw new Conflict('reviews.errors.notSubmitted');
  const saved = await reviewModel(ctx.db)
    .findOneAndUpdate(
      {
        assignmentId: assignment._id,
        version: input.version,
        status: 'submitted',
        commentLockedAt: mongoose.trusted({ $exists: false }),
      },
      {
        $set: { commentToApplicant: input.commentToApplicant, commentEditedAt: ctx.clock.now() },
        $inc: { version: 1 },
      },
      { new: true },
    )
    .lean();
  if (!saved) {
    const now = await reviewModel(ctx.db).findOne({ assignmentId: assignment._id }).lean();
    throw new Conflict(now?.commentLockedAt ? 'reviews.errors.commentLocked' : 'errors.staleEdit');
  }
  await recordAudit(
    ctx,
    user,
    'review.commentEdited',
    { type: 'review', id: saved._id },
    { version: saved.version },
  );
  return saved;
}

/**
 * The files a reviewer of this call may read, in the order their page numbers them. On a blind call the
 * outlet's letter stays with staff: it names the outlet and usually the journalist.
 */
async function reviewerFiles(ctx: AppContext, call: CallDoc, pitchId: PitchDoc['_id']) {
  const files = await storedFilesOfPitch(ctx, pitchId);
  return call.blind ? files.filter((f) => f.kind !== 'outlet-letter') : files;
}

/**
 * File `index` (1-based, as the reviewer's page numbers them) of a pitch they may read now, and whether
 * the call is blind (its files then lose their author details on the way out); else 404.
 */
export async function readableFile(ctx: AppContext, reviewerId: string, assignmentId: string, index: number) {
  const { assignment, call } = await reviewTarget(ctx, reviewerId, assignmentId);
  if (assignment.status === 'offered' || !pitchesFinal(call, ctx.clock.now())) throw new NotFound();
  const file = (await reviewerFiles(ctx, call, assignment.pitchId))[index - 1];
  if (!file) throw new NotFound();
  return { file, blind: call.blind };
}

/** Submitted reviews of a call (staff views and aggregation). */
export async function submittedReviewsOfCall(ctx: AppContext, callId: CallDoc['_id']) {
  return reviewModel(ctx.db).find({ callId, status: 'submitted' }).lean();
}
