import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, PASSWORD, signIn } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { outboxModel } from '../../modules/notifications/model';
import { anonymous, isAnonymous, stable } from './helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('operator objects in the login fields (JSON) never sign anyone in', async () => {
  await buildUser(t.ctx);
  const { agent, csrf } = await anonymous(t.app);
  for (const body of [
    { email: { $ne: '' }, password: { $ne: '' } },
    { email: { $gt: '' }, password: PASSWORD },
    { email: { $regex: '.*' }, password: { $exists: true } },
    { email: ['a@example.org'], password: [PASSWORD] },
  ]) {
    const res = await agent.post('/login').set('x-csrf-token', csrf).send(body);
    assert.ok([400, 401].includes(res.status), `${JSON.stringify(body)} → ${res.status}`);
  }
  assert.ok(await isAnonymous(agent));
});

test('operator-shaped form fields (email[$ne]=) are refused', async () => {
  const { agent, csrf } = await anonymous(t.app);
  const res = await agent
    .post('/login')
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrf)}&email[$ne]=&password[$ne]=`);
  assert.ok([400, 401].includes(res.status), String(res.status));
  assert.ok(await isAnonymous(agent));
});

test('operator objects in forgot and reset fields are refused and send nothing', async () => {
  const user = await buildUser(t.ctx);
  const before = await outboxModel(t.ctx.db).countDocuments();
  const { agent, csrf } = await anonymous(t.app, '/forgot');
  for (const email of [{ $ne: '' }, { $regex: '.*' }, [user.email]]) {
    const res = await agent.post('/forgot').set('x-csrf-token', csrf).send({ email });
    assert.equal(res.status, 400);
  }
  const form = await agent
    .post('/forgot')
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrf)}&email[$ne]=`);
  assert.equal(form.status, 400);
  const reset = await agent
    .post(`/reset/${'a'.repeat(43)}`)
    .set('x-csrf-token', csrf)
    .send({ password: { $ne: '' } });
  assert.ok([400, 404].includes(reset.status));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(await outboxModel(t.ctx.db).countDocuments(), before);
  const stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored!.passwordHash, user.passwordHash);
});

test('brute force: the per-account limit answers 429, even for the right password', async () => {
  const limited = await buildTestApp({ config: { loginLimitPerIp: 5, loginLimitPerAccount: 3 } });
  try {
    const user = await buildUser(limited.ctx);
    const { agent, csrf } = await anonymous(limited.app);
    for (let i = 0; i < 3; i++) {
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrf, email: user.email, password: `wrong-${i}-pass` });
      assert.equal(res.status, 401);
    }
    const blocked = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, email: user.email, password: PASSWORD });
    assert.equal(blocked.status, 429);
    assert.ok(await isAnonymous(agent));
  } finally {
    await limited.close();
  }
});

test('second step: anonymous posts spend no shared bucket; each pending sign-in has its own count', async () => {
  const limited = await buildTestApp({ config: { loginLimitPerIp: 1000, loginLimitPerAccount: 3 } });
  try {
    // Far more anonymous second-step posts than the per-account limit: each goes back to sign-in,
    // none answers 429, and none counts against a staff member.
    for (let i = 0; i < 8; i++) {
      const { agent, csrf } = await anonymous(limited.app);
      for (const path of ['/login/2fa', '/login/2fa/setup']) {
        const res = await agent.post(path).type('form').send({ _csrf: csrf, code: '000000' });
        assert.equal(res.status, 303, `${path} without a pending sign-in`);
        assert.match(res.headers.location ?? '', /^\/login/);
      }
    }
    const staff = await buildUser(limited.ctx, { role: 'trainer' });
    await signIn(limited.app, staff); // password and TOTP both accepted

    // A pending sign-in that keeps guessing codes is limited on its own…
    const guesser = await buildUser(limited.ctx, { role: 'reviewer' });
    const { agent, csrf } = await anonymous(limited.app);
    const first = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, email: guesser.email, password: PASSWORD });
    assert.equal(first.headers.location, '/login/2fa');
    const token = csrfFrom((await agent.get('/login/2fa').expect(200)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await agent.post('/login/2fa').type('form').send({ _csrf: token, code: '000000' });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [400, 400, 400, 429]);
    // …and another staff member's second step is unaffected.
    await signIn(limited.app, await buildUser(limited.ctx, { role: 'admin' }));
  } finally {
    await limited.close();
  }
});

test('brute force: guessing the password of an open session (account deletion) is limited per account', async () => {
  const limited = await buildTestApp({ config: { loginLimitPerIp: 1000, loginLimitPerAccount: 3 } });
  try {
    const user = await buildUser(limited.ctx);
    const agent = await signIn(limited.app, user);
    const csrf = csrfFrom((await agent.get('/account').expect(200)).text);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await agent
        .post('/account/delete')
        .type('form')
        .send({ _csrf: csrf, password: `wrong-${i}-pass` });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [400, 400, 400, 429]);
    assert.equal((await userModel(limited.ctx.db).findById(user._id).lean())!.status, 'active');
  } finally {
    await limited.close();
  }
});

test('brute force: the per-address limit answers 429 across accounts', async () => {
  const limited = await buildTestApp({ config: { loginLimitPerIp: 5, loginLimitPerAccount: 3 } });
  try {
    const { agent, csrf } = await anonymous(limited.app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrf, email: `guess-${i}@example.org`, password: 'wrong-password' });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  } finally {
    await limited.close();
  }
});

test('enumeration: forgot-password answers identically for known and unknown addresses', async () => {
  const user = await buildUser(t.ctx);
  const { agent, csrf } = await anonymous(t.app, '/forgot');
  const known = await agent
    .post('/forgot')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, email: user.email });
  const unknown = await agent
    .post('/forgot')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, email: 'no-such-person@example.org' });
  assert.equal(known.status, 200);
  assert.equal(unknown.status, 200);
  assert.equal(stable(known.text), stable(unknown.text));
});

test('enumeration: registering an existing address answers like a new one', async () => {
  const user = await buildUser(t.ctx);
  const { agent, csrf } = await anonymous(t.app, '/register');
  const send = (email: string) =>
    agent
      .post('/register')
      .set('Accept-Language', 'en')
      .type('form')
      .send({ _csrf: csrf, name: 'Someone', email, password: 'a-fine-passphrase', locale: 'en' });
  const existing = await send(user.email);
  const fresh = await send(`fresh-${Date.now()}@example.org`);
  assert.equal(existing.status, fresh.status);
  assert.equal(existing.headers.location, fresh.headers.location);
  assert.equal(stable(existing.text), stable(fresh.text));
  const stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored!.name, user.name);
  assert.equal(stored!.passwordHash, user.passwordHash);
});
