import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { attemptSource, EXPORT_BATCH, type Doc } from './data';
import { kr20, pairedInterval } from './stats';

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

/**
 * Gain on one learning objective, paired: for each trainee with items of the objective in both their
 * first pre-test and first post-test, the share of those items answered correctly before and after.
 */
export interface ObjectiveGain {
  objective: string;
  /** Paired trainees. */
  n: number;
  /** Answers to the objective's items, before and after (over the n trainees). */
  preN: number;
  postN: number;
  /** Mean of the trainees' shares correct, percent. */
  preShare: number;
  postShare: number;
  /** Mean paired change, percentage points (= postShare − preShare). */
  gain: number;
  /** 95 % paired t-interval of the mean change; null below two trainees. */
  ci: [number, number] | null;
  /** Hake's class-average normalised gain: (postShare − preShare) / (100 − preShare); null at 100. */
  normGain: number | null;
  /** false when the interval includes zero (or there is none): the gain is not shown to be real. */
  shown: boolean;
}

/** KR-20 of one form, over every first attempt (pre- or post-test) that took it in scope. */
export interface FormReliability {
  form: string;
  attempts: number;
  items: number;
  kr20: number | null;
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
      objectives: Array<{
        _id: string;
        n: number;
        preN: number;
        postN: number;
        sumPre: number;
        sumPost: number;
        sumD: number;
        sumD2: number;
      }>;
      trainees: GainTraineeRow[];
    }>(
      [
        ...pipeline,
        {
          $facet: {
            summary: [groupStats(null)],
            byRegion: [groupStats('$region'), { $sort: { _id: 1 } }],
            byLanguage: [groupStats('$locale'), { $sort: { _id: 1 } }],
            // Per trainee and objective: share right before and after; then per objective the
            // sums a paired t-interval needs (n, Σd, Σd²) and the means for Hake's gain.
            objectives: [
              {
                $project: {
                  userId: 1,
                  x: { $concatArrays: [tagged('$preResults', 'pre'), tagged('$postResults', 'post')] },
                },
              },
              { $unwind: '$x' },
              {
                $group: {
                  _id: { u: '$userId', o: '$x.o' },
                  preN: { $sum: { $cond: [{ $eq: ['$x.k', 'pre'] }, 1, 0] } },
                  preC: { $sum: { $cond: [{ $eq: ['$x.k', 'pre'] }, '$x.c', 0] } },
                  postN: { $sum: { $cond: [{ $eq: ['$x.k', 'post'] }, 1, 0] } },
                  postC: { $sum: { $cond: [{ $eq: ['$x.k', 'post'] }, '$x.c', 0] } },
                },
              },
              { $match: { preN: { $gt: 0 }, postN: { $gt: 0 } } },
              {
                $project: {
                  preN: 1,
                  postN: 1,
                  pre: { $divide: [{ $multiply: [100, '$preC'] }, '$preN'] },
                  post: { $divide: [{ $multiply: [100, '$postC'] }, '$postN'] },
                },
              },
              { $addFields: { d: { $subtract: ['$post', '$pre'] } } },
              {
                $group: {
                  _id: '$_id.o',
                  n: { $sum: 1 },
                  preN: { $sum: '$preN' },
                  postN: { $sum: '$postN' },
                  sumPre: { $sum: '$pre' },
                  sumPost: { $sum: '$post' },
                  sumD: { $sum: '$d' },
                  sumD2: { $sum: { $multiply: ['$d', '$d'] } },
                },
              },
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
  const objectives = (facet?.objectives ?? []).map((o): ObjectiveGain => {
    const preShare = o.sumPre / o.n;
    const postShare = o.sumPost / o.n;
    const ci = pairedInterval(o.n, o.sumD, o.sumD2);
    return {
      objective: o._id,
      n: o.n,
      preN: o.preN,
      postN: o.postN,
      preShare,
      postShare,
      gain: o.sumD / o.n,
      ci,
      normGain: preShare < 100 ? (postShare - preShare) / (100 - preShare) : null,
      shown: !!ci && (ci[0] > 0 || ci[1] < 0),
    };
  });
  const summary = facet?.summary[0] ? toGroup(facet.summary[0]) : undefined;
  return {
    summary,
    byRegion: (facet?.byRegion ?? []).map(toGroup),
    byLanguage: (facet?.byLanguage ?? []).map(toGroup),
    objectives: objectives.sort((a, b) => a.objective.localeCompare(b.objective)),
    forms: await formReliability(ctx, f),
    trainees: facet?.trainees ?? [],
    page: Math.max(1, page),
    pages: Math.max(1, Math.ceil((summary?.n ?? 0) / pageSize)),
  };
}

/**
 * KR-20 per form: every trainee's first attempt at the pre-test and at the post-test in scope,
 * grouped by the form it took (attempts from before forms existed count as the form 'pre' or
 * 'post'). Items are the form's questions seen in those attempts; an unanswered one counts wrong.
 */
export async function formReliability(ctx: AppContext, f: GainFilters): Promise<FormReliability[]> {
  const match: Doc = { courseId: f.courseId, status: 'submitted', quizKey: { $in: ['pre', 'post'] } };
  const { collection, prefix } = attemptSource(ctx, f.courseId, f.cohortId, f.scope, match);
  const firsts = await collection
    .aggregate<{ form: string; results: Array<{ qid: string; correct: boolean }> }>(
      [
        ...prefix,
        { $project: { userId: 1, quizKey: 1, attemptNo: 1, submittedAt: 1, form: 1, results: 1 } },
        { $sort: { userId: 1, quizKey: 1, attemptNo: 1, submittedAt: 1, _id: 1 } },
        {
          $group: {
            _id: { u: '$userId', k: '$quizKey' },
            form: { $first: { $ifNull: ['$form', '$quizKey'] } },
            results: { $first: '$results' },
          },
        },
        { $project: { _id: 0, form: 1, results: 1 } },
      ],
      { allowDiskUse: true },
    )
    .toArray();
  const byForm = new Map<string, typeof firsts>();
  for (const a of firsts) byForm.set(a.form, [...(byForm.get(a.form) ?? []), a]);
  return [...byForm.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([form, attempts]) => {
      const items = [...new Set(attempts.flatMap((a) => (a.results ?? []).map((r) => r.qid)))].sort();
      const rows = attempts.map((a) => {
        const right = new Set((a.results ?? []).filter((r) => r.correct).map((r) => r.qid));
        return items.map((q) => (right.has(q) ? 1 : 0));
      });
      return { form, attempts: attempts.length, items: items.length, kr20: kr20(rows) };
    });
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
