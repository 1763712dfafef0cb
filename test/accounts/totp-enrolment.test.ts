import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { generateSecret, generateSync } from 'otplib';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const code = (secret: string) => generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
const secretOn = (html: string) => /<code class="secret">([A-Z2-7]+)<\/code>/.exec(html)?.[1];
const stored = async (id: unknown) => (await userModel(t.ctx.db).findById(id).lean())!;
/** A new 30-second step, so a code is never refused only for being a replay of the last one. */
const nextStep = () => clock.advance(30_000);

/** A trainer who has not enrolled yet. */
const newTrainer = () =>
  buildUser(t.ctx, { role: 'trainer', totpSecret: undefined, totpEnabledAt: undefined });

/** Password accepted: the agent, where it was sent, and that page. */
async function passwordStep(email: string) {
  const agent = request.agent(t.app);
  const login = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email, password: PASSWORD })
    .expect(303);
  const page = await agent.get(res.headers.location!).set('Accept-Language', 'en').expect(200);
  return { agent, location: res.headers.location!, page: page.text };
}

const postSetup = (agent: request.Agent, csrf: string, c: string) =>
  agent.post('/login/2fa/setup').set('Accept-Language', 'en').type('form').send({ _csrf: csrf, code: c });

test('each visit of the setup page shows a new secret; only the last one shown can be confirmed', async () => {
  const trainer = await newTrainer();
  const { agent, location, page } = await passwordStep(trainer.email);
  assert.equal(location, '/login/2fa/setup');
  const first = secretOn(page)!;
  const again = await agent.get('/login/2fa/setup').expect(200);
  const second = secretOn(again.text)!;
  assert.ok(first && second);
  assert.notEqual(first, second, 'a second visit shows a new secret');
  assert.equal((await stored(trainer._id)).totpSecret, undefined, 'nothing is stored before confirming');

  const stale = await postSetup(agent, csrfFrom(again.text), code(first));
  assert.equal(stale.status, 400);
  assert.match(stale.text, /Enter the 6-digit code from your app/);
  // A wrong code keeps the secret the person has just scanned.
  assert.equal(secretOn(stale.text), second);
  assert.equal((await stored(trainer._id)).totpEnabledAt, undefined);

  const ok = await postSetup(agent, csrfFrom(stale.text), code(second));
  assert.equal(ok.status, 200);
  assert.match(ok.text, /Save your recovery codes/);
  const enrolled = await stored(trainer._id);
  assert.equal(enrolled.totpSecret, second);
  assert.ok(enrolled.totpEnabledAt);
  await agent.get('/account').expect(200);
});

test('a secret copied from a setup page nobody confirmed never becomes the second factor', async () => {
  const trainer = await newTrainer();
  // Someone with the password opens the setup page, copies the secret and leaves.
  const intruder = await passwordStep(trainer.email);
  const copied = secretOn(intruder.page)!;
  // Later the owner enrols from their own sign-in.
  const owner = await passwordStep(trainer.email);
  const mine = secretOn(owner.page)!;
  assert.notEqual(mine, copied);
  await postSetup(owner.agent, csrfFrom(owner.page), code(mine)).expect(200);

  nextStep();
  const { agent, location, page } = await passwordStep(trainer.email);
  assert.equal(location, '/login/2fa');
  const res = await agent
    .post('/login/2fa')
    .type('form')
    .send({ _csrf: csrfFrom(page), code: code(copied) });
  assert.equal(res.status, 400);
  await agent.get('/account').expect(303);
  // The intruder's own pending setup cannot overwrite the factor now in use either.
  const late = await intruder.agent
    .post('/login/2fa/setup')
    .type('form')
    .send({ _csrf: csrfFrom(intruder.page), code: code(copied) });
  assert.equal(late.status, 409);
  assert.equal((await stored(trainer._id)).totpSecret, mine);
});

test('codes from an unconfirmed secret are not accepted at /login/2fa', async () => {
  const trainer = await newTrainer();
  const { agent, page } = await passwordStep(trainer.email);
  const shown = secretOn(page)!;
  nextStep();
  const res = await agent
    .post('/login/2fa')
    .type('form')
    .send({ _csrf: csrfFrom(page), code: code(shown) });
  assert.equal(res.status, 400);
  await agent.get('/account').expect(303);
  assert.equal((await stored(trainer._id)).totpEnabledAt, undefined);

  // A secret an earlier version stored without confirmation: not a second factor, and not shown again.
  const legacy = generateSecret();
  const old = await buildUser(t.ctx, { role: 'reviewer', totpSecret: legacy, totpEnabledAt: undefined });
  // Straight to the code step after the password, never opening the setup page (which drops the
  // secret): the guard on totpEnabledAt alone must refuse it.
  const agent2 = request.agent(t.app);
  const login = await agent2.get('/login');
  await agent2
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: old.email, password: PASSWORD })
    .expect(303);
  const csrf = csrfFrom((await agent2.get('/forgot').expect(200)).text);
  nextStep();
  const legacyTry = await agent2
    .post('/login/2fa')
    .type('form')
    .send({ _csrf: csrf, code: code(legacy) });
  assert.notEqual(legacyTry.status, 303, 'a code from an unconfirmed secret signs nobody in');
  await agent2.get('/account').expect(303);
  assert.equal((await stored(old._id)).totpSecret, legacy, 'still there: only the guard refused it');

  // Opening the setup page shows a new secret and drops the old one.
  const p = await passwordStep(old.email);
  assert.equal(p.location, '/login/2fa/setup');
  assert.notEqual(secretOn(p.page), legacy);
  assert.equal((await stored(old._id)).totpSecret, undefined, 'the unconfirmed secret is dropped');
});

test('staff with a confirmed secret (as factories and the bench create them) still sign in', async () => {
  clock.set(new Date()); // signIn computes codes at real time
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  await agent.get('/admin/users').expect(200);
});
