import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { unpackResults, type FirstSubmission } from '../quizzes';
import { EXPORT_BATCH, testRecordSource, type Doc } from './data';
import {
  byNameThenId,
  groupStats,
  objectiveGains,
  pairedRow,
  reliabilityOf,
  type FirstTests,
  type FormReliability,
  type GainTraineeRow,
} from './gain-fold';

export type { FormReliability, GainGroup, GainTraineeRow, ObjectiveGain } from './gain-fold';

export interface GainFilters {
  courseId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  scope?: Types.ObjectId[];
}

/**
 * Each trainee's first submitted pre-test and first submitted post-test in scope (either may be
 * null), read from their test record (see quizzes' test-records.ts). Retakes never count: a retake
 * follows feedback on the same objectives (and, with one form, the same questions), so taking the
 * best attempt measured persistence, not learning (a 45 → 100 "gain" after three tries). "First" is
 * the least (attemptNo, submittedAt, _id) submitted attempt.
 */
function firstTests(o: { paired: boolean }): Doc[] {
  const has = (k: string) => ({ [`${k}.first.score`]: { $exists: true } });
  return [
    { $match: o.paired ? { ...has('pre'), ...has('post') } : { $or: [has('pre'), has('post')] } },
    { $lookup: { from: 'users', localField: 'userId', foreignField: '_id', as: 'u' } },
    {
      $project: {
        _id: 0,
        userId: 1,
        pre: { $ifNull: ['$pre.first', null] },
        post: { $ifNull: ['$post.first', null] },
        users: { $size: '$u' },
        name: { $arrayElemAt: ['$u.name', 0] },
        region: { $arrayElemAt: ['$u.region', 0] },
        locale: { $arrayElemAt: ['$u.locale', 0] },
      },
    },
  ];
}

const recordsOf = (ctx: AppContext, f: GainFilters) => testRecordSource(ctx, f.courseId, f.cohortId, f.scope);

/**
 * Cohort summary, splits by region and language, gain per objective, reliability per form and one
 * page of trainees: one grouped read of every trainee's first tests (a row per trainee), then folded
 * here — the database's work is one pass over the course's pre/post attempts.
 */
export async function learningGain(ctx: AppContext, f: GainFilters, page = 1, pageSize = 50) {
  const firsts = await firstTestsWithResults(ctx, f);
  const paired: FirstTests[] = [];
  const rows: GainTraineeRow[] = [];
  // Trainees with one test only are not in the figures, but are counted: if most never took the
  // post-test, the gain describes those who stayed, not the cohort.
  const unpaired = { preOnly: 0, postOnly: 0 };
  for (const t of firsts) {
    const row = pairedRow(t);
    if (row) {
      paired.push(t);
      rows.push(row);
    } else if (t.users && t.pre && !t.post) unpaired.preOnly++;
    else if (t.users && t.post && !t.pre) unpaired.postOnly++;
  }
  const summary = groupStats(rows)[0];
  // pageSize Infinity (the PDF): every trainee, from the first.
  const start = Number.isFinite(pageSize) ? (Math.max(1, page) - 1) * pageSize : 0;
  return {
    summary,
    unpaired,
    byRegion: groupStats(rows, (r) => r.region ?? ''),
    byLanguage: groupStats(rows, (r) => r.locale ?? ''),
    objectives: objectiveGains(paired),
    forms: reliabilityOf(firsts),
    trainees: rows.sort(byNameThenId).slice(start, start + pageSize),
    page: Math.max(1, page),
    pages: Math.max(1, Math.ceil((summary?.n ?? 0) / pageSize)),
  };
}

export async function formReliability(ctx: AppContext, f: GainFilters): Promise<FormReliability[]> {
  return reliabilityOf(await firstTestsWithResults(ctx, f));
}

/** Every trainee's first tests in scope, their results unpacked (see firstTests). */
async function firstTestsWithResults(ctx: AppContext, f: GainFilters): Promise<FirstTests[]> {
  const { collection, prefix } = await recordsOf(ctx, f);
  type Stored = Omit<FirstTests, 'pre' | 'post'> & Record<'pre' | 'post', FirstSubmission | null>;
  const stored = await collection
    .aggregate<Stored>([...prefix, ...firstTests({ paired: false })], { allowDiskUse: true, batchSize: 5000 })
    .toArray();
  const unpacked = (s: FirstSubmission | null) =>
    s && { score: s.score, form: s.form, results: unpackResults(s.resultsPacked) };
  return stored.map((t) => ({ ...t, pre: unpacked(t.pre), post: unpacked(t.post) }));
}

/** Every paired trainee, sorted by name and streamed from a cursor (for exports). */
export async function* gainRows(ctx: AppContext, f: GainFilters): AsyncGenerator<GainTraineeRow> {
  const { collection, prefix } = await recordsOf(ctx, f);
  const cursor = collection.aggregate<GainTraineeRow>(
    [
      ...prefix,
      ...firstTests({ paired: true }),
      { $match: { users: { $gt: 0 } } },
      {
        $project: {
          userId: 1,
          name: 1,
          region: { $ifNull: ['$region', ''] },
          locale: { $ifNull: ['$locale', ''] },
          pre: '$pre.score',
          post: '$post.score',
        },
      },
      { $sort: { name: 1, userId: 1 } },
    ],
    { allowDiskUse: true, batchSize: EXPORT_BATCH },
  );
  for await (const row of cursor)
    yield {
      ...row,
      gain: row.post - row.pre,
      normGain: row.pre < 100 ? (row.post - row.pre) / (100 - row.pre) : null,
    };
}
