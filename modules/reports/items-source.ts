import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { isTestKey, unpackResults, type AttemptResult } from '../quizzes';
import { attemptSource, col, PACKED_RESULTS, testRecordSource, type Doc } from './data';

export interface ItemFilters {
  courseId: Types.ObjectId;
  quizId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  scope?: Types.ObjectId[];
}

const READ = { allowDiskUse: true, batchSize: 5000 };

/**
 * The results of each trainee's first submitted attempt at the quiz, one entry per trainee. Retakes
 * never count: a retake follows feedback on the same questions, so it would count a person twice and
 * raise facility with answers they were just shown. Pre- and post-tests read the trainees' test
 * records (the same first submissions the gain report reads); a lesson quiz keeps, per trainee, the
 * least (attemptNo, submittedAt, _id) submitted attempt — the rule the records follow.
 */
export async function firstAttemptResults(ctx: AppContext, f: ItemFilters): Promise<AttemptResult[][]> {
  const quiz = await col(ctx.db, 'quizzes').findOne({ _id: f.quizId }, { projection: { key: 1 } });
  const key = String(quiz?.key ?? '');
  const rows = isTestKey(key) ? await fromTestRecords(ctx, f, key) : await fromAttempts(ctx, f);
  return rows.map((row) => unpackResults(row.r));
}

async function fromTestRecords(ctx: AppContext, f: ItemFilters, key: 'pre' | 'post') {
  const { collection, prefix } = await testRecordSource(ctx, f.courseId, f.cohortId, f.scope);
  const packed = `${key}.first.resultsPacked`;
  return collection
    .aggregate<{ r: unknown }>(
      [...prefix, { $match: { [packed]: { $exists: true } } }, { $project: { _id: 0, r: `$${packed}` } }],
      READ,
    )
    .toArray();
}

async function fromAttempts(ctx: AppContext, f: ItemFilters) {
  const match: Doc = { quizId: f.quizId, status: 'submitted' };
  const { collection, prefix } = attemptSource(ctx, f.courseId, f.cohortId, f.scope, match);
  // $min compares field by field: attemptNo, then submittedAt, then _id. No sort (the embedded
  // server sorts slowly): the database folds each trainee's attempts in one pass.
  const first = { a: '$attemptNo', s: { $ifNull: ['$submittedAt', null] }, i: '$_id', r: PACKED_RESULTS };
  return collection
    .aggregate<{ r: unknown }>(
      [
        ...prefix,
        { $group: { _id: '$userId', first: { $min: first } } },
        { $project: { _id: 0, r: '$first.r' } },
      ],
      READ,
    )
    .toArray();
}
