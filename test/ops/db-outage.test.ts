import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import type { Connection } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella } from '../../server/plugin';
import { TEST_SECRET } from '../support/app';
import { buildUser, signIn } from '../factories';
import { startTcpProxy } from './tcp-proxy';

const portOf = (uri: string) => Number(new URL(uri).port);

let dataDir: string;
let db: EmbeddedMongo;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let conn: Connection;

before(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-outage-'));
  db = await startEmbeddedMongo({ backend: 'h2', dataDir });
  proxy = await startTcpProxy(portOf(db.uri));
  conn = await connectDatabase(`mongodb://127.0.0.1:${proxy.port}`, 'outage');
});

after(async () => {
  await conn?.close(true).catch(() => undefined);
  await proxy?.close();
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

function appOn(connection: Connection) {
  return createUmbrella({
    connection,
    passUnknownErrors: false,
    jobs: 'none',
    config: {
      env: 'test',
      sessionSecret: TEST_SECRET,
      secureCookies: false,
      baseUrl: 'http://127.0.0.1:3000',
      logLevel: 'silent',
      uploadsDir: path.join(dataDir, 'uploads'),
    },
  });
}

test('a busy database is not a down one: late heartbeats do not turn pages into 503s', async () => {
  const { app, ctx } = appOn(conn);
  const agent = await signIn(app, await buildUser(ctx));
  // What mongoose sees when the server queues a heavy report: no heartbeat answered for a while.
  // Its readyState then reads "disconnected" although every query still succeeds.
  (conn as unknown as { _lastHeartbeatAt: number })._lastHeartbeatAt = Date.now() - 60_000;
  assert.notEqual(conn.readyState, 1, 'mongoose calls the connection stale');
  await agent.get('/account').expect(200);
  await request(app).get('/readyz').expect(200);
});

test('database stop and restart: fast 503 while down, /livez stays up, recovery without an app restart', async () => {
  const { app, ctx } = appOn(conn);
  const user = await buildUser(ctx);
  const agent = await signIn(app, user);
  await agent.get('/account').expect(200);
  await request(app).get('/readyz').expect(200);

  // Stop the database for real (the H2 file keeps the data) and make its address refuse connections.
  await proxy.down();
  await db.stop();

  const page = await timed(() =>
    agent.get('/account').set('Accept', 'text/html').set('Accept-Language', 'en'),
  );
  assert.equal(page.value.status, 503);
  // Bounds far from the driver's 30 s default: they prove the app gives up at its own timeout (3 s),
  // with room for a loaded machine.
  assert.ok(page.ms < 15_000, `503 took ${Math.round(page.ms)} ms`);
  assert.match(page.value.text, /briefly unavailable/, 'our friendly page, not a stack trace');
  assert.doesNotMatch(page.value.text, /Mongo(Server|Network|ose)|ECONNREFUSED|at \w+ \(/);
  const anon = await timed(() => request(app).get('/login'));
  assert.ok([200, 503].includes(anon.value.status), `anonymous page: ${anon.value.status}`);
  assert.ok(anon.ms < 15_000, `anonymous page took ${Math.round(anon.ms)} ms`);
  const json = await agent.get('/account').set('Accept', 'application/json');
  assert.equal(json.status, 503);

  await request(app).get('/livez').expect(200);
  const ready = await timed(() => request(app).get('/readyz'));
  console.log(
    `while down: page 503 in ${Math.round(page.ms)} ms, anonymous page ${anon.value.status} in ${Math.round(anon.ms)} ms, /readyz in ${Math.round(ready.ms)} ms`,
  );
  assert.equal(ready.value.status, 503);
  assert.ok(ready.ms < 15_000, `/readyz took ${Math.round(ready.ms)} ms`);

  // Restart: a new server process on the same data; the app's connection finds it by itself.
  db = await startEmbeddedMongo({ backend: 'h2', dataDir });
  await proxy.up(portOf(db.uri));
  const deadline = performance.now() + 30_000;
  let status = 0;
  while (performance.now() < deadline) {
    status = (await agent.get('/account')).status;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(status, 200, 'the same session works again after the restart');
  console.log(
    `recovered ${Math.round(performance.now() - deadline + 30_000)} ms after the database was back`,
  );
  await request(app).get('/readyz').expect(200);
  assert.ok(await ctx.db.collection('users').findOne({ email: user.email }), 'data survived the restart');
});
