/**
 * Runs the test suite against one embedded MongoDB-compatible server (memory backend) shared by all
 * test files; each file uses its own database. `tsx test/run.ts [dir-or-file ...]`
 *
 * No run can stall: node stops any test file that runs longer than TEST_TIMEOUT_MS (default 300 s; the
 * same limit applies to each of its tests), and this script then names the file and the tests in it that
 * were still running.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedMongo } from '../server/db/embedded';
import { readUnfinished } from './support/unfinished';

function findTests(target: string): string[] {
  if (statSync(target).isFile()) return [target];
  return readdirSync(target, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(target, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const timeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 300_000);
const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap(findTests).sort();
const tempDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-test-'));
const progressFile = path.join(tempDir, 'progress.jsonl');
const db = process.env.TEST_MONGODB_URI
  ? undefined
  : await startEmbeddedMongo({ backend: 'memory', dataDir: path.join(tempDir, 'db') });
const uri = process.env.TEST_MONGODB_URI ?? db!.uri;

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(import.meta.dirname, 'support', 'progress-reporter.mjs')}`,
    `--test-reporter-destination=${progressFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, TEST_MONGODB_URI: uri, NODE_ENV: 'test' } },
);

let stopping = false;
async function finish(code: number): Promise<never> {
  stopping = true;
  const unfinished = readUnfinished(progressFile);
  if (unfinished.length) {
    console.error(`\n✖ ${unfinished.length} test file(s) did not finish within ${timeoutMs / 1000} s:`);
    for (const u of unfinished) {
      console.error(`  ${path.relative(process.cwd(), u.file)} (${u.reason})`);
      for (const name of u.running) console.error(`    still running: ${name}`);
      if (!u.running.length) console.error('    no test had started: stuck loading or in a before hook');
    }
  }
  await db?.stop();
  rmSync(tempDir, { recursive: true, force: true });
  process.exit(unfinished.length && code === 0 ? 1 : code);
}

// Stopped from outside (Ctrl-C, CI cancel): stop the tests, then the database, and still report.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    child.kill(signal);
  });

const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await finish(code);
