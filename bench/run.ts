/**
 * `npm run bench`: one run measures the bare Express+EJS ceiling, then the app's hot pages against the
 * embedded database, each at 50 connections, and prints req/s, p50/p99 and the ratio to the ceiling.
 * Options: --duration <s> (default 10), --soak <s> (memory soak of the lesson page), --only <name>.
 */
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startEmbeddedMongo } from '../server/db/embedded';
import { connectDatabase } from '../server/db/connect';
import { createUmbrella } from '../server/plugin';
import { buildCeilingApp } from './ceiling';
import { benchTargets, type BenchTarget } from './targets';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    soak: { type: 'string', default: '0' },
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
  ratio?: number;
}

async function measure(name: string, url: string, target: Partial<BenchTarget> = {}): Promise<Row> {
  const result = await autocannon({
    url: url + (target.path ?? '/'),
    method: target.method ?? 'GET',
    headers: target.headers,
    body: target.body,
    connections,
    duration,
    requests: target.requests,
  });
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
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
    config: {
      env: 'production',
      sessionSecret: 'bench-secret-0123456789-0123456789',
      secureCookies: false,
      logLevel: 'silent',
      uploadsDir,
      loginLimitPerIp: 1e9,
      loginLimitPerAccount: 1e9,
    },
  });
  const server = await listen(app);
  const targets = await benchTargets(ctx, server.url);
  for (const t of targets) {
    if (opts.only && !t.name.includes(opts.only)) continue;
    rows.push({ ...(await measure(t.name, server.url, t)), name: t.name });
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
      non2xx: r.non2xx,
    })),
  );

  let soak: unknown;
  const soakSeconds = Number(opts.soak);
  if (soakSeconds > 0) soak = await memorySoak(server.url, targets, soakSeconds);

  mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
  const out = path.join(import.meta.dirname, 'results', 'bench.json');
  writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), connections, duration, rows, soak }, null, 2),
  );
  console.log(`results written to ${out}`);
  server.server.close();
  await db.close();
  await mongo?.stop();
  process.exit(0);
}

/** Runs the lesson page for `seconds`, sampling heap after GC each 30 s: growth means a leak. */
async function memorySoak(url: string, targets: BenchTarget[], seconds: number) {
  const lesson = targets.find((t) => t.name.startsWith('lesson')) ?? targets[0]!;
  const samples: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = () => {
    gc?.();
    samples.push(Math.round(process.memoryUsage().heapUsed / 1e6));
  };
  sample();
  const timer = setInterval(sample, 30_000);
  await autocannon({ url: url + lesson.path, headers: lesson.headers, connections, duration: seconds });
  clearInterval(timer);
  sample();
  console.log(`soak heap MB (after GC where available): ${samples.join(' → ')}`);
  return { seconds, heapMb: samples };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
