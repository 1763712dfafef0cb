import { Schema, type Connection, type Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { modelOn } from '../../server/db/connect';
import { attemptModel } from './model';
import { packResults, unpackResults } from './packed-results';

/**
 * A trainee's pre-test and post-test in one course, summarised from their attempts: how many they
 * started and submitted, their first submission (score, form, packed results), best score, last
 * submission and whether any passed. Reports read one of these per trainee instead of grouping every
 * attempt of a course (at 10,000 trainees: 10,000 small documents instead of ~60,000 attempts).
 *
 * A record is never edited piece by piece: it is recomputed from the trainee's attempts whenever one
 * of their test attempts starts or is graded, and written only if it counts more events (attempts
 * started + submitted, which only grow) than the stored one. So two recomputations racing, a crash
 * between grading and recording, or a rebuild running beside live submissions all end with the
 * record of the trainee's latest attempts.
 */
export type TestKey = 'pre' | 'post';
export const TEST_KEYS: readonly TestKey[] = ['pre', 'post'];

export interface FirstSubmission {
  attemptNo: number;
  at?: Date;
  score: number;
  form: string;
  /** Its results, packed (see packed-results.ts). */
  resultsPacked: string;
  /** Its attitude and practice answers, keyed in the course's direction (none without a survey). */
  survey: Array<{ sid: string; keyed: number; high: boolean }>;
}

export interface TestSummary {
  attempts: number;
  submitted: number;
  /** The least (attemptNo, submittedAt, _id) submitted attempt: the one that measures. */
  first?: FirstSubmission;
  best?: number;
  last?: Date;
  passed?: boolean;
}

export interface TestRecord {
  userId: Types.ObjectId;
  courseId: Types.ObjectId;
  pre?: TestSummary;
  post?: TestSummary;
  /** Attempts started + submitted at both tests: the record's version. */
  events: number;
}

const schema = new Schema<TestRecord>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    courseId: { type: Schema.Types.ObjectId, required: true },
    pre: { type: Schema.Types.Mixed },
    post: { type: Schema.Types.Mixed },
    events: { type: Number, required: true, min: 0 },
  },
  { versionKey: false, collection: 'testrecords' },
);
// A trainee's records (reports scoped to cohorts join enrolments to them by userId) …
schema.index({ userId: 1, courseId: 1 }, { unique: true });
// … and a course's, in trainee order (reports over everyone, exports merged with enrolments).
schema.index({ courseId: 1, userId: 1 });

export const testRecordModel = (db: Connection) => modelOn<TestRecord>(db, 'TestRecord', schema);
/** The collection's name, for reports that read it through the driver. */
export const TEST_RECORDS = 'testrecords';

/**
 * Groups test attempts (matched before these stages) into one row per trainee and course with what a
 * record holds. The database does the folding, one pass, no sort (the embedded server sorts slowly).
 */
function summaryStages(): Record<string, unknown>[] {
  const fields = TEST_KEYS.flatMap((k) => {
    const isK = { $eq: ['$quizKey', k] };
    const submitted = { $and: [isK, { $eq: ['$status', 'submitted'] }] };
    const when = (v: unknown) => ({ $cond: [isK, v, null] });
    const first = {
      // $min compares field by field: attemptNo, then submittedAt, then _id.
      a: '$attemptNo',
      s: { $ifNull: ['$submittedAt', null] },
      i: '$_id',
      score: '$score',
      form: { $ifNull: ['$form', '$quizKey'] },
      r: { $ifNull: ['$resultsPacked', { $ifNull: ['$results', []] }] },
      v: {
        $map: {
          input: { $ifNull: ['$surveyResults', []] },
          as: 'x',
          in: { sid: '$$x.sid', keyed: '$$x.keyed', high: '$$x.high' },
        },
      },
    };
    return [
      [`${k}Attempts`, { $sum: { $cond: [isK, 1, 0] } }],
      [`${k}Submitted`, { $sum: { $cond: [submitted, 1, 0] } }],
      [`${k}First`, { $min: { $cond: [submitted, first, null] } }],
      [`${k}Best`, { $max: when('$score') }],
      [`${k}Last`, { $max: when('$submittedAt') }],
      [`${k}Passed`, { $max: when('$passed') }],
    ];
  });
  return [
    { $group: { _id: { u: '$userId', c: '$courseId' }, ...Object.fromEntries(fields) } },
    { $sort: { '_id.u': 1 } },
  ];
}

type Grouped = { _id: { u: Types.ObjectId; c: Types.ObjectId } } & Record<string, unknown>;

function toRecord(g: Grouped): TestRecord {
  const record: TestRecord = { userId: g._id.u, courseId: g._id.c, events: 0 };
  for (const k of TEST_KEYS) {
    const attempts = g[`${k}Attempts`] as number;
    if (!attempts) continue;
    const submitted = g[`${k}Submitted`] as number;
    const first = g[`${k}First`] as {
      a: number;
      s: Date | null;
      score: number;
      form: string;
      r: unknown;
      v: FirstSubmission['survey'];
    } | null;
    record[k] = {
      attempts,
      submitted,
      ...(first
        ? {
            first: {
              attemptNo: first.a,
              ...(first.s ? { at: first.s } : {}),
              score: first.score,
              form: first.form,
              // An attempt graded before results were packed has only the sub-documents.
              resultsPacked: typeof first.r === 'string' ? first.r : packResults(unpackResults(first.r)),
              survey: first.v,
            },
          }
        : {}),
      ...(g[`${k}Best`] != null ? { best: g[`${k}Best`] as number } : {}),
      ...(g[`${k}Last`] != null ? { last: g[`${k}Last`] as Date } : {}),
      ...(g[`${k}Passed`] != null ? { passed: g[`${k}Passed`] as boolean } : {}),
    };
    record.events += attempts + submitted;
  }
  return record;
}

function testAttempts(match: Record<string, unknown>) {
  return { $match: { ...match, quizKey: { $in: [...TEST_KEYS] } } };
}

/**
 * Writes records that count at least as many events as the stored ones, inserting the missing. As
 * many events means the same attempts, so rewriting it changes nothing but the format (a rebuild
 * after the record's shape grew); a record stored meanwhile with more events stays (its upsert
 * collides with it on the unique index).
 */
async function store(ctx: AppContext, records: TestRecord[]): Promise<void> {
  if (!records.length) return;
  try {
    await testRecordModel(ctx.db).collection.bulkWrite(
      records.map((r) => ({
        updateOne: {
          filter: { userId: r.userId, courseId: r.courseId, events: { $lte: r.events } },
          update: { $set: { pre: r.pre ?? null, post: r.post ?? null, events: r.events } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  } catch (err) {
    const errors = (err as { writeErrors?: Array<{ code?: number }> }).writeErrors ?? [];
    if (!errors.length || errors.some((e) => e.code !== 11000)) throw err;
  }
}

/** Recomputes one trainee's record of one course (after their test attempt started or was graded). */
export async function refreshTestRecord(
  ctx: AppContext,
  userId: Types.ObjectId,
  courseId: Types.ObjectId,
): Promise<void> {
  const [grouped] = await attemptModel(ctx.db)
    .collection.aggregate<Grouped>([testAttempts({ userId, courseId }), ...summaryStages()])
    .toArray();
  if (grouped) await store(ctx, [toRecord(grouped)]);
}

const REBUILD_BATCH = 1000;

/**
 * Recomputes every record of a course from its attempts (a database from before records existed, or
 * a repair): safe beside live submissions, since a record is only ever replaced by a newer one.
 */
export async function rebuildTestRecords(ctx: AppContext, courseId: Types.ObjectId): Promise<number> {
  const cursor = attemptModel(ctx.db).collection.aggregate<Grouped>(
    [testAttempts({ courseId }), ...summaryStages()],
    { allowDiskUse: true, batchSize: REBUILD_BATCH },
  );
  let batch: TestRecord[] = [];
  let n = 0;
  for await (const g of cursor) {
    batch.push(toRecord(g));
    if (batch.length < REBUILD_BATCH) continue;
    await store(ctx, batch);
    n += batch.length;
    batch = [];
  }
  await store(ctx, batch);
  return n + batch.length;
}

/** The records' shape: a course built at an older one is built again (records gained `survey`: 2). */
const RECORD_FORMAT = 2;

/** Courses whose records were built once from all their attempts; from then on the hooks keep them. */
const builtSchema = new Schema<{ _id: Types.ObjectId; builtAt: Date; format: number }>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    builtAt: { type: Date, required: true },
    format: { type: Number, required: true },
  },
  { versionKey: false, collection: 'testrecordbuilds' },
);
const builtModel = (db: Connection) => modelOn(db, 'TestRecordBuild', builtSchema);

/**
 * Builds the records of every course with test attempts whose records were never built in full (a
 * database from before records existed), or were built in an older format. "Has a record" would not
 * do: on the first start after an upgrade a trainee's submission can record itself before this job
 * reaches the course.
 */
export async function buildMissingTestRecords(ctx: AppContext): Promise<number> {
  const courseIds = (await attemptModel(ctx.db).collection.distinct('courseId', {
    quizKey: { $in: [...TEST_KEYS] },
  })) as Types.ObjectId[];
  const Built = builtModel(ctx.db);
  let built = 0;
  for (const courseId of courseIds) {
    if (await Built.exists({ _id: courseId, format: RECORD_FORMAT })) continue;
    built += await rebuildTestRecords(ctx, courseId);
    await Built.updateOne(
      { _id: courseId },
      { $set: { builtAt: ctx.clock.now(), format: RECORD_FORMAT } },
      { upsert: true },
    );
  }
  return built;
}

/** How often the records job runs; it looks back twice as far, so no change falls between two runs. */
export const TEST_RECORDS_INTERVAL_MS = 3_600_000;

/**
 * Recomputes the records of every trainee whose test attempts changed (started, saved, graded) in the
 * last two intervals. Returns how many records it recomputed.
 */
export async function refreshRecentTestRecords(ctx: AppContext): Promise<number> {
  const since = new Date(ctx.clock.now().getTime() - 2 * TEST_RECORDS_INTERVAL_MS);
  const changed = await attemptModel(ctx.db)
    .collection.aggregate<{ _id: { u: Types.ObjectId; c: Types.ObjectId } }>([
      testAttempts({ updatedAt: { $gte: since } }),
      { $group: { _id: { u: '$userId', c: '$courseId' } } },
    ])
    .toArray();
  for (const { _id } of changed) await refreshTestRecord(ctx, _id.u, _id.c);
  return changed.length;
}

/** Whether a quiz key is one of the course's measuring tests (the ones with records). */
export const isTestKey = (key: string): key is TestKey => (TEST_KEYS as readonly string[]).includes(key);
