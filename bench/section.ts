import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedMongo } from '../server/db/embedded';
import { connectDatabase } from '../server/db/connect';
import { createUmbrella } from '../server/plugin';
import { buildSessionFloorApp, stackProbeModule } from './ceiling';
import { createApp } from '../server/app';
import { umbrellaModules } from '../server/modules';
import type { AppContext } from '../server/context';
import { ADMIN_PAGE, benchTargets, cookieOf, prepareDataSet, type BenchTarget } from './targets';
import { watchDatabase } from './db-events';
import {
  inFlightCounter,
  listen,
  measure,
  memorySoak,
  printRows,
  settle,
  type LoadOptions,
  type Row,
} from './measure';
import { exportHeap, reportRequests, type ExportHeap, type RequestTiming } from './report-requests';

export interface SectionOptions {
  /** What this data set on this database stands for, printed above its table. */
  label: string;
  /** The embedded backend to start; unused when `uri` is given. */
  backend: 'h2' | 'memory';
  /** An existing MongoDB instead of an embedded one. */
  uri?: string;
  /** 1 = 10,000 trainees / 100,000 attempts / 1,000 pitches. */
  scale: number;
  submits: number;
  only?: string;
  load: LoadOptions;
  /** Seconds of memory soak on the lesson page (0: none). */
  soak: number;
  /** Time every report and export over HTTP, and the completion export's live heap. */
  reports: boolean;
  /** The bare Express+EJS ceiling of this run, req/s (printed as a share beside the floor's). */
  ceiling: number;
}

export interface SectionResult {
  label: string;
  database: string;
  counts: Record<string, number>;
  floor: Row;
  pages: Row[];
  requests?: RequestTiming[];
  exportHeap?: ExportHeap[];
  soak?: unknown;
  /** Size of the H2 file after the run. */
  fileMb?: number;
}

function databaseNote(events: { summary: string; errors: string[] }): { database?: string } {
  if (!events.summary) return {};
  return { database: [events.summary, ...events.errors].join('; ') };
}

function sizeMb(dir: string): number {
  const bytes = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(path.join(e.parentPath, e.name)).size, 0);
  return Math.round((bytes / 1e6) * 10) / 10;
}

/** The floor's page through our own stack, signed in as the lesson page's trainee (see stackProbeModule). */
async function measureStack(
  ctx: AppContext,
  targets: BenchTarget[],
  load: LoadOptions,
  servers: Array<{ close(): void; closeAllConnections(): void }>,
): Promise<Row> {
  const lesson = targets.find((t) => t.name.startsWith('lesson')) ?? targets[0]!;
  const probe = await listen(createApp(ctx, [stackProbeModule, ...umbrellaModules]));
  servers.push(probe.server);
  const row = await measure(
    "the floor's page through our signed-in stack (no page work)",
    probe.url,
    { path: '/bench/ceiling', headers: lesson.headers },
    load,
  );
  probe.server.close();
  return row;
}

/**
 * One data set on one database: fills it, measures the session floor and the app's pages at the given
 * load, optionally every report and export and a memory soak, then closes everything it opened.
 */
export async function runSection(o: SectionOptions): Promise<SectionResult> {
  console.log(`\n=== ${o.label} ===`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-bench-'));
  const mongo = o.uri
    ? undefined
    : await startEmbeddedMongo({
        backend: o.backend,
        dataDir: path.join(dataDir, 'db'),
        // Our diagnostics from its stderr (e.g. -Dumbrella.db.slowMs=N in UMBRELLA_EMBEDDED_JAVA_OPTS),
        // not upstream's logging of clients the bench cut off or collections created twice.
        log: {
          info() {},
          warn: (_o, m) => {
            if (m && /^(slow command|Launcher:)/.test(m)) console.warn(`  database: ${m}`);
          },
        },
      });
  const database = o.uri
    ? 'MongoDB (MONGODB_URI)'
    : `${mongo!.kind} ${o.backend === 'h2' ? 'H2 (file, as `npm start`)' : 'memory'}`;
  const db = await connectDatabase(o.uri ?? mongo!.uri, 'umbrella_bench');
  const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
  let result: SectionResult | undefined;
  try {
    const { app, ctx } = createUmbrella({
      connection: db,
      passUnknownErrors: false,
      jobs: 'none',
      config: {
        env: 'production',
        baseUrl: 'http://localhost:3000',
        sessionSecret: 'bench-secret-0123456789-0123456789',
        secureCookies: false,
        logLevel: (process.env.BENCH_LOG ?? 'silent') as 'silent',
        uploadsDir: path.join(dataDir, 'uploads'),
        loginLimitPerIp: 1e9,
        loginLimitPerAccount: 1e9,
      },
    });
    console.log(`generating the data set (scale ${o.scale}) on ${database} …`);
    await prepareDataSet(ctx, { scale: o.scale, log: (m) => console.log(`  ${m}`) });
    const counts = Object.fromEntries(
      await Promise.all(
        ['users', 'enrolments', 'attempts', 'pitches'].map(async (c) => [
          c,
          await db.collection(c).countDocuments(),
        ]),
      ),
    ) as Record<string, number>;

    const floorApp = await listen(buildSessionFloorApp(db));
    servers.push(floorApp.server);
    const floorCookie = cookieOf(await fetch(`${floorApp.url}/start`));
    const floor = await measure(
      'ceiling + session store read (floor of signed-in pages)',
      floorApp.url,
      {
        headers: { cookie: floorCookie },
      },
      o.load,
    );
    floorApp.server.close();

    const server = await listen(app);
    servers.push(server.server);
    const inFlight = inFlightCounter(server.server);
    const dbEvents = watchDatabase(db);
    const targets = await benchTargets(ctx, server.url, { submits: o.submits });
    const pages: Row[] = [];
    if (!o.only) pages.push(await measureStack(ctx, targets, o.load, servers));
    for (const t of targets) {
      if (o.only && !t.name.includes(o.only)) continue;
      await settle(db, inFlight);
      if (!t.requests) {
        // One request first: a page that fails would otherwise be measured as a fast error page.
        const probe = await fetch(server.url + t.path, { headers: t.headers, redirect: 'manual' });
        if (probe.status !== 200) console.warn(`warning: ${t.name}: ${t.path} answered ${probe.status}`);
        await probe.arrayBuffer();
      }
      dbEvents.take();
      const row = await measure(t.name, server.url, t, o.load);
      pages.push({ ...row, ...databaseNote(dbEvents.take()) });
    }
    console.log(`\n${o.label}: ${database}, ${JSON.stringify(counts)}`);
    printRows([floor, ...pages], floor.rps, o.ceiling);

    result = { label: o.label, database, counts, floor, pages };
    if (o.reports) {
      await settle(db, inFlight);
      console.log('reports and exports, one request each (first, then again):');
      const adminCookie = targets.find((t) => t.name === ADMIN_PAGE)!.headers!.cookie!;
      result.requests = await reportRequests(ctx, server.url, adminCookie);
      console.log('completion export streamed to a null sink, live heap sampled after GC:');
      result.exportHeap = await exportHeap(ctx);
    }
    if (o.soak > 0) {
      await settle(db, inFlight);
      dbEvents.take();
      const lesson = targets.find((t) => t.name.startsWith('lesson')) ?? targets[0]!;
      result.soak = {
        ...(await memorySoak(server.url, lesson, o.soak, o.load.connections, db)),
        ...databaseNote(dbEvents.take()),
      };
    }
    // Requests cut off by a run's end (timeouts) may still be running: let them finish before closing.
    await settle(db, inFlight);
  } finally {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await db.close();
    await mongo?.stop();
    const fileMb = mongo && o.backend === 'h2' ? sizeMb(path.join(dataDir, 'db')) : undefined;
    rmSync(dataDir, { recursive: true, force: true });
    if (fileMb !== undefined) console.log(`H2 file after the run and a clean stop: ${fileMb} MB`);
    if (result && fileMb !== undefined) result.fileMb = fileMb;
  }
  return result as SectionResult;
}
