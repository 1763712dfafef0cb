import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { InFlight } from '../../server/in-flight';
import { ensureTestRecords, type TestRecord, type TestSummary } from '../quizzes';
import { EXPORT_BATCH, col, enrolmentMatch, testRecordSource, type Doc } from './data';

export const PAGE_SIZE = 50;

export interface CompletionFilters {
  courseId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  region?: string;
  outlet?: string;
  language?: 'en' | 'mn';
  status?: 'enrolled' | 'in_progress' | 'completed';
  sort?: 'name' | '-name' | 'status' | 'activity' | 'started';
  scope?: Types.ObjectId[];
}

export interface TestCell {
  status: 'none' | 'started' | 'submitted';
  score?: number;
  passed?: boolean;
  at?: Date;
  attempts: number;
}

export interface CompletionRow {
  userId: Types.ObjectId;
  name: string;
  email: string;
  region?: string;
  outlet?: string;
  locale?: string;
  cohortId?: Types.ObjectId;
  status: string;
  startedAt?: Date;
  lastActivityAt?: Date;
  completedAt?: Date;
  lessonsViewed: number;
  lessonQuizzesPassed: number;
  pre: TestCell;
  post: TestCell;
}

const SORTS: Record<NonNullable<CompletionFilters['sort']>, Doc> = {
  name: { name: 1, userId: 1 },
  '-name': { name: -1, userId: 1 },
  status: { status: 1, name: 1, userId: 1 },
  activity: { lastActivityAt: -1, userId: 1 },
  started: { startedAt: 1, userId: 1 },
};

/** Enrolments joined to their trainee, filtered and sorted; everything happens in the database. */
function basePipeline(f: CompletionFilters): Doc[] {
  const match = enrolmentMatch(f.courseId, f.cohortId, f.scope);
  if (f.status) match.status = f.status;
  const userMatch: Doc = {};
  if (f.region) userMatch['u.region'] = f.region;
  if (f.outlet) userMatch['u.outlet'] = f.outlet;
  if (f.language) userMatch['u.locale'] = f.language;
  return [
    { $match: match },
    { $lookup: { from: 'users', localField: 'userId', foreignField: '_id', as: 'u' } },
    { $unwind: '$u' },
    ...(Object.keys(userMatch).length ? [{ $match: userMatch }] : []),
    {
      $project: {
        _id: 0,
        userId: 1,
        cohortId: 1,
        status: 1,
        startedAt: 1,
        lastActivityAt: 1,
        completedAt: 1,
        name: '$u.name',
        email: '$u.email',
        region: '$u.region',
        outlet: '$u.outlet',
        locale: '$u.locale',
        // Counted where the data lives: the arrays never cross the wire ($setUnion drops repeats).
        lessonsViewed: { $size: { $setUnion: [{ $ifNull: ['$lessonsViewed.lessonId', []] }] } },
        lessonQuizzesPassed: {
          $size: {
            $filter: {
              input: { $setUnion: [{ $ifNull: ['$quizzesPassed', []] }] },
              as: 'key',
              cond: { $eq: [{ $substrCP: ['$$key', 0, 7] }, 'lesson:'] },
            },
          },
        },
      },
    },
    { $sort: SORTS[f.sort ?? 'name'] },
  ];
}

type RawRow = Omit<CompletionRow, 'pre' | 'post'>;

type TestKey = 'pre' | 'post';

/** The test records of one page of trainees: an indexed look-up of at most a page of ids. */
async function recordsOf(ctx: AppContext, courseId: Types.ObjectId, userIds: Types.ObjectId[]) {
  await ensureTestRecords(ctx, courseId);
  const rows = await col(ctx.db, 'testRecords')
    .find({ courseId, userId: { $in: userIds } }, { projection: { userId: 1, pre: 1, post: 1 } })
    .toArray();
  return new Map(rows.map((r) => [String(r.userId), r as unknown as TestRecord]));
}

/** A test's cell: the pre-test shows the first submission (what measures), the post-test the best. */
function cell(s: TestSummary | null | undefined, key: TestKey): TestCell {
  if (!s) return { status: 'none', attempts: 0 };
  if (!s.submitted) return { status: 'started', attempts: s.attempts };
  return {
    status: 'submitted',
    score: key === 'pre' ? s.first?.score : s.best,
    passed: !!s.passed,
    at: key === 'pre' ? s.first?.at : s.last,
    attempts: s.attempts,
  };
}

async function enrich(ctx: AppContext, courseId: Types.ObjectId, raw: RawRow[]): Promise<CompletionRow[]> {
  const records = await recordsOf(
    ctx,
    courseId,
    raw.map((r) => r.userId),
  );
  return raw.map((r) => toRow(r, records.get(String(r.userId))));
}

function toRow(r: RawRow, record: TestRecord | undefined): CompletionRow {
  return {
    ...r,
    pre: cell(record?.pre, 'pre'),
    post: cell(record?.post, 'post'),
  };
}

/** Course totals shown in the header: how many lessons and lesson quizzes there are. */
async function courseTotals(ctx: AppContext, courseId: Types.ObjectId) {
  const [course, lessonQuizzes] = await Promise.all([
    col(ctx.db, 'courses').findOne({ _id: courseId }, { projection: { lessonIds: 1 } }),
    col(ctx.db, 'quizzes').countDocuments({ courseId, kind: 'lesson' }),
  ]);
  const lessonIds = (course?.lessonIds as unknown[] | undefined) ?? [];
  const lessons = lessonIds.length || (await col(ctx.db, 'lessons').countDocuments({ courseId }));
  return { lessons, lessonQuizzes };
}

export type CompletionMatrix = Awaited<ReturnType<typeof computeMatrix>>;
const matrices = new InFlight<CompletionMatrix>();

/**
 * One page of the completion matrix with totals and counts by status. Identical requests arriving
 * while one is computed share its result (a cohort's trainers opening the report together cost one
 * computation); the result is shared, so callers must not mutate it.
 */
export function completionMatrix(ctx: AppContext, f: CompletionFilters, page = 1): Promise<CompletionMatrix> {
  const key = `${ctx.db.id}|${JSON.stringify(f)}|${page}`;
  return matrices.run(key, () => computeMatrix(ctx, f, page));
}

async function computeMatrix(ctx: AppContext, f: CompletionFilters, page: number) {
  const skip = (Math.max(1, page) - 1) * PAGE_SIZE;
  const [facet] = await col(ctx.db, 'enrolments')
    .aggregate<{ rows: RawRow[]; total: Array<{ n: number }>; byStatus: Array<{ _id: string; n: number }> }>([
      ...basePipeline(f),
      {
        $facet: {
          rows: [{ $skip: skip }, { $limit: PAGE_SIZE }],
          total: [{ $count: 'n' }],
          byStatus: [{ $group: { _id: '$status', n: { $sum: 1 } } }],
        },
      },
    ])
    .toArray();
  const total = facet?.total[0]?.n ?? 0;
  const counts = { enrolled: 0, in_progress: 0, completed: 0 } as Record<string, number>;
  for (const s of facet?.byStatus ?? []) counts[s._id] = s.n;
  return {
    rows: await enrich(ctx, f.courseId, facet?.rows ?? []),
    total,
    counts,
    page: Math.max(1, page),
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    totals: await courseTotals(ctx, f.courseId),
  };
}

/**
 * Every row, for exports: the enrolments and the trainees' test records are two cursors, both ordered
 * by trainee id, merged as they stream — constant memory and no long `$in` lists. (So exports are
 * ordered by trainee id, not by the page's sort.)
 */
export async function* completionRows(ctx: AppContext, f: CompletionFilters): AsyncGenerator<CompletionRow> {
  const rowCursor = col(ctx.db, 'enrolments').aggregate<RawRow>(
    [...basePipeline(f).slice(0, -1), { $sort: { userId: 1 } }],
    { allowDiskUse: true, batchSize: EXPORT_BATCH },
  );
  const rows = rowCursor[Symbol.asyncIterator]();
  const { collection, prefix } = await testRecordSource(ctx, f.courseId, f.cohortId, f.scope);
  const recordCursor = collection.aggregate<TestRecord>(
    [...prefix, { $project: { userId: 1, pre: 1, post: 1 } }, { $sort: { userId: 1 } }],
    { allowDiskUse: true, batchSize: EXPORT_BATCH },
  );
  const records = recordCursor[Symbol.asyncIterator]();
  let next = await records.next();
  for (let r = await rows.next(); !r.done; r = await rows.next()) {
    const uid = String(r.value.userId);
    while (!next.done && String(next.value.userId) < uid) next = await records.next();
    const mine = !next.done && String(next.value.userId) === uid ? next.value : undefined;
    yield toRow(r.value, mine);
  }
  await records.return?.();
}
