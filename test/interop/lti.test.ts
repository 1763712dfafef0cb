import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import {
  continueHandoff,
  postLaunch,
  startPlatform,
  ROLE,
  type LaunchOptions,
  ltiLogin,
  type PlatformSim,
} from '../support/lti-platform';
import { buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { importCourses } from '../../modules/learning';
import { translator } from '../../server/i18n';

/** Pages without a signed-in user or Accept-Language speak the default, Mongolian. */
const mn = translator('mn');
import { enrolmentModel } from '../../modules/learning/model';
import { userModel } from '../../modules/accounts/model';
import { quizSummariesForCourse } from '../../modules/quizzes';
import { attemptModel } from '../../modules/quizzes/model';
import { questionModel } from '../../modules/quizzes/model';
import { startAttempt, submitAttempt } from '../../modules/quizzes/service';
import { ltiJob, ltiLinkModel, ltiScoreModel, scoresUrl } from '../../modules/interop/lti';

let t: TestApp;
let sim: PlatformSim;
let server: http.Server;
let baseUrl: string;
let courseId: string;

before(async () => {
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await buildTestApp({ config: { baseUrl } });
  server.on('request', t.app);
  const [imported] = await importCourses(t.ctx);
  courseId = String(imported!.courseId);
  sim = await startPlatform(baseUrl);
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const page = await agent.get('/admin/lti').expect(200);
  assert.match(page.text, /\/lti\/jwks/);
  await agent
    .post('/admin/lti')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), stepUpSecret: PASSWORD, ...sim.registration() })
    .expect(303);
});

after(async () => {
  await sim?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t?.close();
});

async function login(options: LaunchOptions) {
  const form = await ltiLogin(t.app, sim, baseUrl, options, { lti_message_hint: 'msg-1' });
  const location = new URL(form.location);
  assert.equal(location.origin + location.pathname, `${sim.url}/auth`);
  assert.equal(location.searchParams.get('lti_message_hint'), 'msg-1');
  return form;
}

const launch = (form: { id_token: string; state: string; cookie?: string }) => postLaunch(t.app, form);

const continueLink = (html: string) => /href="([^"]*\/lti\/continue\/[A-Za-z0-9_-]+)"/.exec(html)?.[1];

test('the tool publishes its public key set, never the private key', async () => {
  const res = await request(t.app).get('/lti/jwks').expect(200);
  const keys = (res.body as { keys: Array<Record<string, unknown>> }).keys;
  assert.equal(keys.length, 1);
  assert.equal(keys[0]!.kty, 'RSA');
  assert.ok(keys[0]!.kid);
  assert.equal(keys[0]!.d, undefined);
});

test('OIDC login → launch → continue: the learner lands on the lesson', async () => {
  const form = await login({
    sub: 'learner-1',
    email: 'sara@lms.example.org',
    custom: { target: 'lesson:tip-reporting/01-what-is-trafficking' },
  });
  assert.equal(form.action, `${baseUrl}/lti/launch`);
  const page = await launch(form).expect(200);
  assert.match(page.text, /target="_blank"/);
  const href = continueLink(page.text);
  assert.ok(href, 'continue link on the page');
  const agent = request.agent(t.app);
  const go = await continueHandoff(agent, page);
  assert.equal(go.status, 303);
  assert.equal(go.headers.location, '/learn/tip-reporting/01-what-is-trafficking');
  const lesson = await agent.get(go.headers.location!).expect(200);
  assert.match(lesson.text, /What trafficking in persons is/);
  // The hand-off works once.
  await request(t.app).get(href).expect(404);
  const link = await ltiLinkModel(t.ctx.db).findOne({ issuer: sim.issuer, sub: 'learner-1' }).lean();
  const user = await userModel(t.ctx.db).findById(link!.userId).lean();
  assert.equal(user!.role, 'journalist');
  assert.equal(user!.email, 'sara@lms.example.org');
  // A second launch of the same LMS user finds the same account.
  const again = await launch(await login({ sub: 'learner-1' })).expect(200);
  assert.ok(continueLink(again.text));
  assert.equal(await ltiLinkModel(t.ctx.db).countDocuments({ sub: 'learner-1' }), 1);
});

test('an e-mail already used here is not trusted: the LMS user gets a placeholder account', async () => {
  const victim = await buildUser(t.ctx);
  await launch(await login({ sub: 'attacker-1', email: victim.email })).expect(200);
  const link = await ltiLinkModel(t.ctx.db).findOne({ sub: 'attacker-1' }).lean();
  assert.notEqual(String(link!.userId), String(victim._id));
  const user = await userModel(t.ctx.db).findById(link!.userId).lean();
  assert.match(user!.email, /@lti\.invalid$/);
});

test('tampered signature, replayed state, wrong audience, expired token, unknown deployment are refused', async () => {
  const users = () => userModel(t.ctx.db).countDocuments();
  const before = await users();

  const tampered = await login({ sub: 'tamper' });
  const [h, p, s] = tampered.id_token.split('.');
  const flipped = `${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  await launch({ ...tampered, id_token: `${h}.${p}.${flipped}` }).expect(400);

  const forged = await login({ sub: 'forged' });
  const payload = JSON.parse(Buffer.from(forged.id_token.split('.')[1]!, 'base64url').toString());
  payload.sub = 'someone-else';
  const swapped = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${forged.id_token.split('.')[2]}`;
  await launch({ ...forged, id_token: swapped }).expect(400);

  const ok = await login({ sub: 'replay' });
  await launch(ok).expect(200);
  await launch(ok).expect(400);

  await launch(await login({ sub: 'aud', aud: 'some-other-client' })).expect(400);
  await launch(await login({ sub: 'multi-aud', aud: [sim.clientId, 'other'] })).expect(400);
  await launch(await login({ sub: 'expired', exp: -120, iat: -900 })).expect(400);
  await launch(await login({ sub: 'nonce', nonce: 'not-the-nonce' })).expect(400);
  await launch(await login({ sub: 'deploy', deploymentId: 'unknown-deployment' })).expect(403);
  await launch(await login({ sub: 'version', version: '1.1' })).expect(400);
  await launch({ id_token: 'x.y.z', state: 'never-issued' }).expect(400);

  assert.equal(await users(), before + 1, 'only the valid launch created an account');
});

test('the login state is bound to the browser that began it: a launch posted from another is refused', async () => {
  const form = await login({ sub: 'bound-1' });
  const [name, secret] = form.cookie.split('=') as [string, string];
  assert.match(name, /^lti-state-[A-Za-z0-9_-]{16}$/);
  const setCookie = String(
    (
      await request(t.app)
        .get('/lti/login')
        .query({
          iss: sim.issuer,
          login_hint: 'x',
          target_link_uri: `${baseUrl}/lti/launch`,
          client_id: sim.clientId,
        })
    ).headers['set-cookie'],
  );
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /Path=\/lti\//);
  assert.match(setCookie, /SameSite=Lax/i, 'plain HTTP: same-site platforms only');

  // Another browser (no cookie, another login's cookie, a wrong secret): refused with the reason.
  const other = await login({ sub: 'bound-other' });
  for (const cookie of [
    '',
    `${other.cookie.split('=')[0]}=${other.cookie.split('=')[1]}`,
    `${name}=x${secret}`,
  ]) {
    const refused = await launch({ ...form, cookie }).expect(400);
    assert.ok(refused.text.includes(mn('interop.lti.errors.stateBrowser')), 'the reason is given');
  }
  // The forged posts did not use the state up: the real browser still launches, once.
  const page = await launch(form).expect(200);
  assert.ok(continueLink(page.text));
  assert.match(String(page.headers['set-cookie']), new RegExp(`${name}=;`), 'the cookie is cleared');
  const replay = await launch(form).expect(400);
  assert.ok(replay.text.includes(mn('interop.lti.errors.state')));
  assert.equal(await ltiLinkModel(t.ctx.db).countDocuments({ sub: 'bound-1' }), 1);
});

test('over HTTPS the state cookie is Secure, SameSite=None and Partitioned (it rides a cross-site post in a frame)', async () => {
  const secure = await buildTestApp({ config: { secureCookies: true, baseUrl: 'https://news.example.org' } });
  try {
    await secure.ctx.db
      .collection('ltiplatforms')
      .insertOne(
        (await t.ctx.db
          .collection('ltiplatforms')
          .findOne({ issuer: sim.issuer }, { projection: { _id: 0 } }))!,
      );
    const res = await request(secure.app)
      .get('/lti/login')
      .set('X-Forwarded-Proto', 'https')
      .query({ iss: sim.issuer, login_hint: 'x', target_link_uri: 'https://news.example.org/lti/launch' })
      .expect(302);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /; Secure/i);
    assert.match(cookie, /SameSite=None/i);
    assert.match(cookie, /Partitioned/i);
  } finally {
    await secure.close();
  }
});

test('login initiation refuses unknown platforms and foreign target links', async () => {
  await request(t.app)
    .get('/lti/login')
    .query({ iss: 'https://unknown.example', login_hint: 'x', target_link_uri: `${baseUrl}/lti/launch` })
    .expect(400);
  await request(t.app)
    .post('/lti/login')
    .type('form')
    .send({ iss: sim.issuer, login_hint: 'x', target_link_uri: 'https://evil.example/' })
    .expect(400);
});

test('instructors get no session from the LMS: they sign in with password and TOTP', async () => {
  const before = await userModel(t.ctx.db).countDocuments();
  const page = await launch(
    await login({ sub: 'teacher-1', roles: [ROLE.instructor], custom: { target: 'course:tip-reporting' } }),
  ).expect(200);
  assert.equal(continueLink(page.text), undefined);
  assert.match(page.text, /\/login\?next=%2Flearn%2Ftip-reporting/);
  assert.equal(await userModel(t.ctx.db).countDocuments(), before);
});

test('deep linking: the instructor picks a quiz, the platform gets a response signed by the tool', async () => {
  const page = await launch(
    await login({ sub: 'teacher-2', roles: [ROLE.instructor], messageType: 'LtiDeepLinkingRequest' }),
  ).expect(200);
  const ticket = /name="ticket" value="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(ticket);
  const target = 'quiz:tip-reporting/lesson:01-what-is-trafficking';
  assert.ok(page.text.includes(`value="${target}"`));
  const back = await request(t.app).post('/lti/deep-link').type('form').send({ ticket, target }).expect(200);
  assert.ok(back.text.includes(`action="${sim.url}/deep-link-return"`));
  const jwt = /name="JWT" value="([^"]+)"/.exec(back.text)![1]!;
  const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());
  assert.ok(header.kid);
  const claims = await sim.verifyFromTool(jwt);
  assert.equal(claims['https://purl.imsglobal.org/spec/lti/claim/message_type'], 'LtiDeepLinkingResponse');
  assert.equal(claims['https://purl.imsglobal.org/spec/lti/claim/deployment_id'], sim.deploymentId);
  assert.equal(claims['https://purl.imsglobal.org/spec/lti-dl/claim/data'], 'opaque-platform-data');
  const [item] = claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{
    type: string;
    url: string;
    custom: { target: string };
    lineItem: { scoreMaximum: number; resourceId: string };
  }>;
  assert.equal(item!.type, 'ltiResourceLink');
  assert.equal(item!.url, `${baseUrl}/lti/launch`);
  assert.equal(item!.custom.target, target);
  assert.equal(item!.lineItem.scoreMaximum, 100);
  assert.equal(item!.lineItem.resourceId, target);
  // One use only; learners cannot deep link.
  await request(t.app).post('/lti/deep-link').type('form').send({ ticket, target }).expect(404);
  await launch(await login({ sub: 'learner-dl', messageType: 'LtiDeepLinkingRequest' })).expect(403);
});

test('score passback: a submitted quiz attempt reaches the platform with its score', async () => {
  const target = 'quiz:tip-reporting/lesson:01-what-is-trafficking';
  const page = await launch(
    await login({ sub: 'graded-1', custom: { target }, lineitemId: 'li-7', resourceLinkId: 'rl-quiz' }),
  ).expect(200);
  assert.equal((await continueHandoff(request.agent(t.app), page)).status, 303);
  const link = await ltiLinkModel(t.ctx.db).findOne({ sub: 'graded-1' }).lean();
  const userId = String(link!.userId);
  const quiz = (await quizSummariesForCourse(t.ctx, courseId)).find(
    (q) => q.key === 'lesson:01-what-is-trafficking',
  )!;
  const attempt = await startAttempt(t.ctx, userId, quiz.quizId);
  const bank = await questionModel(t.ctx.db).find({ courseId: attempt.courseId }).lean();
  const answers: Record<string, string[]> = {};
  for (const item of attempt.items.slice(0, 3)) {
    const q = bank.find((b) => b.qid === item.qid)!;
    if (q.type === 'ordering') answers[q.qid] = q.options.map((o) => o.id);
    else if (q.type === 'case')
      answers[q.qid] = [q.options.find((o) => o.correct)!.id, q.elements!.find((o) => o.correct)!.id];
    else answers[q.qid] = q.options.filter((o) => o.correct).map((o) => o.id);
  }
  const submitted = await submitAttempt(t.ctx, attempt, answers);
  assert.ok(typeof submitted.score === 'number');

  await ltiJob.run(t.ctx);
  assert.equal(sim.scores.length, 1);
  const [score] = sim.scores;
  assert.equal(score!.path, '/lineitems/li-7/lineitem/scores');
  assert.equal(score!.query, 'type_id=3');
  assert.match(score!.contentType, /^application\/vnd\.ims\.lis\.v1\.score\+json/);
  assert.equal(score!.body.userId, 'graded-1');
  assert.equal(score!.body.scoreGiven, submitted.score);
  assert.equal(score!.body.scoreMaximum, 100);
  assert.equal(score!.body.activityProgress, 'Completed');
  assert.equal(score!.body.gradingProgress, 'FullyGraded');
  assert.ok(sim.tokenRequests.every((r) => r.ok));
  const job = await ltiScoreModel(t.ctx.db).findOne({ attemptId: attempt._id }).lean();
  assert.equal(job!.status, 'sent');

  // Running again sends nothing twice; an attempt of another quiz is not this link's grade.
  await ltiJob.run(t.ctx);
  assert.equal(sim.scores.length, 1);
  assert.equal(await attemptModel(t.ctx.db).countDocuments({ userId: link!.userId, status: 'submitted' }), 1);
});

test('a course link reports 100 when the learner completes the course', async () => {
  const page = await launch(
    await login({
      sub: 'graded-course',
      custom: { target: 'course:tip-reporting' },
      lineitemId: 'li-course',
      resourceLinkId: 'rl-course',
    }),
  ).expect(200);
  assert.ok(continueLink(page.text));
  const link = await ltiLinkModel(t.ctx.db).findOne({ sub: 'graded-course' }).lean();
  await ltiJob.run(t.ctx);
  assert.equal(sim.scores.filter((s) => s.path.startsWith('/lineitems/li-course/')).length, 0);
  const now = new Date();
  await enrolmentModel(t.ctx.db).updateOne(
    { userId: link!.userId, courseId },
    { $set: { status: 'completed', completedAt: now, enrolledAt: now } },
    { upsert: true },
  );
  await ltiJob.run(t.ctx);
  const sent = sim.scores.filter((s) => s.path === '/lineitems/li-course/lineitem/scores');
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.body.scoreGiven, 100);
  assert.equal(sent[0]!.body.userId, 'graded-course');
});

test('scores URL keeps the line item query string', () => {
  assert.equal(
    scoresUrl('https://lms.example/mod/lti/services.php/2/lineitems/5/lineitem?type_id=1'),
    'https://lms.example/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=1',
  );
});
