import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Connection } from 'mongoose';
import autocannon from 'autocannon';
import type { BenchTarget } from './targets';

/** One measured page: throughput, latency and what the answers were. */
export interface Row {
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
  note?: string;
  /** Driver events during the run (heartbeat failures, pool clears): the cause behind any 503s. */
  database?: string;
}

export interface LoadOptions {
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of the same load first, not measured: JIT and caches of both processes warm up. */
  warmup: number;
}

export function listen(app: {
  listen: (port: number, host: string, cb: () => void) => Server;
}): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

export function statusCounts(result: autocannon.Result): Record<string, number> {
  return Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s?.count ?? 0]),
  );
}

function load(url: string, target: Partial<BenchTarget>, connections: number, seconds: number) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + (target.path ?? '/'),
        method: target.method ?? 'GET',
        headers: target.headers,
        body: target.body,
        connections,
        duration: seconds,
        requests: target.requests as autocannon.Request[] | undefined,
        ...(target.amount ? { amount: target.amount } : {}),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    // `amount` (prepared data, used once each) replaces autocannon's duration: still stop on time.
    if (target.amount) setTimeout(() => instance.stop(), seconds * 1000).unref();
  });
}

/**
 * Warms up, then measures one page at `connections` for `duration` seconds. A target with prepared
 * requests (`amount`, each used once) is not warmed up: its data would be spent.
 */
export async function measure(
  name: string,
  url: string,
  target: Partial<BenchTarget>,
  o: LoadOptions,
): Promise<Row> {
  console.log(`measuring ${name} …`);
  if (o.warmup > 0 && !target.amount) await load(url, target, o.connections, o.warmup);
  // This process's CPU per request (app + client): steadier than req/s on a shared, noisy machine.
  const cpu = process.cpuUsage();
  const result = await load(url, target, o.connections, o.duration);
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

/** Requests a server is still working on (autocannon stops sending at a run's end, not the app). */
export function inFlightCounter(server: Server) {
  let inFlight = 0;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });
  return () => inFlight;
}

/**
 * Waits until the app has finished every request: those cut off at the end of a run (timeouts) may
 * still be queued in the one-command-at-a-time embedded server, and the next page must not pay for them.
 */
export async function settle(db: Connection, inFlight: () => number = () => 0) {
  for (let i = 0; i < 1200 && inFlight() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  if (inFlight() > 0) console.warn(`warning: ${inFlight()} requests still running after 120 s`);
  // A request whose client gave up has closed, but its handler may still have queries queued: wait
  // until a small read answers promptly twice in a row.
  for (let fast = 0, i = 0; fast < 2 && i < 600; i++) {
    const start = performance.now();
    await db.collection('courses').findOne({});
    fast = performance.now() - start < 20 ? fast + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The rows as a table, each as a share of the session floor and of the ceiling measured in this run. */
export function printRows(rows: Row[], floor: number, ceiling: number) {
  const share = (rps: number, of: number) => Math.round((rps / of) * 1000) / 10;
  console.table(
    rows.map((r) => ({
      page: r.name,
      'req/s': r.rps,
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      '% of floor': share(r.rps, floor),
      '% of ceiling': share(r.rps, ceiling),
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
}

/** Runs a page for `seconds`, sampling heap after GC each 30 s: growth means a leak. */
export async function memorySoak(
  url: string,
  target: BenchTarget,
  seconds: number,
  connections: number,
  db: Connection,
) {
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
    url: url + target.path,
    headers: target.headers,
    connections,
    duration: seconds,
  });
  clearInterval(timer);
  await settle(db);
  sample();
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  console.log(
    `soak ${seconds} s on ${target.path}: ${result.requests.total} requests, ${result.errors} errors, ` +
      `${result.non2xx} non-2xx (answers ${JSON.stringify(statusCounts(result))}); heap MB after GC${gc ? '' : ' (no gc!)'}: ${samples.join(' → ')} ` +
      `(first ${first}, last ${last}, Δ ${Math.round((last - first) * 10) / 10})`,
  );
  return {
    seconds,
    path: target.path,
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
