import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { attemptSource, EXPORT_BATCH, type Doc } from './data';

export interface GainFilters {
  courseId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  scope?: Types.ObjectId[];
}

export interface GainGroup {
  key: string | null;
  n: number;
  meanPre: number;
  meanPost: number;
  meanGain: number;
  /** Mean of (post − pre)/(100 − pre) over trainees with pre < 100; null when none. */
  meanNormGain: number | null;
  normN: number;
}

export interface ObjectiveGain {
  objective: string;
  preN: number;
  preShare: number;
  postN: number;
  postShare: number;
  /** Percentage points. */
  gain: number;
}

export interface GainTraineeRow {
  userId: Types.ObjectId;
  name: string;
  region?: string;
  locale?: string;
  pre: number;
  post: number;
  gain: number;
  normGain: number | null;
}

const firstOf = (key: string, field: string) => ({
  $arrayElemAt: [
    {
      $map: {
        input: { $filter: { input: '$t', as: 'x', cond: { $eq: ['$$x.k', key] } } },
        as: 'y',
        in: `$$y.${field}`,
      },
    },
    0,
  ],
});

/**
 * Paired pre/post per trainee: the first submitted pre-test and the first submitted post-test, only
 * trainees with both. Retakes never count: a retake follows feedback on the same objectives (and,
 * with one form, the same questions), so taking the best attempt measured persistence, not learning
 * (a 45 → 100 "gain" after three tries). Every later stage (summaries, objectives, table) starts here.
 */
function paired(ctx: AppContext, f: GainFilters) {
  const match: Doc = { courseId: f.courseId, status: 'submitted', quizKey: { $in: ['pre', 'post'] } };
  const { collection, prefix } = attemptSource(ctx, f.courseId, f.cohortId, f.scope, match);
  return {
    collection,
    pipeline: [
      ...prefix,
      { $project: { userId: 1, quizKey: 1, score: 1, submittedAt: 1, attemptNo: 1, results: 1, form: 1 } },
      { $sort: { userId: 1, quizKey: 1, attemptNo: 1, submittedAt: 1, _id: 1 } },
      {
        $group: {
          _id: { u: '$userId', k: '$quizKey' },
          score: { $first: '$score' },
          results: { $first: '$results' },
        },
      },
      { $group: { _id: '$_id.u', t: { $push: { k: '$_id.k', score: '$score', results: '$results' } } } },
      { $match: { 't.1': { $exists: true } } },
      {
        $project: {
          pre: firstOf('pre', 'score'),
          post: firstOf('post', 'score'),
          preResults: firstOf('pre', 'results'),
          postResults: firstOf('post', 'results'),
        },
      },
      { $lookup: { from: 'users', localField: '_id', foreignField: '_id', as: 'u' } },
      { $unwind: '$u' },
      {
        $project: {
          _id: 0,
          userId: '$_id',
          name: '$u.name',
          region: { $ifNull: ['$u.region', ''] },
          locale: { $ifNull: ['$u.locale', ''] },
          pre: 1,
          post: 1,
          preResults: 1,
          postResults: 1,
          gain: { $subtract: ['$post', '$pre'] },
          normGain: {
            $cond: [
              { $lt: ['$pre', 100] },
              { $divide: [{ $subtract: ['$post', '$pre'] }, { $subtract: [100, '$pre'] }] },
              null,
            ],
          },
        },
      },
    ],
  };
}

const groupStats = (key: unknown) => ({
  $group: {
    _id: key,
    n: { $sum: 1 },
    meanPre: { $avg: '$pre' },
    meanPost: { $avg: '$post' },
    meanGain: { $avg: '$gain' },
    normSum: { $sum: { $ifNull: ['$normGain', 0] } },
    normN: { $sum: { $cond: [{ $eq: [{ $ifNull: ['$normGain', null] }, null] }, 0, 1] } },
  },
});

interface RawGroup {
  _id: string | null;
  n: number;
  meanPre: number;
  meanPost: number;
  meanGain: number;
  normSum: number;
  normN: number;
}
const toGroup = (g: RawGroup): GainGroup => ({
  key: g._id,
  n: g.n,
  meanPre: g.meanPre,
  meanPost: g.meanPost,
  meanGain: g.meanGain,
  meanNormGain: g.normN ? g.normSum / g.normN : null,
  normN: g.normN,
});

const tagged = (field: string, k: string) => ({
  $map: {
    input: { $ifNull: [field, []] },
    as: 'r',
    in: { o: '$$r.objective', c: { $cond: ['$$r.correct', 1, 0] }, k },
  },
});

/** Cohort summary, splits by region and language, gain per objective, and one page of trainees. */
export async function learningGain(ctx: AppContext, f: GainFilters, page = 1, pageSize = 50) {
  const { collection, pipeline } = paired(ctx, f);
  const [facet] = await collection
    .aggregate<{
      summary: RawGroup[];
      byRegion: RawGroup[];
      byLanguage: RawGroup[];
      objectives: Array<{ _id: { o: string; k: 'pre' | 'post' }; n: number; c: number }>;
      trainees: GainTraineeRow[];
    }>(
      [
        ...pipeline,
        {
          $facet: {
            summary: [groupStats(null)],
            byRegion: [groupStats('$region'), { $sort: { _id: 1 } }],
            byLanguage: [groupStats('$locale'), { $sort: { _id: 1 } }],
            objectives: [
              {
                $project: {
                  x: { $concatArrays: [tagged('$preResults', 'pre'), tagged('$postResults', 'post')] },
                },
              },
              { $unwind: '$x' },
              { $group: { _id: { o: '$x.o', k: '$x.k' }, n: { $sum: 1 }, c: { $sum: '$x.c' } } },
            ],
            trainees: [
              { $sort: { name: 1, userId: 1 } },
              { $skip: (Math.max(1, page) - 1) * pageSize },
              { $limit: pageSize },
              { $project: { preResults: 0, postResults: 0 } },
            ],
          },
        },
      ],
      { allowDiskUse: true },
    )
    .toArray();
  const byObjective = new Map<string, ObjectiveGain>();
  for (const o of facet?.objectives ?? []) {
    const row = byObjective.get(o._id.o) ?? {
      objective: o._id.o,
      preN: 0,
      preShare: 0,
      postN: 0,
      postShare: 0,
      gain: 0,
    };
    if (o._id.k === 'pre') Object.assign(row, { preN: o.n, preShare: (100 * o.c) / o.n });
    else Object.assign(row, { postN: o.n, postShare: (100 * o.c) / o.n });
    row.gain = row.postShare - row.preShare;
    byObjective.set(o._id.o, row);
  }
  const summary = facet?.summary[0] ? toGroup(facet.summary[0]) : undefined;
  return {
    summary,
    byRegion: (facet?.byRegion ?? []).map(toGroup),
    byLanguage: (facet?.byLanguage ?? []).map(toGroup),
    objectives: [...byObjective.values()].sort((a, b) => a.objective.localeCompare(b.objective)),
    trainees: facet?.trainees ?? [],
    page: Math.max(1, page),
    pages: Math.max(1, Math.ceil((summary?.n ?? 0) / pageSize)),
  };
}

/** Every paired trainee, streamed from a cursor (for exports). */
export async function* gainRows(ctx: AppContext, f: GainFilters): AsyncGenerator<GainTraineeRow> {
  const { collection, pipeline } = paired(ctx, f);
  const cursor = collection.aggregate<GainTraineeRow>(
    [...pipeline, { $project: { preResults: 0, postResults: 0 } }, { $sort: { name: 1, userId: 1 } }],
    { allowDiskUse: true, batchSize: EXPORT_BATCH },
  );
  for await (const row of cursor) yield row;
}
