/**
 * Several processes on one database behave as one: two web processes (ROLE=web) and a jobs process
 * (ROLE=jobs), each the real server (`server/main.ts`) in a child process, on the test run's database,
 * behind a tiny round-robin proxy. Requests are pinned to process A or B where the test needs to say
 * which one serves them. What one process writes or counts, the other sees: a disabled user, a
 * login limit, a publish (within the 1 s content-version check). Of two jobs processes one sweeps the
 * outbox at a time, each reminder goes out once, and when the sweeping one is killed mid-sweep the
 * other takes its lease over and finishes the sweep.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { generateSync } from 'otplib';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella } from '../../server/plugin';
import type { AppContext } from '../../server/context';
import { LEASE_COLLECTION } from '../../server/jobs-lease';
import { buildCall, buildCourse, buildUser, csrfFrom, PASSWORD } from '../factories';
import { binary } from '../support/binary';
import { PDF } from '../grants/helpers';
import { storedFileModel } from '../../modules/grants/model';
import { enrolmentModel } from '../../modules/learning/model';
import { outboxModel } from '../../modules/notifications/model';
import { userModel } from '../../modules/accounts/model';
import {
  eventually,
  PIN,
  SCALE_SECRET,
  startHoldingSmtp,
  startProxy,
  startServerProcess,
  type HoldingSmtp,
  type Proxy,
  type ServerProcess,
} from './support';

const A = '0';
const B = '1';
const PER_ACCOUNT = 3;
// Renewed every LEASE_MS / 3: a renewal may run 4 s late on a loaded machine before the lease lapses.
const LEASE_MS = 6000;
const DAY = 24 * 60 * 60 * 1000;

let db: Connection;
let ctx: AppContext;
let uri: string;
let smtp: HoldingSmtp;
let proxy: Proxy;
const processes: ServerProcess[] = [];
let jobs: ServerProcess[] = [];
const trainees: Array<{ _id: unknown; email: string }> = [];

type Agent = ReturnType<typeof request.agent>;

/** Signs in through the proxy, pinned to one process (the session lives in the database). */
async function signInAt(pin: string, user: { email: string; totpSecret?: string }): Promise<Agent> {
  const agent = request.agent(proxy.url);
  const page = await agent.get('/login').set(PIN, pin).expect(200);
  const res = await agent
    .post('/login')
    .set(PIN, pin)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: PASSWORD });
  assert.equal(res.status, 303, `sign-in: ${res.status}`);
  if (res.headers.location?.endsWith('/login/2fa')) {
    const form = await agent.get('/login/2fa').set(PIN, pin).expect(200);
    await agent
      .post('/login/2fa')
      .set(PIN, pin)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), code: generateSync({ secret: user.totpSecret! }) })
      .expect(303);
  }
  return agent;
}

function webEnv(): Record<string, string> {
  return {
    BASE_URL: proxy?.url ?? 'http://127.0.0.1:3000',
    LOGIN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
    LOGIN_LIMIT_PER_IP: '10000',
    JOB_LEASE_MS: String(LEASE_MS),
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
  };
}

before(async () => {
  const base = process.env.TEST_MONGODB_URI;
  assert.ok(base, 'TEST_MONGODB_URI');
  const name = `scale_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  uri = `${base.replace(/\/$/, '')}/${name}`;
  db = await connectDatabase(base, name);
  // The test's own view of the database, for factories and checks (it runs no jobs).
  ctx = createUmbrella({
    connection: db,
    jobs: 'none',
    config: { env: 'test', sessionSecret: SCALE_SECRET, logLevel: 'silent' },
  }).ctx;
  smtp = await startHoldingSmtp();
  // 100 trainees enrolled three days ago and never started: a reminder each is due. The SMTP server
  // will hold the 40th message unanswered (the last test kills the jobs process stuck sending it).
  const { course } = await buildCourse(ctx);
  for (let i = 0; i < 100; i++) trainees.push(await buildUser(ctx, { email: `trainee-${i}@example.org` }));
  const enrolledAt = new Date(Date.now() - 3 * DAY);
  await enrolmentModel(db).insertMany(
    trainees.map((u) => ({ userId: u._id, courseId: course._id, status: 'enrolled', enrolledAt })),
  );
  smtp.holdAt(40);
  // Started together (each compiles the app): two web processes and two jobs processes.
  // Each web process has its own uploads folder, as on two machines: a file must travel in the database.
  const ownDisk = () => ({ UPLOADS_DIR: mkdtempSync(path.join(os.tmpdir(), 'scale-uploads-')) });
  const started = await Promise.all([
    startServerProcess('web', uri, { ...webEnv(), ...ownDisk() }),
    startServerProcess('web', uri, { ...webEnv(), ...ownDisk() }),
    startServerProcess('jobs', uri, webEnv()),
    startServerProcess('jobs', uri, webEnv()),
  ]);
  processes.push(...started);
  jobs = started.slice(2);
  proxy = await startProxy([started[0]!.url, started[1]!.url]);
});

after(async () => {
  await Promise.allSettled(processes.map((p) => p.kill('SIGKILL')));
  await proxy?.close();
  await smtp?.close();
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

test('the proxy takes turns: unpinned requests reach both processes', async () => {
  const from = proxy.served.length;
  for (let i = 0; i < 4; i++) await request(proxy.url).get('/livez').expect(200);
  assert.deepEqual(new Set(proxy.served.slice(from)), new Set([0, 1]));
});

test('a user disabled through process A is refused by process B on the next request', async () => {
  const admin = await buildUser(ctx, { role: 'admin' });
  const trainee = await buildUser(ctx);
  const staff = await signInAt(A, admin);
  const reader = await signInAt(B, trainee);
  await reader.get('/account').set(PIN, A).expect(200);
  await reader.get('/account').set(PIN, B).expect(200);

  const page = await staff
    .get(`/admin/users/${String(trainee._id)}`)
    .set(PIN, A)
    .expect(200);
  await staff
    .post(`/admin/users/${String(trainee._id)}`)
    .set(PIN, A)
    .type('form')
    // Changing access asks for the password again (step-up).
    .send({ _csrf: csrfFrom(page.text), role: 'journalist', status: 'disabled', stepUpSecret: PASSWORD })
    .expect(303);
  assert.equal((await userModel(db).findById(trainee._id).lean())!.status, 'disabled');

  const refused = await reader.get('/account').set(PIN, B);
  assert.notEqual(refused.status, 200, 'process B still served the disabled user');
  assert.match(refused.headers.location ?? '', /\/login/);
});

test('the per-account login limit holds across both processes', async () => {
  const user = await buildUser(ctx);
  const agent = request.agent(proxy.url);
  const page = await agent.get('/login').set(PIN, A).expect(200);
  const token = csrfFrom(page.text);
  const statuses: string[] = [];
  // Wrong passwords, alternating A, B, A, B, A, B: the limit is 3 per account, whichever process counts.
  for (let i = 0; i < PER_ACCOUNT + 3; i++) {
    const pin = i % 2 === 0 ? A : B;
    const res = await agent
      .post('/login')
      .set(PIN, pin)
      .type('form')
      .send({ _csrf: token, email: user.email, password: 'not-the-password' });
    statuses.push(`${pin === A ? 'A' : 'B'}${res.status}`);
  }
  assert.deepEqual(statuses, ['A401', 'B401', 'A401', 'B429', 'A429', 'B429']);
});

test('a lesson published through process A is served by process B within 1 s', async () => {
  const { course } = await buildCourse(ctx);
  const trainer = await buildUser(ctx, { role: 'trainer' });
  const trainee = await buildUser(ctx);
  const staff = await signInAt(A, trainer);
  const reader = await signInAt(B, trainee);
  const lessonUrl = `/learn/${course.slug}/lesson-1`;
  // Both processes have the published lesson in their content cache.
  for (const pin of [A, B, A, B]) {
    const page = await reader.get(lessonUrl).set(PIN, pin).expect(200);
    assert.match(page.text, /English text 1/);
  }

  const editUrl = `/trainer/courses/${course.slug}/lessons/lesson-1/edit`;
  const editor = await staff.get(editUrl).set(PIN, A).expect(200);
  const token = csrfFrom(editor.text);
  await staff
    .post(editUrl)
    .set(PIN, A)
    .type('form')
    .send({
      _csrf: token,
      rev: '0',
      titleEn: 'Lesson 1',
      titleMn: 'Хичээл 1',
      minutes: '5',
      action: 'save',
      b0_id: 'b1',
      b0_type: 'markdown',
      b0_en: 'Corrected English',
      b0_mn: 'Зассан монгол',
    })
    .expect(303);
  await staff
    .post(`/trainer/courses/${course.slug}/lessons/lesson-1/publish`)
    .set(PIN, A)
    .type('form')
    .send({ _csrf: token, rev: '1' })
    .expect(303);
  const published = performance.now();
  // A shows it at once (it dropped its own entry).
  assert.match((await reader.get(lessonUrl).set(PIN, A).expect(200)).text, /Corrected English/);

  // B: any request that starts 1 s after the publish answered must show it (B reads the content
  // version at most once a second, and reloads when it changed). Earlier requests may or may not.
  const RULE_MS = 1000;
  for (;;) {
    const started = performance.now() - published;
    const page = await reader.get(lessonUrl).set(PIN, B).expect(200);
    if (/Corrected English/.test(page.text)) break;
    assert.ok(
      started < RULE_MS,
      `process B served the old lesson to a request started ${Math.round(started)} ms after the publish`,
    );
    await new Promise((r) => setTimeout(r, 50));
  }
});

test('a file uploaded through process A downloads through process B with the same SHA-256', async () => {
  // The processes run with MONGODB_URI, so they keep files in GridFS (STORAGE's default then).
  const call = await buildCall(ctx, { eligibility: {} });
  const agent = await signInAt(A, await buildUser(ctx));
  const token = csrfFrom((await agent.get('/grants').set(PIN, A).expect(200)).text);
  const created = await agent
    .post(`/grants/${String(call._id)}/pitches`)
    .set(PIN, A)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  const pitchId = /\/grants\/pitches\/([a-f0-9]{24})$/.exec(created.headers.location!)![1]!;
  await agent
    .post(`/grants/pitches/${pitchId}/files`)
    .set(PIN, A)
    .field('_csrf', token)
    .field('kind', 'sample')
    .attach('file', PDF, 'sample.pdf')
    .expect(303);
  const record = await storedFileModel(db).findOne({ pitchId }).lean();
  assert.ok(record, 'stored through A');
  assert.equal(record.sha256, createHash('sha256').update(PDF).digest('hex'));
  const res = await agent
    .get(`/grants/files/${String(record._id)}`)
    .set(PIN, B)
    .buffer(true)
    .parse(binary)
    .expect(200);
  assert.equal(
    createHash('sha256')
      .update(res.body as Buffer)
      .digest('hex'),
    record.sha256,
    'B served the same bytes',
  );
});

test('100 due reminders: exactly 100 e-mails; one jobs process sweeps at a time; a killed one is replaced', async () => {
  const reminders = () => outboxModel(db).countDocuments({ template: 'learning/reminder' });
  const outboxLease = () => db.collection(LEASE_COLLECTION).findOne({ _id: 'outbox' as never });

  // Two jobs processes run. The SMTP server holds the 40th message unanswered: whichever process
  // holds the outbox lease is stuck sending it, and keeps renewing its lease.
  await eventually('40th message held', async () => smtp.held() && (await reminders()) === 100, 120_000);
  assert.equal(smtp.delivered.length, 39);

  // The other jobs process (and the web processes, which run no jobs) send nothing meanwhile, for
  // longer than a lease: the stuck holder's renewed lease keeps the sweep to itself.
  const pending = await outboxModel(db).countDocuments({ status: 'pending' });
  assert.equal(pending, 60);
  await new Promise((r) => setTimeout(r, 2 * LEASE_MS + 1000));
  assert.equal(smtp.delivered.length, 39, 'a second process swept the outbox while the first held the lease');
  assert.equal(await outboxModel(db).countDocuments({ status: 'pending' }), pending);

  // Kill the holder mid-sweep: the other takes the expired lease and finishes the sweep.
  const holder = String((await outboxLease())?.holder);
  const stuck = jobs.find((p) => holder.includes(`:${p.pid}:`));
  assert.ok(stuck, `the outbox lease is held by a jobs process (${holder})`);
  const other = jobs.find((p) => p !== stuck)!;
  await stuck.kill('SIGKILL');
  await eventually('the other 60 messages', () => smtp.delivered.length >= 99, 120_000);
  // The SMTP server records the 99th before it answers; the sender marks it sent only after that.
  await eventually(
    'the 99th marked sent',
    async () => (await outboxModel(db).countDocuments({ status: 'sent' })) === 99,
    120_000,
  );
  assert.match(String((await outboxLease())?.holder), new RegExp(`^$|:${other.pid}:`));

  // The message the killed process was sending stays claimed by it until its claim expires (the
  // outbox's LOCK_MS, 2 minutes): the test lets that time pass by moving the claim's expiry.
  const claimed = await outboxModel(db).find({ status: 'sending' }).lean();
  assert.equal(claimed.length, 1);
  assert.match(claimed[0]!.lockedBy ?? '', new RegExp(`:${stuck.pid}#`));
  await outboxModel(db).updateOne(
    { _id: claimed[0]!._id },
    { $set: { lockedUntil: new Date(Date.now() - 1000) } },
  );
  await eventually('the 100th message', () => smtp.delivered.length >= 100, 120_000);

  // Nothing more comes in two more outbox rounds. The round that sent the 100th may still be
  // finishing (its lease holds no doneAt until it is released), so wait for its end first.
  const lastDone = async () => (await outboxLease())?.doneAt as Date | undefined;
  const seen = await eventually('the round that sent the 100th ends', lastDone, 120_000);
  await eventually(
    'two more outbox rounds',
    async () => ((await lastDone())?.getTime() ?? 0) > seen.getTime() + 2000,
    120_000,
  );
  const recipients = smtp.delivered.flatMap((d) => d.to).sort();
  assert.deepEqual(recipients, trainees.map((u) => u.email).sort());
  assert.equal(await outboxModel(db).countDocuments({ status: 'sent' }), 100);
});
