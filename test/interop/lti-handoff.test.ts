/**
 * The LTI launch → new tab hand-off is not a login link (login CSRF): a learner who copies their
 * /lti/continue/<ticket> and gets someone else to open it must not sign that person into the learner's
 * account. Opening it only asks "Continue as <name>" (a stranger's name tells a victim to stop); the
 * POST with the CSRF token signs in; someone already signed in is never replaced without being asked.
 */
import { createHash } from 'node:crypto';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import {
  continueHandoff,
  handoffOf,
  postLaunch,
  startPlatform,
  type LaunchOptions,
  ltiLogin,
  type PlatformSim,
} from '../support/lti-platform';
import { buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { importCourses } from '../../modules/learning';
import { ltiTicketModel } from '../../modules/interop/lti/model';
import { translator } from '../../server/i18n';

const en = translator('en');

let t: TestApp;
let sim: PlatformSim;
let server: http.Server;
let baseUrl: string;

before(async () => {
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await buildTestApp({ config: { baseUrl } });
  server.on('request', t.app);
  await importCourses(t.ctx);
  sim = await startPlatform(baseUrl);
  const agent = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const page = await agent.get('/admin/lti').expect(200);
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

/** A learner's launch in the LMS frame: login (state cookie), the platform's form post, the page. */
async function launchAs(options: LaunchOptions) {
  return postLaunch(t.app, await ltiLogin(t.app, sim, baseUrl, options)).expect(200);
}

const signedInPage = async (agent: ReturnType<typeof request.agent>) => {
  const res = await agent.get('/account');
  return res.status === 200 ? res.text : undefined;
};
const ticketOf = (href: string) => href.split('/').pop()!;
const ticketUsed = async (href: string) => {
  const tokenHash = createHash('sha256').update(ticketOf(href)).digest('hex');
  return !!(await ltiTicketModel(t.ctx.db).findOne({ tokenHash }).lean())?.usedAt;
};

test('opening the hand-off link signs nobody in; Continue with the CSRF token does, once', async () => {
  const launched = await launchAs({
    sub: 'handoff-1',
    name: 'Mallory Learner',
    email: 'mallory@lms.example.org',
  });
  const { href } = handoffOf(launched);

  const agent = request.agent(t.app);
  const page = await agent.get(href).expect(200);
  assert.ok(
    page.text.includes(en('interop.lti.continue.as', { name: 'Mallory Learner (mallory@lms.example.org)' })),
    'says who, with the address the LMS gave',
  );
  assert.match(page.text, new RegExp(`<form method="post" action="${href}">`));
  assert.equal(await signedInPage(agent), undefined, 'the GET started no session');
  assert.equal(await ticketUsed(href), false, 'the GET did not use the ticket');

  // No token, a cross-site post: refused, nothing used.
  await agent.post(href).type('form').send({}).expect(403);
  await agent
    .post(href)
    .set('Sec-Fetch-Site', 'cross-site')
    .type('form')
    .send({ _csrf: csrfFrom(page.text) })
    .expect(403);
  assert.equal(await signedInPage(agent), undefined);
  assert.equal(await ticketUsed(href), false);

  const go = await agent
    .post(href)

    .type('form')
    .send({ _csrf: csrfFrom(page.text) });
  assert.equal(go.status, 303);
  assert.equal(go.headers.location, '/learn');
  assert.ok((await signedInPage(agent))?.includes('value="Mallory Learner"'));

  // Used up: neither the page nor the form works again, in this browser or another.
  const again = await agent.get(href).expect(404);
  assert.ok(again.text.includes(en('interop.lti.errors.handoff')));
  const csrf = csrfFrom((await agent.get('/account').expect(200)).text);
  await agent.post(href).type('form').send({ _csrf: csrf }).expect(404);
});

test('a hand-off link sent to someone else names whose it is and signs nobody in by itself', async () => {
  const launched = await launchAs({ sub: 'handoff-2', name: 'Mallory Two' });
  const { href } = handoffOf(launched);
  const victim = request.agent(t.app);
  const page = await victim.get(href).expect(200);
  assert.ok(page.text.includes(en('interop.lti.continue.as', { name: 'Mallory Two' })), 'a stranger’s name');
  assert.ok(page.text.includes(en('interop.lti.continue.notYou')), 'and a warning not to continue');
  assert.equal(await signedInPage(victim), undefined, 'opening it signed nobody in');
  assert.equal(await ticketUsed(href), false);
  // A post from another site (the attacker's page) is refused.
  await victim
    .post(href)
    .set('Sec-Fetch-Site', 'cross-site')
    .type('form')
    .send({ _csrf: csrfFrom(page.text) })
    .expect(403);
  assert.equal(await signedInPage(victim), undefined);
});

test('someone already signed in is told who, and is replaced only when they choose to be', async () => {
  const victim = await buildUser(t.ctx, { name: 'Vera Victim', locale: 'en' });
  const agent = await signIn(t.app, victim);
  const launched = await launchAs({ sub: 'handoff-3', name: 'Mallory Three', email: 'm3@lms.example.org' });
  const { href } = handoffOf(launched);

  const page = await agent.get(href).expect(200);
  assert.ok(page.text.includes(en('interop.lti.continue.signedInAs', { name: 'Vera Victim' })), page.text);
  assert.ok(page.text.includes(en('interop.lti.continue.switch', { name: 'Mallory Three' })));
  assert.ok(page.text.includes(en('interop.lti.continue.cancel', { name: 'Vera Victim' })));
  assert.match(page.text, /name="switchUser" value="1"/);

  // A Continue that did not choose to switch (the page was shown before this sign-in) asks again.
  const asked = await agent
    .post(href)

    .type('form')
    .send({ _csrf: csrfFrom(page.text) })
    .expect(409);
  assert.ok(asked.text.includes(en('interop.lti.continue.signedInAs', { name: 'Vera Victim' })));
  assert.ok((await signedInPage(agent))?.includes('value="Vera Victim"'), 'still the same person');
  assert.equal(await ticketUsed(href), false);

  const switched = await agent
    .post(href)

    .type('form')
    .send({ _csrf: csrfFrom(page.text), switchUser: '1' });
  assert.equal(switched.status, 303);
  const now = await signedInPage(agent);
  assert.ok(now?.includes('value="Mallory Three"') && !now.includes('Vera Victim'));
});

test('the same person already signed in just continues; unknown form fields are refused', async () => {
  const launched = await launchAs({ sub: 'handoff-4', name: 'Sam Same' });
  const agent = request.agent(t.app);
  assert.equal((await continueHandoff(agent, launched)).status, 303);
  const second = await launchAs({ sub: 'handoff-4', name: 'Sam Same' });
  const { href } = handoffOf(second);
  const page = await agent.get(href).expect(200);
  assert.ok(!page.text.includes('switchUser'), 'no switch offered to the same person');
  await agent
    .post(href)

    .type('form')
    .send({ _csrf: csrfFrom(page.text), role: 'admin' })
    .expect(400);
  const go = await agent
    .post(href)

    .type('form')
    .send({ _csrf: csrfFrom(page.text) });
  assert.equal(go.status, 303);
});
