import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { importCourses } from '../../modules/learning';
import { quizSummariesForCourse } from '../../modules/quizzes';
import { startAttempt, submitAttempt } from '../../modules/quizzes/service';
import { xapiJob, xapiStatementModel } from '../../modules/interop/xapi';

interface Statement {
  id: string;
  actor: { objectType: string; account: { homePage: string; name: string } };
  verb: { id: string };
  object: { id: string; definition: { type: string } };
  result?: { score?: { scaled: number; raw: number }; success?: boolean; response?: string };
  timestamp: string;
}

let t: TestApp;
let lrs: Server;
let lrsUrl: string;
let failNext = 0;
const received: Statement[] = [];
const requests: Array<{ auth?: string; version?: string }> = [];

before(async () => {
  const app = express();
  app.use(express.json());
  app.post('/xapi/statements', (req, res) => {
    requests.push({ auth: req.get('authorization'), version: req.get('x-experience-api-version') });
    if (failNext > 0) {
      failNext--;
      return void res.status(503).end();
    }
    if (req.get('authorization') !== `Basic ${Buffer.from('lrs-key:lrs-secret').toString('base64')}`)
      return void res.status(401).end();
    if (req.get('x-experience-api-version') !== '1.0.3') return void res.status(400).end();
    const s = req.body as Statement;
    if (received.some((r) => r.id === s.id)) return void res.status(409).end();
    received.push(s);
    res.status(200).json([s.id]);
  });
  lrs = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  lrsUrl = `http://127.0.0.1:${(lrs.address() as AddressInfo).port}/xapi/`;
  t = await buildTestApp();
  await importCourses(t.ctx);
});

after(async () => {
  await new Promise<void>((resolve) => lrs.close(() => resolve()));
  await t.close();
});

test('admins configure the LRS; the secret is never shown back; others cannot see the page', async () => {
  const journalist = await signIn(t.app, await buildUser(t.ctx));
  await journalist.get('/admin/xapi').expect(403);
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const page = await admin.get('/admin/xapi').expect(200);
  await admin
    .post('/admin/xapi')
    .type('form')
    .send({
      _csrf: csrfFrom(page.text),
      stepUpSecret: PASSWORD,
      endpoint: 'javascript:alert(1)',
      username: 'x',
      password: '',
    })
    .expect(400);
  await admin
    .post('/admin/xapi')
    .type('form')
    .send({
      _csrf: csrfFrom(page.text),
      endpoint: lrsUrl,
      username: 'lrs-key',
      password: 'lrs-secret',
      enabled: 'on',
    })
    .expect(303);
  const again = await admin.get('/admin/xapi').expect(200);
  assert.ok(!again.text.includes('lrs-secret'));
  assert.ok(again.text.includes('lrs-key'));
  // Saving without a password keeps the stored one.
  await admin
    .post('/admin/xapi')
    .type('form')
    .send({ _csrf: csrfFrom(again.text), endpoint: lrsUrl, username: 'lrs-key', password: '', enabled: 'on' })
    .expect(303);
});

test('lesson views and quiz submissions become pseudonymous statements the LRS accepts', async () => {
  const user = await buildUser(t.ctx, { email: 'private-person@example.org' });
  const agent = await signIn(t.app, user);
  await agent.get('/learn/tip-reporting/01-what-is-trafficking').expect(200);
  const courseId = String((await t.ctx.db.collection('courses').findOne({ slug: 'tip-reporting' }))!._id);
  const quiz = (await quizSummariesForCourse(t.ctx, courseId)).find(
    (q) => q.key === 'lesson:01-what-is-trafficking',
  )!;
  const attempt = await startAttempt(t.ctx, String(user._id), quiz.quizId);
  const submitted = await submitAttempt(t.ctx, attempt, {});

  failNext = 1; // the first delivery fails with 503 and is retried later
  await xapiJob.run(t.ctx);
  const pending = await xapiStatementModel(t.ctx.db).countDocuments({ status: 'pending' });
  assert.equal(pending, 1);
  await xapiStatementModel(t.ctx.db).updateMany(
    { status: 'pending' },
    { $set: { nextAttemptAt: new Date(0) } },
  );
  await xapiJob.run(t.ctx);
  assert.equal(await xapiStatementModel(t.ctx.db).countDocuments({ status: 'pending' }), 0);

  assert.ok(requests.every((r) => r.version === '1.0.3'));
  const base = t.ctx.config.baseUrl;
  const verbs = received.map((s) => s.verb.id.split('/').pop());
  assert.ok(verbs.includes('initialized'));
  assert.ok(verbs.includes('experienced'));
  assert.ok(verbs.includes('failed'));
  assert.equal(verbs.filter((v) => v === 'answered').length, attempt.items.length);
  const init = received.find((s) => s.verb.id.endsWith('/initialized'))!;
  assert.equal(init.object.id, `${base}/xapi/activities/course/tip-reporting`);
  const lesson = received.find((s) => s.verb.id.endsWith('/experienced'))!;
  assert.equal(lesson.object.id, `${base}/xapi/activities/lesson/tip-reporting/01-what-is-trafficking`);
  const graded = received.find((s) => s.verb.id.endsWith('/failed'))!;
  assert.equal(graded.result!.score!.raw, submitted.score);
  assert.equal(graded.result!.success, false);
  assert.ok(graded.object.id.startsWith(`${base}/xapi/activities/quiz/tip-reporting/`));
  for (const s of received) {
    assert.equal(s.actor.account.homePage, base);
    assert.match(s.actor.account.name, /^[a-f0-9]{64}$/);
  }
  const all = JSON.stringify(received);
  assert.ok(!all.includes(String(user._id)) && !all.includes('private-person') && !all.includes(user.name));
  assert.equal(new Set(received.map((s) => s.actor.account.name)).size, 1);

  // Nothing is queued or sent twice.
  const count = received.length;
  await xapiJob.run(t.ctx);
  assert.equal(received.length, count);
  assert.equal(new Set(received.map((s) => s.id)).size, count);
});
