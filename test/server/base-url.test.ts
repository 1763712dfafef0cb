import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseUrlCheck } from '../../server/config';

const root = path.resolve(import.meta.dirname, '../..');
const SECRET = 'production-secret-0123456789-0123456789';

/** Runs the standalone server; resolves with its exit code and output, or 'running' after `ms`. */
function runServer(env: Record<string, string>, ms = 20_000) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-baseurl-'));
  const { BASE_URL: _unset, MONGODB_URI: _db, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...inherited, PORT: '0', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise<{ code: number | 'running'; out: string }>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'running', out });
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: code ?? -1, out });
    });
  });
}

test('BASE_URL: refused in production, a loud warning elsewhere, fine when set', () => {
  const prod = baseUrlCheck({ NODE_ENV: 'production', PORT: '8080' });
  assert.equal(prod.level, 'refuse');
  assert.match(prod.message!, /BASE_URL is not set/);
  assert.match(prod.message!, /http:\/\/localhost:8080/);
  assert.match(prod.message!, /Refusing to start in production/);
  assert.equal(baseUrlCheck({ NODE_ENV: 'development' }).level, 'warn');
  assert.equal(baseUrlCheck({ NODE_ENV: 'production', BASE_URL: 'https://t.example.org' }).level, 'ok');
});

test('the standalone server refuses to start in production without BASE_URL, and says why', async () => {
  const { code, out } = await runServer({ NODE_ENV: 'production', SESSION_SECRET: SECRET });
  assert.notEqual(code, 'running', `it started (links would point to localhost):\n${out}`);
  assert.equal(code, 1);
  assert.match(out, /BASE_URL is not set/);
  assert.match(out, /certificate QR codes/);
});
