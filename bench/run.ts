/**
 * `npm run bench`: one run measures
 *  1. the bare Express+EJS ceiling (no database);
 *  2. the programme's scale on the database `npm start` runs (embedded H2 in a file): 1,000 trainees,
 *     10,000 attempts, 100 pitches — the session floor (the ceiling page behind express-session +
 *     connect-mongo only) and the app's hot pages at 50 connections, the reports as below, then a
 *     memory soak of the lesson page;
 *  3. the large data set (10,000 / 100,000 / 1,000) on the stand-in for a real MongoDB with indexes (the
 *     embedded memory backend, whose indexes answer as H2's do without a file under them; MONGODB_URI
 *     when set): the same pages, every report and export as one request, and the completion export's
 *     live heap;
 * and prints the targets of issue 20 with pass/fail. Ratios compare rows of the same section only (the
 * machine is shared and noisy: never compare rows of different runs).
 *
 * Options: --duration <s> (default 10) and --warmup <s> (default 3) per page, --connections <n> (50),
 * --scale <f> (programme data set, default 0.1; 0 skips it), --large <f> (large data set, default 1;
 * 0 skips it), --submits <n> (quiz submits prepared, default 3000), --soak <s> (default 300; 0 skips it),
 * --only <name> (pages whose name contains it). Run under `node --expose-gc` (npm run bench does): soak
 * samples and the export's memory are taken after a full GC. Results: bench/results/bench.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildCeilingApp } from './ceiling';
import { listen, measure, type LoadOptions } from './measure';
import { runSection, type SectionResult } from './section';
import { evaluateGoals, printGoals } from './goals';
import { runPageWeight } from './page-weight';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    soak: { type: 'string', default: '300' },
    scale: { type: 'string', default: '0.1' },
    large: { type: 'string', default: '1' },
    submits: { type: 'string', default: '3000' },
    only: { type: 'string' },
  },
});
const load: LoadOptions = {
  connections: Number(opts.connections),
  duration: Number(opts.duration),
  warmup: Number(opts.warmup),
};

async function main() {
  const ceilingApp = await listen(buildCeilingApp());
  const ceiling = await measure('bare Express+EJS (ceiling)', ceilingApp.url, {}, load);
  ceilingApp.server.close();
  console.log(`ceiling: ${ceiling.rps} req/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`);

  const common = { submits: Number(opts.submits), only: opts.only, load, ceiling: ceiling.rps };
  const programmeScale = Number(opts.scale);
  const programme: SectionResult | undefined =
    programmeScale > 0
      ? await runSection({
          ...common,
          label: 'programme scale on the default database (what `npm start` runs)',
          backend: 'h2',
          scale: programmeScale,
          soak: Number(opts.soak),
          // What a programme's admin waits for (the targets are set on the large data set below).
          reports: true,
        })
      : undefined;
  const largeScale = Number(opts.large);
  const large: SectionResult | undefined =
    largeScale > 0
      ? await runSection({
          ...common,
          label: 'large data set, stand-in for a real MongoDB with indexes',
          backend: 'memory',
          uri: process.env.MONGODB_URI,
          scale: largeScale,
          soak: 0,
          reports: true,
        })
      : undefined;

  const goals = evaluateGoals(programme, large);
  printGoals(goals);

  mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
  const out = path.join(import.meta.dirname, 'results', 'bench.json');
  writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), load, ceiling, programme, large, goals }, null, 2),
  );
  console.log(`results written to ${out}`);
  // Page weight and the lesson page's paint over slow 3G: its own app, table and results file.
  await runPageWeight();
  await (await import('./scale-out')).runScaleOut(load); // two web processes behind a proxy vs one
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
