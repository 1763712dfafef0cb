import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../server/paths';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForLive(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/livez`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error('server did not start');
}

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

test('SIGTERM mid-request: the request completes, new connections are refused, exit code 0', async () => {
  const base = process.env.TEST_MONGODB_URI;
  assert.ok(base, 'TEST_MONGODB_URI');
  const port = await freePort();
  const uploads = mkdtempSync(path.join(os.tmpdir(), 'umbrella-sigterm-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: `${base.replace(/\/$/, '')}/sigterm_${randomUUID().slice(0, 8)}`,
      SESSION_SECRET: 'sigterm-test-secret-0123456789-abcdefgh',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      UPLOADS_DIR: uploads,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  try {
    await waitForLive(port, 60_000);

    // A slow upload: headers and half the body now, the rest after SIGTERM.
    const body = 'email=someone%40example.org&password=a-long-password';
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    let response = '';
    socket.on('data', (c: Buffer) => (response += c.toString()));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(
      'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n' +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n` +
        body.slice(0, 10),
    );
    await sleep(300);
    const termAt = performance.now();
    child.kill('SIGTERM');
    await sleep(500);
    assert.equal(child.exitCode, null, 'still running while a request is in flight');
    assert.ok(await connectRefused(port), 'new connections are refused once draining');

    socket.write(body.slice(10));
    await closed;
    const closedAt = performance.now();
    assert.match(response, /^HTTP\/1\.1 (403|400|401|303) /, `complete response: ${response.slice(0, 80)}`);
    const length = Number(/content-length: (\d+)/i.exec(response)?.[1]);
    assert.equal(
      Buffer.byteLength(response.split('\r\n\r\n').slice(1).join('\r\n\r\n')),
      length,
      'whole body',
    );

    const exit = await Promise.race([exited, sleep(15_000).then(() => undefined)]);
    assert.ok(exit, `process did not exit; output:\n${output}`);
    assert.equal(exit.code, 0, `exit code; output:\n${output}`);
    console.log(
      `connection closed ${Math.round(closedAt - termAt)} ms, process exited ${Math.round(exit.at - termAt)} ms after SIGTERM`,
    );
    assert.ok(
      closedAt - termAt < 3000,
      'the drained connection is closed promptly, not after keepAliveTimeout',
    );
    assert.ok(exit.at - termAt < 8000, 'exits well before the 10 s force-close');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(uploads, { recursive: true, force: true });
  }
});
