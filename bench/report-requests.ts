/**
 * What `npm run bench` times of the reports on the large data set: every report page and export as one
 * HTTP request of a signed-in admin, and the completion export's memory while it streams.
 */
import type { AppContext } from '../server/context';
import { translator } from '../server/i18n';
import { exportTable } from '../modules/reports/tables';
import { nullSink, writeCsv, writeXlsx } from '../modules/reports/export';
import { EXPORT_TABLES } from '../modules/reports/schemas';

const ADMIN = { id: '000000000000000000000000', role: 'admin' as const };

/** One report or export answered over HTTP. */
export interface RequestTiming {
  name: string;
  path: string;
  status: number;
  bytes: number;
  /** The first request (what an admin who clicks once waits for). */
  firstMs: number;
  /** The same request again. */
  secondMs: number;
}

async function timed(url: string, cookie: string) {
  const started = performance.now();
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  let bytes = 0;
  const reader = res.body?.getReader();
  for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) bytes += r.value.byteLength;
  return { ms: Math.round(performance.now() - started), status: res.status, bytes };
}

/** Every report page and every export of the reports module, each one request of a signed-in admin. */
export async function reportRequests(ctx: AppContext, url: string, cookie: string): Promise<RequestTiming[]> {
  const db = ctx.db;
  const call = (await db.collection('calls').findOne({}, { sort: { _id: 1 } }))!;
  const trainee = (await db.collection('enrolments').findOne({}, { sort: { _id: 1 } }))!;
  const course = 'course=tip-reporting';
  const paths: Array<[string, string]> = [
    ['completion page 1', `/reports/completion?${course}`],
    ['completion page 100, by activity', `/reports/completion?${course}&sort=activity&page=100`],
    [
      'completion filtered (region + language)',
      `/reports/completion?${course}&region=Darkhan-Uul&language=mn`,
    ],
    ['one trainee', `/reports/trainees/${String(trainee.userId)}`],
    ['learning gain', `/reports/gain?${course}`],
    ['item analysis (post-test)', `/reports/items?${course}&quiz=post`],
    ['grant pipeline', `/reports/pipeline?call=${String(call._id)}`],
    ...EXPORT_TABLES.map((table): [string, string] => {
      const extra = table.startsWith('pipeline-')
        ? `call=${String(call._id)}`
        : table === 'items' || table === 'misconceptions'
          ? `${course}&quiz=post`
          : course;
      return [`export ${table}.csv`, `/reports/export/${table}?${extra}`];
    }),
    ['export completion.xlsx', `/reports/export/completion?${course}&format=xlsx`],
    ['export cohort-summary.pdf (whole course)', `/reports/cohort-summary?${course}`],
  ];
  const out: RequestTiming[] = [];
  for (const [name, p] of paths) {
    const first = await timed(url + p, cookie);
    const second = await timed(url + p, cookie);
    out.push({
      name,
      path: p,
      status: first.status,
      bytes: first.bytes,
      firstMs: first.ms,
      secondMs: second.ms,
    });
    console.log(`  ${name}: ${first.status}, ${first.ms} ms then ${second.ms} ms, ${first.bytes} bytes`);
  }
  return out;
}

/** The live heap's growth while an export streams, and how many rows it wrote. */
export interface ExportHeap {
  name: string;
  rows: number;
  ms: number;
  /**
   * Highest heap used plus buffers (where the driver keeps replies it has not parsed yet) after GC,
   * sampled every 25 ms during the export, minus the same before it.
   */
  liveHeapGrowthMb: number;
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

/**
 * Streams the completion export as CSV and as XLSX to a null sink, collecting garbage before every
 * sample, so the growth is what the export holds on to (constant memory: it does not grow with the
 * rows), not garbage that has yet to be collected. Needs node --expose-gc.
 */
export async function exportHeap(ctx: AppContext): Promise<ExportHeap[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('exportHeap needs node --expose-gc');
  const t = translator('en');
  const out: ExportHeap[] = [];
  for (const format of ['csv', 'xlsx'] as const) {
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = live();
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, live())), 25);
    const started = performance.now();
    const data = await exportTable(ctx, ADMIN, 'completion', { course: 'tip-reporting' }, t, 'en');
    const headers = data.columns.map((c) => t(c.header));
    let rows = 0;
    const counted = (async function* () {
      for await (const r of data.rows) {
        rows++;
        yield r;
      }
    })();
    if (format === 'xlsx') await writeXlsx(nullSink(), 'completion', headers, data.columns, counted);
    else await writeCsv(nullSink(), headers, data.columns, counted);
    clearInterval(timer);
    peak = Math.max(peak, live());
    const row = {
      name: `completion.${format}`,
      rows,
      ms: Math.round(performance.now() - started),
      liveHeapGrowthMb: mb(peak - base),
    };
    console.log(`  ${row.name}: ${rows} rows, live heap + buffers +${row.liveHeapGrowthMb} MB (after GC)`);
    out.push(row);
  }
  return out;
}
