import { Schema, type Connection, type Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { modelOn } from '../../server/db/connect';
import { isUnreachable } from '../../server/db/reachability';
import { InFlight } from '../../server/in-flight';
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

/** What a failed bulk write says: the failed operations, and any write concern error beside them. */
interface BulkFailure {
  writeErrors?: Array<{ code?: number; index: number }>;
  result?: { getWriteConcernError?: () => unknown };
}

const conditionalUpdate = (r: TestRecord, upsert: boolean) => ({
  updateOne: {
    filter: { userId: r.userId, courseId: r.courseId, events: { $lte: r.events } },
    update: { $set: { pre: r.pre ?? null, post: r.post ?? null, events: r.events } },
    upsert,
  },
});

/**
 * The records whose upsert collided with a record stored meanwhile; rethrows anything else (a write
 * concern error included: a write that may not have lasted is not "stored meanwhile").
 */
export function collided(err: unknown, records: TestRecord[]): TestRecord[] {
  const { writeErrors = [], result } = err as BulkFailure;
  if (!writeErrors.length || writeErrors.some((e) => e.code !== 11000)) throw err;
  if (result?.getWriteConcernError?.()) throw err;
  return writeErrors.map((e) => records[e.index]!);
}

/**
 * Writes records that count at least as many events as the stored ones, inserting the missing. As
 * many events means the same attempts, so rewriting it changes nothing but the format (a rebuild
 * after the record's shape grew). An upsert that collides on the unique index met a record written
 * meanwhile (a racing recomputation): it is retried as a plain conditional update, so the one with
 * more events wins whichever was first.
 */
async function store(ctx: AppContext, records: TestRecord[]): Promise<void> {
  if (!records.length) return;
  await ensureRecordIndex(ctx);
  try {
    await recordsOf(ctx).bulkWrite(
      records.map((r) => conditionalUpdate(r, true)),
      { ordered: false },
    );
  } catch (err) {
    await retryCollided(ctx, collided(err, records));
  }
}

/** The colliding records again, as plain conditional updates now that a record exists for each. */
export async function retryCollided(ctx: AppContext, records: TestRecord[]): Promise<void> {
  if (!records.length) return;
  await recordsOf(ctx).bulkWrite(
    records.map((r) => conditionalUpdate(r, false)),
    { ordered: false },
  );
}

const recordsOf = (ctx: AppContext) => ctx.db.collection(TEST_RECORDS);
const recordIndexes = new WeakMap<Connection, Promise<void>>();

/**
 * The unique index on (userId, courseId), made before the first write, whatever the connection's
 * autoIndex: without it two racing upserts could insert twins. Only a success is remembered, so a
 * failure (the database away a moment) is tried again by the next write.
 */
function ensureRecordIndex(ctx: AppContext): Promise<void> {
  let made = recordIndexes.get(ctx.db);
  if (!made) {
    made = createRecordIndex(ctx);
    recordIndexes.set(ctx.db, made);
    made.catch(() => recordIndexes.delete(ctx.db));
  }
  return made;
}

async function createRecordIndex(ctx: AppContext): Promise<void> {
  const create = () => recordsOf(ctx).createIndex({ userId: 1, courseId: 1 }, { unique: true });
  try {
    await create();
  } catch (err) {
    // Twins written before the index existed keep it from building: those with fewer events go first.
    if ((err as { code?: number }).code !== 11000) throw err;
    await dropTwins(ctx);
    await create();
  }
}

/** Deletes all but the record with most events of each trainee and course. */
async function dropTwins(ctx: AppContext): Promise<number> {
  const twins = await recordsOf(ctx)
    .aggregate<{ ids: Types.ObjectId[] }>([
      { $sort: { events: -1 } },
      { $group: { _id: { u: '$userId', c: '$courseId' }, ids: { $push: '$_id' }, n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ])
    .toArray();
  const extras = twins.flatMap((t) => t.ids.slice(1));
  if (extras.length) await recordsOf(ctx).deleteMany({ _id: { $in: extras } });
  return extras.length;
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

/**
 * Courses whose records were built once from all their attempts (from then on the hooks keep them),
 * and, under the id SWEPT, how far the hourly sweep has recomputed the records of changed attempts.
 */
interface BuildMark {
  _id: Types.ObjectId | string;
  builtAt?: Date;
  format?: number;
  /** On SWEPT only: every attempt changed before this was recomputed by a sweep. */
  through?: Date;
}
const SWEPT = 'swept';
const marks = (ctx: AppContext) => ctx.db.collection<BuildMark>('testrecordbuilds');

// A newer format counts as built: during a rolling upgrade the older processes must not rebuild.
const isBuilt = async (ctx: AppContext, courseId: Types.ObjectId) =>
  (await marks(ctx).countDocuments({ _id: courseId, format: { $gte: RECORD_FORMAT } }, { limit: 1 })) > 0;

const builds = new InFlight<number>();

/** Builds a course's records; requests for the same course meanwhile share the one build. */
function buildCourse(ctx: AppContext, courseId: Types.ObjectId): Promise<number> {
  return builds.run(`${ctx.db.id}|${String(courseId)}`, async () => {
    const n = await rebuildTestRecords(ctx, courseId);
    await marks(ctx).updateOne(
      { _id: courseId },
      { $set: { builtAt: ctx.clock.now() }, $max: { format: RECORD_FORMAT } },
      { upsert: true },
    );
    return n;
  });
}

/**
 * Builds a course's records now if they were never built (or at an older format): a report asked
 * before the start-up job reached the course must not read half its trainees. Built once, it is one
 * indexed read.
 */
export async function ensureTestRecords(ctx: AppContext, courseId: Types.ObjectId): Promise<void> {
  if (!(await isBuilt(ctx, courseId))) await buildCourse(ctx, courseId);
}

/**
 * Builds the records of every course with test attempts whose records were never built in full (a
 * database from before records existed), or were built in an older format. "Has a record" would not
 * do: on the first start after an upgrade a trainee's submission can record itself before this job
 * reaches the course. A course that fails is logged and left for the next run; the others go on.
 */
export async function buildMissingTestRecords(ctx: AppContext): Promise<number> {
  const courseIds = (await attemptModel(ctx.db).collection.distinct('courseId', {
    quizKey: { $in: [...TEST_KEYS] },
  })) as Types.ObjectId[];
  let built = 0;
  const failed: unknown[] = [];
  for (const courseId of courseIds) {
    try {
      if (!(await isBuilt(ctx, courseId))) built += await buildCourse(ctx, courseId);
    } catch (err) {
      ctx.log.error({ err, courseId: String(courseId) }, 'test records of a course not built');
      failed.push(err);
    }
  }
  if (failed.length) throw new AggregateError(failed, `${failed.length} course(s) not built`);
  return built;
}

/** How often the records job runs. */
export const TEST_RECORDS_INTERVAL_MS = 3_600_000;

/**
 * Recomputes the records of every trainee whose test attempts changed (started, saved, graded) since
 * the mark the last sweep left, less an interval (writes in flight while it ran, clocks of other
 * processes a little behind); on the first sweep, in the last two intervals. A trainee whose record
 * fails holds the mark at their change, so the next sweep tries them again; a database out of reach
 * ends the sweep at once (the next run starts over). Returns how many records it recomputed.
 */
export async function refreshRecentTestRecords(ctx: AppContext): Promise<number> {
  const startedAt = ctx.clock.now();
  const mark = await marks(ctx).findOne({ _id: SWEPT });
  const from = mark?.through ?? new Date(startedAt.getTime() - TEST_RECORDS_INTERVAL_MS);
  const since = new Date(from.getTime() - TEST_RECORDS_INTERVAL_MS);
  const changed = await attemptModel(ctx.db)
    .collection.aggregate<{ _id: { u: Types.ObjectId; c: Types.ObjectId }; at: Date }>([
      testAttempts({ updatedAt: { $gte: since } }),
      { $group: { _id: { u: '$userId', c: '$courseId' }, at: { $min: '$updatedAt' } } },
    ])
    .toArray();
  let failedFrom: Date | undefined;
  for (const { _id, at } of changed) {
    try {
      await refreshTestRecord(ctx, _id.u, _id.c);
    } catch (err) {
      if (isUnreachable(err)) throw err;
      ctx.log.error({ err, userId: String(_id.u) }, 'test record not recomputed');
      if (!failedFrom || at < failedFrom) failedFrom = at;
    }
  }
  // $max: a sweep that overlapped a later one never moves the mark back.
  await marks(ctx).updateOne(
    { _id: SWEPT },
    { $max: { through: failedFrom ?? startedAt } },
    { upsert: true },
  );
  if (failedFrom) throw new Error('some test records were not recomputed (logged above)');
  return changed.length;
}

/**
 * The hooks' call: a record that fails to be written is logged, not the trainee's error (their
 * attempt is saved; the hourly sweep recomputes the record from it).
 */
export async function tryRefreshTestRecord(
  ctx: AppContext,
  userId: Types.ObjectId,
  courseId: Types.ObjectId,
): Promise<void> {
  try {
    await refreshTestRecord(ctx, userId, courseId);
  } catch (err) {
    ctx.log.error({ err, userId: String(userId) }, 'test record not recomputed; the hourly sweep will');
  }
}

/** Whether a quiz key is one of the course's measuring tests (the ones with records). */
export const isTestKey = (key: string): key is TestKey => (TEST_KEYS as readonly string[]).includes(key);
