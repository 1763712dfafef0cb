/**
 * Mounted in a host app (examples/host-app.ts), the plugin does its own background work: a password
 * reset requested through the host reaches a real SMTP server, sent by the plugin's outbox worker;
 * a call past its deadline is closed; a queued LTI score reaches the platform. Nothing here calls a
 * job by hand. The host's connection keeps its own settings.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import request from 'supertest';
import { connectDatabase } from '../../server/db/connect';
import { buildHostApp } from '../../examples/host-app';
import { buildCall, buildUser, csrfFrom } from '../factories';
import { TEST_SECRET } from '../support/app';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { startPlatform, type PlatformSim } from '../support/lti-platform';
import { callModel } from '../../modules/grants/model';
import { ltiPlatformModel, ltiScoreModel } from '../../modules/interop/lti/model';

const PREFIX = '/training';
let db: Connection;
let server: http.Server;
let origin: string;
let smtp: TestSmtp;
let sim: PlatformSim;
let host: Awaited<ReturnType<typeof buildHostApp>>;
let settingsBefore: { sanitizeFilter: unknown; plugins: number };

/** Polls until `check` returns something truthy (the jobs run on their own timers). */
async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) assert.fail(`${what}: not done within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A visitor of the host asks for a password reset (the form answers the same for any address). */
async function askForReset(email: string) {
  const agent = request.agent(host.host);
  const form = await agent.get(`${PREFIX}/forgot`).expect(200);
  await agent
    .post(`${PREFIX}/forgot`)
    .type('form')
    .send({ _csrf: csrfFrom(form.text), email })
    .expect(200);
}

before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_jobs_${randomUUID().slice(0, 8)}`);
  settingsBefore = { sanitizeFilter: db.get('sanitizeFilter'), plugins: db.plugins.length };
  smtp = await startTestSmtp();
  const holder: { app?: http.RequestListener } = {};
  server = http.createServer((req, res) => (holder.app ? holder.app(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim = await startPlatform(`${origin}${PREFIX}`);
  host = await buildHostApp(db, TEST_SECRET, {
    baseUrl: `${origin}${PREFIX}`,
    config: { logLevel: 'silent', smtpUrl: `smtp://127.0.0.1:${smtp.port}` },
  });
  holder.app = host.host;
});

after(async () => {
  await host?.umbrella.stop();
  await sim?.close();
  await smtp?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await db.dropDatabase().catch(() => undefined);
  await db.close();
});

test("a password reset asked for through the host arrives by SMTP, sent by the plugin's worker", async () => {
  const user = await buildUser(host.umbrella.ctx, { email: 'reset-me@example.org' });
  await askForReset(user.email);
  const mail = await eventually('reset e-mail delivered', async () =>
    smtp.received.find((m) => m.envelopeTo.includes(user.email)),
  );
  assert.match(mail.parsed.text ?? '', new RegExp(`${origin}${PREFIX}/reset/[A-Za-z0-9_-]+`));
});

test('a call past its deadline is closed without anyone asking', async () => {
  const past = new Date(Date.now() - 60_000);
  const call = await buildCall(host.umbrella.ctx, {
    opensAt: new Date(Date.now() - 3_600_000),
    closesAt: past,
  });
  assert.equal(call.status, 'open');
  // The closer runs every minute: restarting the plugin's jobs runs every job once at start.
  await host.umbrella.stop();
  host.umbrella.start();
  await eventually('call closed', async () => {
    const now = await callModel(db).findById(call._id).lean();
    return now?.status === 'closed';
  });
});

test('a queued LTI score reaches the platform', async () => {
  const reg = sim.registration();
  const platform = await ltiPlatformModel(db).create({
    name: reg.name,
    issuer: reg.issuer,
    clientId: reg.clientId,
    deploymentIds: [sim.deploymentId],
    authLoginUrl: reg.authLoginUrl,
    accessTokenUrl: reg.accessTokenUrl,
    keysetUrl: reg.keysetUrl,
  });
  await ltiScoreModel(db).create({
    sourceKey: `attempt:${new mongoose.Types.ObjectId().toHexString()}`,
    platformId: platform._id,
    lineitem: sim.lineitemUrl('li-plugin'),
    userSub: 'plugin-learner',
    scoreGiven: 80,
    scoreMaximum: 100,
    activityProgress: 'Completed',
    gradingProgress: 'FullyGraded',
    timestamp: new Date(),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: new Date(Date.now() - 1000),
  });
  // The score queue runs every 30 s: restarting the jobs runs it at once.
  await host.umbrella.stop();
  host.umbrella.start();
  const sent = await eventually('score posted', async () =>
    sim.scores.find((s) => s.path.startsWith('/lineitems/li-plugin/')),
  );
  assert.equal(sent.body.scoreGiven, 80);
  assert.equal(sent.body.userId, 'plugin-learner');
});

test("the host's connection keeps its settings; our models still refuse operator injection", async () => {
  assert.deepEqual(
    { sanitizeFilter: db.get('sanitizeFilter'), plugins: db.plugins.length },
    settingsBefore,
    'createUmbrella changed the connection',
  );
  // A host model on the same connection behaves as the host configured it: unknown keys are allowed.
  const Host = db.model('HostThing', new mongoose.Schema({ name: String }));
  await Host.create({ name: 'a' });
  assert.equal((await Host.find({ notInSchema: 1 }).lean()).length, 0);
  assert.equal((await Host.find({ name: { $ne: null } }).lean()).length, 1, 'host operators work');
  // Ours sanitise: an operator object from input becomes an equality match ($eq of an object, which
  // a string field refuses), where unsanitised it would have matched every call.
  await assert.rejects(
    callModel(db)
      .find({ status: { $ne: 'nothing' } as unknown as string })
      .lean(),
    /Cast to string failed/,
  );
  await assert.rejects(
    callModel(db)
      .find({ notInSchema: 1 } as never)
      .lean(),
    /notInSchema|strictQuery/,
  );
});

test('stop() ends the background work: nothing is sent after it', async () => {
  await host.umbrella.stop();
  const before = smtp.received.length;
  const user = await buildUser(host.umbrella.ctx, { email: 'after-stop@example.org' });
  await askForReset(user.email);
  await new Promise((r) => setTimeout(r, 3_000)); // longer than the outbox interval (2 s)
  assert.equal(smtp.received.length, before);
});
