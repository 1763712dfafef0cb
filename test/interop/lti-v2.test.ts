/**
 * LTI 1.3 as an LMS administrator expects it (issue 16): roles read from the course membership,
 * framing allowed per registered platform with no restart, the launch locale followed, grades that a
 * retake never lowers, and deep linking that honours accept_multiple and accept_types.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import mongoose, { Types } from 'mongoose';
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
import { userModel } from '../../modules/accounts/model';
import { quizSummariesForCourse } from '../../modules/quizzes';
import { attemptModel } from '../../modules/quizzes/model';
import { ltiJob, ltiLinkModel, ltiPlatformModel } from '../../modules/interop/lti';
import { ltiContextModel } from '../../modules/interop/lti/model';
import { nextLink, rememberRoster } from '../../modules/interop/lti/roster';
import { enrolmentModel } from '../../modules/learning/model';
import { mapRoles, isLearner } from '../../modules/interop/lti/claims';

let t: TestApp;
let best: PlatformSim;
let first: PlatformSim;
let server: http.Server;
let baseUrl: string;
let courseId: string;
let admin: Awaited<ReturnType<typeof signIn>>;

async function register(sim: PlatformSim, extra: Record<string, string> = {}, status = 303) {
  const page = await admin.get('/admin/lti').expect(200);
  return admin
    .post('/admin/lti')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), stepUpSecret: PASSWORD, ...sim.registration(), ...extra })
    .expect(status);
}

before(async () => {
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await buildTestApp({ config: { baseUrl } });
  server.on('request', t.app);
  const [imported] = await importCourses(t.ctx);
  courseId = String(imported!.courseId);
  best = await startPlatform(baseUrl);
  first = await startPlatform(baseUrl);
  admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  await register(best);
});

after(async () => {
  await best?.close();
  await first?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t?.close();
});

/** The browser keeps the login's state cookie and sends it back with the launch. */
const login = (sim: PlatformSim, options: LaunchOptions) => ltiLogin(t.app, sim, baseUrl, options);

const launch = (form: { id_token: string; state: string; cookie?: string }) => postLaunch(t.app, form);
const continueLink = (html: string) => /href="([^"]*\/lti\/continue\/[A-Za-z0-9_-]+)"/.exec(html)?.[1];
const directive = (csp: string | undefined, name: string) =>
  new RegExp(`${name} ([^;]*)`).exec(csp ?? '')?.[1]?.split(' ') ?? [];

test('roles come from the course membership: a learner who teaches elsewhere is a learner here', () => {
  assert.equal(mapRoles([ROLE.learner, ROLE.institutionInstructor]), 'journalist');
  assert.ok(isLearner([ROLE.learner, ROLE.institutionInstructor]));
  assert.equal(mapRoles([ROLE.teachingAssistant]), 'trainer');
  assert.ok(!isLearner([ROLE.teachingAssistant]));
  assert.equal(mapRoles([ROLE.instructor]), 'trainer');
  assert.equal(mapRoles(['Instructor']), 'trainer', 'simple names are context roles');
  assert.equal(
    mapRoles([ROLE.systemAdmin, ROLE.admin]),
    'journalist',
    'an LMS admin is nobody in this course',
  );
  assert.ok(!isLearner([ROLE.institutionInstructor]), 'institution roles never make a gradable learner');
  assert.equal(mapRoles(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']), 'journalist');
});

test('launches: a course learner who is an LMS instructor gets the learner hand-off; a TA gets staff sign-in', async () => {
  const learner = await launch(
    await login(best, { sub: 'dual-role', roles: [ROLE.learner, ROLE.institutionInstructor] }),
  ).expect(200);
  assert.ok(continueLink(learner.text), 'learner hand-off');
  const ta = await launch(await login(best, { sub: 'ta-1', roles: [ROLE.teachingAssistant] })).expect(200);
  assert.equal(continueLink(ta.text), undefined);
  assert.match(ta.text, /\/login\?next=/);
  assert.equal(await ltiLinkModel(t.ctx.db).countDocuments({ sub: 'ta-1' }), 0, 'no account for staff');
});

test('the launch page is framed by the launching platform only, and one registered now frames at once', async () => {
  const page = await launch(await login(best, { sub: 'framed-1' })).expect(200);
  const csp = page.headers['content-security-policy'];
  assert.deepEqual(directive(csp, 'frame-ancestors'), [new URL(best.issuer).origin]);
  assert.equal(page.headers['x-frame-options'], undefined);
  // Ordinary pages still refuse every frame.
  const other = await request(t.app).get('/login').expect(200);
  assert.deepEqual(directive(other.headers['content-security-policy'], 'frame-ancestors'), ["'none'"]);
  assert.equal(other.headers['x-frame-options'], 'DENY');

  // A platform registered while the app runs is framed by its own origin, not the first one's.
  await register(first, { gradePolicy: 'first' });
  const second = await launch(await login(first, { sub: 'framed-2' })).expect(200);
  assert.deepEqual(directive(second.headers['content-security-policy'], 'frame-ancestors'), [
    new URL(first.issuer).origin,
  ]);
});

test('the launch follows the LMS locale: the page, the new tab and the profile', async () => {
  const mn = await launch(await login(best, { sub: 'locale-1', locale: 'mn-MN' })).expect(200);
  assert.match(mn.text, /<html lang="mn">/);
  const agent = request.agent(t.app);
  const go = await continueHandoff(agent, mn, { 'accept-language': 'en' });
  assert.equal(go.status, 303);
  const home = await agent.get(go.headers.location!).set('accept-language', 'en').expect(200);
  assert.match(home.text, /<html lang="mn">/);
  const link = await ltiLinkModel(t.ctx.db).findOne({ sub: 'locale-1' }).lean();
  assert.equal((await userModel(t.ctx.db).findById(link!.userId).lean())!.locale, 'mn');

  // The learner switched the LMS to English: the next launch is English.
  const en = await launch(await login(best, { sub: 'locale-1', locale: 'en_US' })).expect(200);
  assert.match(en.text, /<html lang="en">/);
  assert.equal((await userModel(t.ctx.db).findById(link!.userId).lean())!.locale, 'en');
  // A language we do not speak changes nothing.
  await launch(await login(best, { sub: 'locale-1', locale: 'fr-FR' })).expect(200);
  assert.equal((await userModel(t.ctx.db).findById(link!.userId).lean())!.locale, 'en');
});

/** Three attempts of the linked quiz, oldest first, with these scores. */
async function attempts(sub: string, scores: number[]) {
  const link = await ltiLinkModel(t.ctx.db).findOne({ sub }).lean();
  const quiz = (await quizSummariesForCourse(t.ctx, courseId)).find(
    (q) => q.key === 'lesson:01-what-is-trafficking',
  )!;
  const start = Date.now();
  const before = await attemptModel(t.ctx.db).countDocuments({ userId: link!.userId });
  await attemptModel(t.ctx.db).collection.insertMany(
    scores.map((score, i) => ({
      _id: new Types.ObjectId(),
      quizId: new Types.ObjectId(quiz.quizId),
      quizKey: quiz.key,
      courseId: new Types.ObjectId(courseId),
      userId: link!.userId,
      attemptNo: before + i + 1,
      status: 'submitted',
      startedAt: new Date(start + i * 1000),
      submittedAt: new Date(start + i * 1000 + 500),
      items: [],
      score,
    })),
  );
}

async function gradedLaunch(sim: PlatformSim, sub: string, lineitemId: string) {
  const page = await launch(
    await login(sim, {
      sub,
      custom: { target: 'quiz:tip-reporting/lesson:01-what-is-trafficking' },
      lineitemId,
      resourceLinkId: `rl-${lineitemId}`,
    }),
  ).expect(200);
  assert.ok(continueLink(page.text));
}

test('grade passback never lowers a grade: "best" sends each improvement, "first" only the first', async () => {
  await gradedLaunch(best, 'grade-best', 'li-best');
  await attempts('grade-best', [60, 40]);
  await ltiJob.run(t.ctx);
  await attempts('grade-best', [80, 70]);
  await ltiJob.run(t.ctx);
  const sentBest = best.scores.filter((s) => s.path.startsWith('/lineitems/li-best/'));
  assert.deepEqual(
    sentBest.map((s) => s.body.scoreGiven),
    [60, 80],
  );

  await gradedLaunch(first, 'grade-first', 'li-first');
  await attempts('grade-first', [55, 90]);
  await ltiJob.run(t.ctx);
  await attempts('grade-first', [100]);
  await ltiJob.run(t.ctx);
  assert.deepEqual(
    first.scores.filter((s) => s.path.startsWith('/lineitems/li-first/')).map((s) => s.body.scoreGiven),
    [55],
  );
  // Running again sends nothing more.
  await ltiJob.run(t.ctx);
  assert.equal(best.scores.filter((s) => s.path.startsWith('/lineitems/li-best/')).length, 2);
});

test('the platform form keeps what was typed when the grade policy is not one we know', async () => {
  const other = await startPlatform(baseUrl);
  try {
    const res = await register(other, { gradePolicy: 'highest', name: 'Kept name' }, 400);
    assert.match(res.text, /value="Kept name"/);
    assert.match(res.text, /Choose which grade the course platform keeps/);
  } finally {
    await other.close();
  }
});

async function deepLinkPage(options: LaunchOptions, status = 200) {
  const form = await login(best, {
    roles: [ROLE.instructor],
    messageType: 'LtiDeepLinkingRequest',
    ...options,
  });
  return launch(form).expect(status);
}
const ticketOf = (html: string) => /name="ticket" value="([^"]+)"/.exec(html)![1]!;
const jwtOf = (html: string) => /name="JWT" value="([^"]+)"/.exec(html)![1]!;
const ITEMS = 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items';

test('deep linking returns several items when the platform accepts several', async () => {
  const page = await deepLinkPage({ sub: 'dl-many', acceptMultiple: true });
  assert.match(page.text, /type="checkbox"[^>]*name="target"/);
  const targets = ['course:tip-reporting', 'quiz:tip-reporting/lesson:01-what-is-trafficking'];
  const back = await request(t.app)
    .post('/lti/deep-link')
    .type('form')
    .send(
      `ticket=${ticketOf(page.text)}&target=${encodeURIComponent(targets[0]!)}&target=${encodeURIComponent(targets[1]!)}`,
    )
    .expect(200);
  // The return page may be framed by the platform and post to its return URL.
  const csp = back.headers['content-security-policy'];
  assert.ok(directive(csp, 'form-action').includes(new URL(best.url).origin));
  assert.deepEqual(directive(csp, 'frame-ancestors'), [new URL(best.issuer).origin]);
  const claims = await best.verifyFromTool(jwtOf(back.text));
  const items = claims[ITEMS] as Array<{ custom: { target: string } }>;
  assert.deepEqual(
    items.map((i) => i.custom.target),
    targets,
  );
});

test('deep linking: one item where only one is accepted; refused kinds of content are explained', async () => {
  const single = await deepLinkPage({ sub: 'dl-one', acceptMultiple: false });
  assert.doesNotMatch(single.text, /type="checkbox"/);
  const two = await request(t.app)
    .post('/lti/deep-link')
    .set('accept-language', 'en')
    .type('form')
    .send(
      `ticket=${ticketOf(single.text)}&target=course%3Atip-reporting&target=lesson%3Atip-reporting%2F01-what-is-trafficking`,
    )
    .expect(400);
  assert.match(two.text, /accepts one item at a time/);
  // The selection was not used up: one item still goes through.
  const one = await request(t.app)
    .post('/lti/deep-link')
    .type('form')
    .send({ ticket: ticketOf(single.text), target: 'course:tip-reporting' })
    .expect(200);
  assert.equal(((await best.verifyFromTool(jwtOf(one.text)))[ITEMS] as unknown[]).length, 1);

  const links = await deepLinkPage({ sub: 'dl-types', acceptTypes: ['link', 'file'] }, 400);
  assert.match(links.text, /LTI resource links|LTI нөөцийн холбоос/);
});

test('dynamic registration: a one-time link pasted into the LMS registers it, and it can launch', async () => {
  const lms = await startPlatform(baseUrl);
  try {
    const page = await admin.get('/admin/lti').expect(200);
    const made = await admin
      .post('/admin/lti/registration-link')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), stepUpSecret: PASSWORD })
      .expect(201);
    const link = /id="registration-link" type="text" readonly value="([^"]+)"/.exec(made.text)?.[1];
    assert.ok(link?.startsWith(`${baseUrl}/lti/register/`), 'the link is shown once');
    const path = new URL(link!).pathname;
    const opened = (token: string) =>
      request(t.app)
        .get(path)
        .set('accept-language', 'en')
        .query({
          openid_configuration: `${lms.url}/.well-known/openid-configuration`,
          registration_token: token,
        });

    // The LMS refuses the tool (a wrong token here): nothing is kept, and the link still works.
    const refused = await opened('not-the-token').expect(400);
    assert.match(refused.text, /registration with the LMS failed/);
    const done = await opened(lms.registrationToken).expect(200);
    assert.match(done.text, /org\.imsglobal\.lti\.close/);
    assert.deepEqual(directive(done.headers['content-security-policy'], 'frame-ancestors'), [
      new URL(lms.issuer).origin,
    ]);
    const sent = lms.registrations.at(-1)!;
    assert.equal(sent.authorization, `Bearer ${lms.registrationToken}`);
    assert.equal(sent.body.initiate_login_uri, `${baseUrl}/lti/login`);
    assert.deepEqual(sent.body.redirect_uris, [`${baseUrl}/lti/launch`]);
    assert.equal(sent.body.jwks_uri, `${baseUrl}/lti/jwks`);
    assert.equal(sent.body.token_endpoint_auth_method, 'private_key_jwt');

    // Used once.
    await opened(lms.registrationToken).expect(404);
    // The registered LMS launches a learner.
    const launched = await launch(await login(lms, { sub: 'dr-learner' })).expect(200);
    assert.ok(continueLink(launched.text));
    const listed = await admin.get('/admin/lti').expect(200);
    assert.match(listed.text, /simlms/);
  } finally {
    await lms.close();
  }
});

test('dynamic registration refuses a configuration whose issuer is elsewhere, and unknown links', async () => {
  await request(t.app)
    .get(`/lti/register/${'x'.repeat(43)}`)
    .query({ openid_configuration: 'https://lms.example/.well-known/openid-configuration' })
    .expect(404);
  const page = await admin.get('/admin/lti').expect(200);
  const made = await admin
    .post('/admin/lti/registration-link')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), stepUpSecret: PASSWORD })
    .expect(201);
  const path = new URL(/id="registration-link" type="text" readonly value="([^"]+)"/.exec(made.text)![1]!)
    .pathname;
  // A configuration served from one origin that names another issuer.
  const liar = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        issuer: 'https://real-lms.example',
        authorization_endpoint: 'https://real-lms.example/auth',
        token_endpoint: 'https://real-lms.example/token',
        jwks_uri: 'https://real-lms.example/jwks',
        registration_endpoint: 'https://real-lms.example/register',
      }),
    );
  });
  await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', () => resolve()));
  try {
    const at = `http://127.0.0.1:${(liar.address() as AddressInfo).port}/config`;
    const res = await request(t.app)
      .get(path)
      .set('accept-language', 'en')
      .query({ openid_configuration: at })
      .expect(400);
    assert.match(res.text, /issuer on another address/);
    await request(t.app).get(path).query({ openid_configuration: 'javascript:alert(1)' }).expect(400);
  } finally {
    liar.closeAllConnections();
    await new Promise<void>((resolve) => liar.close(() => resolve()));
  }
});

test('NRPS: the roster of the linked LMS course is enrolled here before anyone launches', async () => {
  best.members = [
    {
      user_id: 'r-ana',
      roles: [ROLE.learner],
      status: 'Active',
      name: 'Ana Roster',
      email: 'ana@lms.example.org',
    },
    { user_id: 'r-bat', roles: [ROLE.learner, ROLE.institutionInstructor], name: 'Bat Roster' },
    { user_id: 'r-teacher', roles: [ROLE.instructor], status: 'Active', name: 'Teacher' },
    { user_id: 'r-gone', roles: [ROLE.learner], status: 'Inactive', name: 'Left the course' },
    { user_id: 'r-dulam', roles: [ROLE.learner], status: 'Active', name: 'Dulam Roster' },
  ];
  await launch(
    await login(best, {
      sub: 'roster-teacher',
      roles: [ROLE.instructor],
      roster: true,
      custom: { target: 'course:tip-reporting' },
    }),
  ).expect(200);
  await ltiJob.run(t.ctx);
  assert.ok(best.tokenScopes.some((s) => s.includes('contextmembership.readonly')));
  const linked = await ltiLinkModel(t.ctx.db).find({ sub: /^r-/ }).lean();
  assert.deepEqual(
    linked.map((l) => l.sub).sort(),
    ['r-ana', 'r-bat', 'r-dulam'],
    'active learners, all pages',
  );
  const enrolled = await enrolmentModel(t.ctx.db)
    .find({ courseId, userId: mongoose.trusted({ $in: linked.map((l) => l.userId) }) })
    .lean();
  assert.equal(enrolled.length, 3);
  assert.ok(
    enrolled.every((e) => e.status === 'enrolled' && !e.lastActivityAt),
    'enrolled, no visit recorded',
  );
  const ana = await userModel(t.ctx.db).findOne({ email: 'ana@lms.example.org' }).lean();
  assert.equal(ana?.name, 'Ana Roster');

  // Read again later: nothing doubled. The learner's own launch finds the same account.
  await ltiJob.run(t.ctx);
  assert.equal(await ltiLinkModel(t.ctx.db).countDocuments({ sub: /^r-/ }), 3);
  const page = await launch(await login(best, { sub: 'r-ana' })).expect(200);
  assert.ok(continueLink(page.text));
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: 'ana@lms.example.org' }), 1);
});

test('NRPS: a roster address outside the platform is never called with our token', async () => {
  const platform = (await ltiPlatformModel(t.ctx.db).findOne({ issuer: best.issuer }).lean())!;
  await rememberRoster(t.ctx, platform, 'ctx-evil', 'https://evil.example/memberships', courseId);
  assert.equal(await ltiContextModel(t.ctx.db).countDocuments({ contextId: 'ctx-evil' }), 0);
  assert.equal(
    nextLink('<https://lms.example/m?page=2>; rel="next", <https://lms.example/m>; rel="first"'),
    'https://lms.example/m?page=2',
  );
  assert.equal(nextLink(null), undefined);
});
