/**
 * The suite fails fast instead of stalling: test/run.ts is run on small fixture files (kept out of the
 * suite: they are not named *.test.ts) and must exit non-zero, in time, naming the file and the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/paths';

const FIXTURES = path.join('test', 'harness', 'fixtures');

/** Runs test/run.ts on one file; the child is killed if it outlives `limitMs`. */
function runSuite(file: string, env: Record<string, string>, limitMs: number) {
  const started = performance.now();
  // Inside a test process NODE_TEST_CONTEXT would turn the nested runner into a reporting child.
  const { NODE_TEST_CONTEXT: _, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('test', 'run.ts'), file], {
    cwd: projectRoot,
    env: { ...parentEnv, ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output, ms: performance.now() - started });
    }),
  );
}

test('a test that never ends is stopped at the timeout, and the run names its file and the test', async () => {
  const file = path.join(FIXTURES, 'stuck.fixture.ts');
  const run = await runSuite(file, { TEST_TIMEOUT_MS: '3000' }, 60_000);
  assert.notEqual(run.code, 0, run.output);
  assert.ok(run.code !== null, `the run stopped by itself:\n${run.output}`);
  assert.match(run.output, /did not finish within 3 s/);
  assert.ok(run.output.includes(file), run.output);
  assert.match(run.output, /still running: a suite › a test that never ends/);
  assert.match(run.output, /✔ a test that ends/);
});

test('a browser that fails to launch fails the run fast: the app it started is closed again', async () => {
  // An executable that is not a browser: the launch itself fails (CHROMIUM_PATH is never a fallback).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-fake-browser-'));
  const fake = path.join(dir, 'chromium');
  writeFileSync(fake, '#!/bin/sh\necho "not a browser" >&2\nexit 1\n');
  chmodSync(fake, 0o755);
  try {
    const file = path.join(FIXTURES, 'browser-launch-fails.fixture.ts');
    // Were the server or database connection left open, the file would run into this timeout.
    const run = await runSuite(file, { CHROMIUM_PATH: fake, TEST_TIMEOUT_MS: '60000' }, 120_000);
    assert.notEqual(run.code, 0, run.output);
    assert.ok(run.output.includes(file), run.output);
    assert.match(run.output, /Chromium from CHROMIUM_PATH \(.*\) did not launch/);
    assert.doesNotMatch(run.output, /did not finish/);
    assert.ok(run.ms < 45_000, `failed in ${Math.round(run.ms)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
