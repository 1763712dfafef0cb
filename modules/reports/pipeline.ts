import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { NotFound } from '../../server/http/errors';
import { col, type Doc } from './data';

export const SUBMITTED_STATES = [
  'submitted',
  'under_review',
  'shortlisted',
  'funded',
  'declined',
  'waitlisted',
];

export interface FunnelStep {
  key: 'eligible' | 'drafts' | 'submitted' | 'reviewed' | 'funded' | 'published';
  n: number;
}

export interface ReviewerProgress {
  reviewerId: Types.ObjectId;
  name: string;
  assigned: number;
  conflicts: number;
  submitted: number;
}

export interface HistogramBin {
  from: number;
  to: number;
  n: number;
}

export async function listCalls(ctx: AppContext) {
  return col(ctx.db, 'calls')
    .find({}, { projection: { title: 1, status: 1 } })
    .sort({ _id: -1 })
    .limit(200)
    .toArray();
}

async function eligibleCount(ctx: AppContext, courseSlug: unknown): Promise<number> {
  if (typeof courseSlug !== 'string' || !courseSlug) {
    return col(ctx.db, 'users').countDocuments({ role: 'journalist', status: 'active' });
  }
  const course = await col(ctx.db, 'courses').findOne({ slug: courseSlug }, { projection: { _id: 1 } });
  if (!course) return 0;
  const [row] = await col(ctx.db, 'enrolments')
    .aggregate<{ n: number }>([
      { $match: { courseId: course._id, status: 'completed' } },
      { $group: { _id: '$userId' } },
      { $count: 'n' },
    ])
    .toArray();
  return row?.n ?? 0;
}

/** Evenly spaced bins over [0, max]; `max` rounds up to a whole number so bins read well. */
export function histogram(values: number[], bins = 10, fixedMax?: number): HistogramBin[] {
  if (!values.length) return [];
  const max = fixedMax ?? Math.max(1, Math.ceil(Math.max(...values)));
  const width = max / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width, n: 0 }));
  for (const v of values) out[Math.min(bins - 1, Math.floor(v / width))]!.n += 1;
  return out;
}

interface Criterion {
  id: string;
  scaleMax: number;
  weight: number;
}

/**
 * The reviews module's weighted score (modules/reviews/scoring.ts `weightedScore`:
 * Σ(weight·score/scaleMax) / Σweight × 100, unscored criteria 0) as an aggregation expression, so each
 * review is scored in the database. Without a rubric: the mean raw score.
 */
export function weightedScoreExpr(rubric: Criterion[] | undefined): unknown {
  const valid = (rubric ?? []).filter((c) => c.scaleMax > 0 && c.weight > 0);
  const total = valid.reduce((s, c) => s + c.weight, 0);
  if (!total) return { $avg: '$scores.score' };
  const scoreOf = (id: string) => ({
    $ifNull: [
      {
        $arrayElemAt: [
          {
            $map: {
              input: { $filter: { input: '$scores', as: 's', cond: { $eq: ['$$s.criterionId', id] } } },
              as: 'x',
              in: '$$x.score',
            },
          },
          0,
        ],
      },
      0,
    ],
  });
  return {
    $multiply: [
      { $add: valid.map((c) => ({ $multiply: [(c.weight / c.scaleMax / total) * 100, scoreOf(c.id)] })) },
      1,
    ],
  };
}

const weightedRubric = (r: unknown) =>
  Array.isArray(r) && r.some((c: Criterion) => c.scaleMax > 0 && c.weight > 0);

/** Funnel, reviewer progress, score distribution, budget and themes for one call. */
export async function grantPipeline(ctx: AppContext, callId: Types.ObjectId) {
  const call = await col(ctx.db, 'calls').findOne({ _id: callId });
  if (!call) throw new NotFound();
  const pitches = col(ctx.db, 'pitches');
  const [counts] = await pitches
    .aggregate<{ drafts: number; submitted: number; funded: number; budgetUsed: number }>([
      { $match: { callId } },
      {
        $group: {
          _id: null,
          drafts: { $sum: 1 },
          submitted: { $sum: { $cond: [{ $in: ['$status', SUBMITTED_STATES] }, 1, 0] } },
          funded: { $sum: { $cond: [{ $eq: ['$status', 'funded'] }, 1, 0] } },
          budgetUsed: {
            $sum: {
              $cond: [{ $eq: ['$status', 'funded'] }, { $ifNull: ['$decision.amount', '$budgetTotal'] }, 0],
            },
          },
        },
      },
    ])
    .toArray();
  const perPitch = await col(ctx.db, 'reviews')
    .aggregate<{ _id: Types.ObjectId; score: number }>([
      { $match: { callId, status: 'submitted' } },
      {
        $project: {
          pitchId: 1,
          s: weightedScoreExpr(call.rubric as Criterion[] | undefined),
        },
      },
      { $group: { _id: '$pitchId', score: { $avg: '$s' } } },
    ])
    .toArray();
  const [published] = await col(ctx.db, 'awards')
    .aggregate<{ n: number }>([
      {
        $match: {
          callId,
          $or: [{ status: { $in: ['published', 'closed'] } }, { publishedAt: { $ne: null } }],
        },
      },
      { $group: { _id: '$pitchId' } },
      { $count: 'n' },
    ])
    .toArray();
  const funnel: FunnelStep[] = [
    { key: 'eligible', n: await eligibleCount(ctx, (call.eligibility as Doc | undefined)?.courseSlug) },
    { key: 'drafts', n: counts?.drafts ?? 0 },
    { key: 'submitted', n: counts?.submitted ?? 0 },
    { key: 'reviewed', n: perPitch.length },
    { key: 'funded', n: counts?.funded ?? 0 },
    { key: 'published', n: published?.n ?? 0 },
  ];
  const themeLabels = new Map(
    ((call.themes as Array<{ id: string; label: unknown }>) ?? []).map((t) => [t.id, t.label]),
  );
  const themes = await pitches
    .aggregate<{ _id: string; n: number }>([
      { $match: { callId, status: 'funded' } },
      { $unwind: '$themes' },
      { $group: { _id: '$themes', n: { $sum: 1 } } },
      { $sort: { n: -1, _id: 1 } },
    ])
    .toArray();
  const covered = new Set(themes.map((t) => t._id));
  return {
    call,
    funnel,
    reviewers: await reviewerProgress(ctx, callId),
    scores: histogram(
      perPitch.map((p) => p.score).filter((s) => typeof s === 'number'),
      10,
      weightedRubric(call.rubric) ? 100 : undefined,
    ),
    scoredPitches: perPitch.length,
    weighted: !!weightedRubric(call.rubric),
    budget: {
      pool: Number(call.budgetPool ?? 0),
      used: counts?.budgetUsed ?? Number(call.awardedTotal ?? 0),
      currency: String(call.currency ?? ''),
    },
    themes: themes.map((t) => ({ id: t._id, label: themeLabels.get(t._id) ?? t._id, n: t.n })),
    uncovered: [...themeLabels.entries()]
      .filter(([id]) => !covered.has(id))
      .map(([id, label]) => ({ id, label })),
  };
}

/** Assigned and submitted per reviewer: assignments grouped in the database, names joined after. */
export async function reviewerProgress(ctx: AppContext, callId: Types.ObjectId): Promise<ReviewerProgress[]> {
  return col(ctx.db, 'assignments')
    .aggregate<ReviewerProgress>([
      { $match: { callId } },
      {
        $group: {
          _id: '$reviewerId',
          assigned: { $sum: { $cond: [{ $eq: ['$status', 'conflict_declared'] }, 0, 1] } },
          conflicts: { $sum: { $cond: [{ $eq: ['$status', 'conflict_declared'] }, 1, 0] } },
          submitted: { $sum: { $cond: [{ $eq: ['$status', 'submitted'] }, 1, 0] } },
        },
      },
      { $lookup: { from: 'users', localField: '_id', foreignField: '_id', as: 'u' } },
      { $unwind: { path: '$u', preserveNullAndEmptyArrays: true } },
      {
        $project: {
          _id: 0,
          reviewerId: '$_id',
          name: { $ifNull: ['$u.name', ''] },
          assigned: 1,
          conflicts: 1,
          submitted: 1,
        },
      },
      { $sort: { name: 1, reviewerId: 1 } },
    ])
    .toArray();
}
