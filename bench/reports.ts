/**
 * `npm run bench:reports`: times each report's service function and each export (to a null sink) on
 * the large data set from bench/generate-large.ts, sampling process.memoryUsage() every 10 ms for peak
 * RSS and heap. Prints a table and writes bench/results/reports.json. (`npm run bench` times the same
 * reports as HTTP requests of an admin: bench/report-requests.ts.)
 *
 * MONGODB_URI (+ BENCH_DB) to use an existing database (generated when empty); otherwise the embedded
 * server is started and filled. Note: the database's own memory is not in these figures (separate process).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Types } from 'mongoose';
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from '../server/db/embedded';
import mongoose from 'mongoose';
import { createUmbrella } from '../server/plugin';
import { translator } from '../server/i18n';
import { completionMatrix } from '../modules/reports/completion';
import { learningGain } from '../modules/reports/gain';
import { itemAnalysis } from '../modules/reports/items';
import { grantPipeline } from '../modules/reports/pipeline';
import { cohortScope } from '../modules/reports/data';
import { createDeclaredIndexes } from './indexes';
import { exportTable } from '../modules/reports/tables';
import { nullSink, writeCsv, writeXlsx } from '../modules/reports/export';
import { writeCohortPdf } from '../modules/reports/pdf';
import type { ReportQuery } from '../modules/reports/schemas';
import { generateLarge } from './generate-large';
import { buildMissingTestRecords } from '../modules/quizzes/test-records';

const { values: opts } = parseArgs({
  options: {
    trainees: { type: 'string', default: '10000' },
    'attempts-per-trainee': { type: 'string', default: '10' },
    pitches: { type: 'string', default: '1000' },
  },
});

interface Row {
  name: string;
  ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  heapDeltaMb: number;
  note?: string;
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

async function measure(name: string, fn: () => Promise<string | void>): Promise<Row> {
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 10);
  const started = performance.now();
  const note = await fn();
  const ms = Math.round(performance.now() - started);
  clearInterval(timer);
  const end = process.memoryUsage();
  peakRss = Math.max(peakRss, end.rss);
  peakHeap = Math.max(peakHeap, end.heapUsed);
  const row = {
    name,
    ms,
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    heapDeltaMb: mb(peakHeap - base.heapUsed),
    note: note || undefined,
  };
  console.log(
    `${name.padEnd(34)} ${String(ms).padStart(7)} ms  rss ${String(row.peakRssMb).padStart(6)} MB  heap ${String(row.peakHeapMb).padStart(6)} MB (+${row.heapDeltaMb})${row.note ? '  ' + row.note : ''}`,
  );
  return row;
}

const embedded = process.env.MONGODB_URI
  ? undefined
  : await startEmbeddedMongo({
      backend: 'memory',
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'umbrella-bench-')),
    });
// Long timeouts: the embedded server answers one command at a time, so a long aggregation must not
// make the driver's heartbeat give up on it.
const db = mongoose.createConnection(process.env.MONGODB_URI ?? embedded!.uri, {
  dbName: process.env.BENCH_DB ?? 'umbrella_bench',
  serverSelectionTimeoutMS: 600_000,
  connectTimeoutMS: 600_000,
  socketTimeoutMS: 0,
  heartbeatFrequencyMS: 300_000,
});
await db.asPromise();
const { ctx } = createUmbrella({
  connection: db,
  jobs: 'none',
  config: { sessionSecret: 'bench-secret-0123456789-0123456789-abcdef', logLevel: 'silent', env: 'test' },
});

const rows: Row[] = [];
if ((await db.collection('attempts').estimatedDocumentCount()) === 0) {
  rows.push(
    await measure('generate data set', async () => {
      await generateLarge(db, {
        trainees: Number(opts.trainees),
        attemptsPerTrainee: Number(opts['attempts-per-trainee']),
        pitches: Number(opts.pitches),
      });
    }),
  );
}
rows.push(await measure('create indexes', () => createDeclaredIndexes(ctx.db)));
// What the start-up job does for attempts stored before test records existed.
rows.push(await measure('build test records', async () => `${await buildMissingTestRecords(ctx)} records`));
const counts = Object.fromEntries(
  await Promise.all(
    ['users', 'enrolments', 'attempts', 'pitches', 'reviews'].map(async (c) => [
      c,
      await db.collection(c).countDocuments(),
    ]),
  ),
);
console.log('data set:', counts);

const course = (await db.collection('courses').findOne({ slug: 'tip-reporting' }))!;
const courseId = course._id as unknown as Types.ObjectId;
const post = (await db.collection('quizzes').findOne({ courseId, key: 'post' }))!;
const call = (await db.collection('calls').findOne({}, { sort: { _id: 1 } }))!;
const trainer = (await db.collection('users').findOne({ role: 'trainer' }, { sort: { _id: 1 } }))!;
const admin = { id: '000000000000000000000000', role: 'admin' as const };
const trainerViewer = { id: String(trainer._id), role: 'trainer' as const };
const scope = await cohortScope(ctx, trainerViewer);
const cohortId = scope?.[0];
const t = translator('en');

rows.push(
  await measure(
    'completion page 1 (admin)',
    async () => `${(await completionMatrix(ctx, { courseId }, 1)).total} rows`,
  ),
);
rows.push(
  await measure(
    'completion page 100 (admin, by activity)',
    async () => void (await completionMatrix(ctx, { courseId, sort: 'activity' }, 100)),
  ),
);
rows.push(
  await measure(
    'completion filtered (region+lang)',
    async () =>
      `${(await completionMatrix(ctx, { courseId, region: 'Darkhan-Uul', language: 'mn' }, 1)).total} rows`,
  ),
);
rows.push(
  await measure(
    'completion (trainer scope)',
    async () => `${(await completionMatrix(ctx, { courseId, scope }, 1)).total} rows`,
  ),
);
rows.push(
  await measure(
    'learning gain (admin, all)',
    async () => `${(await learningGain(ctx, { courseId })).summary?.n ?? 0} paired`,
  ),
);
rows.push(
  await measure(
    'learning gain (one cohort)',
    async () => `${(await learningGain(ctx, { courseId, cohortId })).summary?.n ?? 0} paired`,
  ),
);
rows.push(
  await measure(
    'item analysis (post-test)',
    async () =>
      `${(await itemAnalysis(ctx, { courseId, quizId: post._id as unknown as Types.ObjectId })).total} attempts`,
  ),
);
rows.push(
  await measure(
    'grant pipeline (one call)',
    async () =>
      `${(await grantPipeline(ctx, call._id as unknown as Types.ObjectId)).funnel.map((s) => s.n).join('→')}`,
  ),
);

const exportOf = (table: Parameters<typeof exportTable>[2], q: ReportQuery, format: 'csv' | 'xlsx' = 'csv') =>
  measure(`export ${table}.${format}`, async () => {
    const data = await exportTable(ctx, admin, table, q, t, 'en');
    const headers = data.columns.map((c) => t(c.header));
    let n = 0;
    const counted = (async function* () {
      for await (const r of data.rows) {
        n++;
        yield r;
      }
    })();
    if (format === 'xlsx') await writeXlsx(nullSink(), table, headers, data.columns, counted);
    else await writeCsv(nullSink(), headers, data.columns, counted);
    return `${n} rows`;
  });
rows.push(await exportOf('completion', { course: 'tip-reporting' }));
rows.push(await exportOf('completion', { course: 'tip-reporting' }, 'xlsx'));
rows.push(await exportOf('gain', { course: 'tip-reporting' }));
rows.push(await exportOf('gain-objectives', { course: 'tip-reporting' }));
rows.push(await exportOf('items', { course: 'tip-reporting', quiz: 'post' }));
rows.push(await exportOf('misconceptions', { course: 'tip-reporting', quiz: 'post' }));
rows.push(await exportOf('pipeline-reviewers', { call: String(call._id) }));
rows.push(
  await measure('export cohort-summary.pdf (1 cohort)', async () => {
    const sink = nullSink();
    await writeCohortPdf(ctx, sink, { courseId, cohortId, courseTitle: 'TIP' }, t, 'en');
  }),
);

mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  path.join(import.meta.dirname, 'results', 'reports.json'),
  JSON.stringify(
    { at: new Date().toISOString(), db: embedded ? embedded.kind : 'MONGODB_URI', counts, rows },
    null,
    2,
  ),
);
console.log(
  '\n| report / export | ms | peak RSS MB | peak heap MB | heap Δ MB | note |\n|---|---:|---:|---:|---:|---|',
);
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.ms} | ${r.peakRssMb} | ${r.peakHeapMb} | ${r.heapDeltaMb} | ${r.note ?? ''} |`,
  );
await db.close();
await embedded?.stop();
