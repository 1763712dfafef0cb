/**
 * Runs the test suite against one embedded MongoDB-compatible server (memory backend) shared by all
 * test files; each file uses its own database. `tsx test/run.ts [dir-or-file ...]`
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedMongo } from '../server/db/embedded';

function findTests(target: string): string[] {
  if (statSync(target).isFile()) return [target];
  return readdirSync(target, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(target, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap(findTests).sort();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-test-db-'));
const db = process.env.TEST_MONGODB_URI
  ? undefined
  : await startEmbeddedMongo({ backend: 'memory', dataDir });
const uri = process.env.TEST_MONGODB_URI ?? db!.uri;

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, TEST_MONGODB_URI: uri, NODE_ENV: 'test' } },
);
const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
await db?.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(code);
