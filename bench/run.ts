/**
 * `npm run bench`: one run measures the bare Express+EJS ceiling and the session floor (the same page
 * behind express-session + connect-mongo only), then the app's hot pages against the
 * embedded database filled with the large data set (bench/generate-large.ts), each at 50 connections,
 * and prints req/s, p50/p99 and the ratio to the ceiling; then a memory soak of the lesson page.
 * Options: --duration <s> (default 10), --scale <f> (data set size, 1 = 10,000 trainees / 100,000
 * attempts / 1,000 pitches; default 1), --submits <n> (quiz submits prepared and sent, default 3000),
 * --soak <s> (default 300; 0 skips it), --only <name>, --connections <n> (default 50).
 * Run under `node --expose-gc` (npm run bench does) so soak samples are taken after a full GC.
 */
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Connection } from 'mongoose';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startEmbeddedMongo } from '../server/db/embedded';
import { connectDatabase } from '../server/db/connect';
import { createUmbrella } from '../server/plugin';
import { buildCeilingApp, buildSessionFloorApp } from './ceiling';
import { benchTargets, cookieOf, prepareDataSet, type BenchTarget } from './targets';
import { watchDatabase } from './db-events';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    soak: { type: 'string', default: '300' },
    scale: { type: 'string', default: '1' },
    submits: { type: 'string', default: '3000' },
    only: { type: 'string' },
  },
});
const duration = Number(opts.duration);
const connections = Number(opts.connections);

function listen(app: {
  listen: (port: number, host: string, cb: () => void) => Server;
}): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** 4xx and 5xx answers (a POST answered with 303 is a success, but counts in non2xx). */
  failed: number;
  cpuMsPerReq: number;
  /** Answers by HTTP status, e.g. { "200": 9000 }: a failing page must not pass for a fast one. */
  statuses: Record<string, number>;
  ratio?: number;
  note?: string;
  /** Driver events during the run (heartbeat failures, pool clears): the cause behind any 503s. */
  database?: string;
}

function statusCounts(result: autocannon.Result): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s?.count ?? 0]),
  );
}

async function measure(name: string, url: string, target: Partial<BenchTarget> = {}): Promise<Row> {
  // This process's CPU per request (app + client): steadier than req/s on a shared, noisy machine.
  const cpu = process.cpuUsage();
  console.log(`measuring ${name} …`);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + (target.path ?? '/'),
        method: target.method ?? 'GET',
        headers: target.headers,
        body: target.body,
        connections,
        duration,
        requests: target.requests as autocannon.Request[] | undefined,
        ...(target.amount ? { amount: target.amount } : {}),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    // `amount` (prepared data, used once each) replaces autocannon's duration: still stop on time.
    if (target.amount) setTimeout(() => instance.stop(), duration * 1000).unref();
  });
  const used = process.cpuUsage(cpu);
  const note = target.verify ? await target.verify() : undefined;
  return {
    name,
    // Total over elapsed time: autocannon's per-second average counts the whole `duration` even when
    // a run of prepared requests (`amount`) finished sooner.
    rps: Math.round(result.requests.total / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    failed: result['4xx'] + result['5xx'],
    statuses: statusCounts(result),
    cpuMsPerReq:
      Math.round(((used.user + used.system) / 1000 / Math.max(1, result.requests.total)) * 100) / 100,
    ...(note ? { note } : {}),
  };
}

async function main() {
  const ceiling = await listen(buildCeilingApp());
  const rows: Row[] = [await measure('bare Express+EJS (ceiling)', ceiling.url)];
  ceiling.server.close();

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-bench-'));
  const mongo = process.env.MONGODB_URI
    ? undefined
    : await startEmbeddedMongo({ backend: 'memory', dataDir });
  const db = await connectDatabase(process.env.MONGODB_URI ?? mongo!.uri, 'umbrella_bench');
  const uploadsDir = path.join(dataDir, 'uploads');
  const { app, ctx } = createUmbrella({
    connection: db,
    passUnknownErrors: false,
    jobs: 'none',
    config: {
      env: 'production',
      sessionSecret: 'bench-secret-0123456789-0123456789',
      secureCookies: false,
      logLevel: (process.env.BENCH_LOG ?? 'silent') as 'silent',
      uploadsDir,
      loginLimitPerIp: 1e9,
      loginLimitPerAccount: 1e9,
    },
  });
  const scale = Number(opts.scale);
  console.log(`generating the large data set (scale ${scale}) …`);
  await prepareDataSet(ctx, { scale, log: (m) => console.log(`  ${m}`) });
  const floor = await listen(buildSessionFloorApp(db));
  const floorCookie = cookieOf(await fetch(`${floor.url}/start`));
  rows.push(
    await measure('ceiling + session store read (floor of signed-in pages)', floor.url, {
      headers: { cookie: floorCookie },
    }),
  );
  floor.server.close();

  const server = await listen(app);
  countInFlight(server.server);
  const dbEvents = watchDatabase(db);
  const targets = await benchTargets(ctx, server.url, { submits: Number(opts.submits) });
  for (const t of targets) {
    if (opts.only && !t.name.includes(opts.only)) continue;
    await settle(db);
    if (!t.requests) {
      // One request first: a page that fails would otherwise be measured as a fast error page.
      const probe = await fetch(server.url + t.path, { headers: t.headers, redirect: 'manual' });
      if (probe.status !== 200) console.warn(`warning: ${t.name}: ${t.path} answered ${probe.status}`);
      await probe.arrayBuffer();
    }
    dbEvents.take();
    const row = { ...(await measure(t.name, server.url, t)), name: t.name };
    rows.push({ ...row, ...databaseNote(dbEvents.take()) });
  }
  const top = rows[0]!.rps;
  for (const r of rows) r.ratio = Math.round((r.rps / top) * 1000) / 10;
  console.table(
    rows.map((r) => ({
      page: r.name,
      'req/s': r.rps,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      '% of ceiling': r.ratio,
      errors: r.errors,
      '4xx/5xx': r.failed,
      'cpu ms/req': r.cpuMsPerReq,
    })),
  );
  for (const r of rows) if (r.note) console.log(`${r.name}: ${r.note}`);
  for (const r of rows) if (r.database) console.log(`${r.name}: database ${r.database}`);
  for (const r of rows)
    if (r.failed || r.errors)
      console.log(`${r.name}: answers ${JSON.stringify(r.statuses)}, ${r.errors} errors/timeouts`);

  let soak: unknown;
  const soakSeconds = Number(opts.soak);
  if (soakSeconds > 0) {
    await settle(db);
    dbEvents.take();
    soak = { ...(await memorySoak(server.url, targets, soakSeconds, db)), ...databaseNote(dbEvents.take()) };
    const { database } = soak as { database?: string };
    if (database) console.log(`soak: database ${database}`);
  }

  mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
  const out = path.join(import.meta.dirname, 'results', 'bench.json');
  writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), connections, duration, scale, rows, soak }, null, 2),
  );
  console.log(`results written to ${out}`);
  // Requests cut off by a run's end (timeouts) may still be running: let them finish before closing.
  await settle(db);
  server.server.closeAllConnections();
  server.server.close();
  await db.close();
  await mongo?.stop();
  process.exit(0);
}

function databaseNote(events: { summary: string; errors: string[] }): { database?: string } {
  if (!events.summary) return {};
  return { database: [events.summary, ...events.errors].join('; ') };
}

/** Requests the app is still working on (autocannon stops sending at a run's end, not the app). */
let inFlight = 0;
function countInFlight(server: Server) {
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });
}

/**
 * Waits until the app has finished every request: those cut off at the end of a run (timeouts) may
 * still be queued in the one-command-at-a-time embedded server, and the next page must not pay for them.
 */
async function settle(db: Connection) {
  for (let i = 0; i < 1200 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 100));
  if (inFlight > 0) console.warn(`warning: ${inFlight} requests still running after 120 s`);
  // A request whose client gave up has closed, but its handler may still have queries queued: wait
  // until a small read answers promptly twice in a row.
  for (let fast = 0, i = 0; fast < 2 && i < 600; i++) {
    const start = performance.now();
    await db.collection('courses').findOne({});
    fast = performance.now() - start < 20 ? fast + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the lesson page for `seconds`, sampling heap after GC each 30 s: growth means a leak. */
async function memorySoak(url: string, targets: BenchTarget[], seconds: number, db: Connection) {
  const lesson = targets.find((t) => t.name.startsWith('lesson')) ?? targets[0]!;
  const samples: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) console.warn('soak: no global gc (run under node --expose-gc): samples include garbage');
  const sample = () => {
    gc?.();
    samples.push(Math.round((process.memoryUsage().heapUsed / 1e6) * 10) / 10);
  };
  sample();
  const timer = setInterval(sample, 30_000);
  const result = await autocannon({
    url: url + lesson.path,
    headers: lesson.headers,
    connections,
    duration: seconds,
  });
  clearInterval(timer);
  await settle(db);
  sample();
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  console.log(
    `soak ${seconds} s on ${lesson.path}: ${result.requests.total} requests, ${result.errors} errors, ` +
      `${result.non2xx} non-2xx (answers ${JSON.stringify(statusCounts(result))}); heap MB after GC${gc ? '' : ' (no gc!)'}: ${samples.join(' → ')} ` +
      `(first ${first}, last ${last}, Δ ${Math.round((last - first) * 10) / 10})`,
  );
  return {
    seconds,
    path: lesson.path,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    statuses: statusCounts(result),
    gcExposed: !!gc,
    heapMb: samples,
    firstMb: first,
    lastMb: last,
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
