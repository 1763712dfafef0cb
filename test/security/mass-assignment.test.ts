import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { anonymous } from './helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const privileged = [
  { role: 'admin' },
  { status: 'active' },
  { failedLogins: '0' },
  { totpEnabledAt: '2020-01-01' },
  { passwordHash: 'x' },
  { _id: '000000000000000000000001' },
];

test('register: role/status/failedLogins and friends are rejected, nothing is stored', async () => {
  const { agent, csrf } = await anonymous(t.app, '/register');
  for (const extra of privileged) {
    const email = `ma-${Object.keys(extra)[0]!.toLowerCase()}-${Date.now()}@example.org`;
    const fields = { name: 'Mass', email, password: 'a-fine-passphrase', ...extra };
    const form = await agent
      .post('/register')
      .type('form')
      .send({ _csrf: csrf, ...fields });
    assert.equal(form.status, 400, `form ${JSON.stringify(extra)}`);
    const json = await agent.post('/register').set('x-csrf-token', csrf).send(fields);
    assert.equal(json.status, 400, `json ${JSON.stringify(extra)}`);
    assert.equal(await userModel(t.ctx.db).countDocuments({ email }), 0);
  }
});

test('profile: privileged fields are rejected and the profile stays as it was', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  for (const extra of [...privileged, { email: 'other@example.org' }]) {
    const fields = { name: 'Changed', locale: 'en', ...extra };
    const form = await agent
      .post('/account')
      .type('form')
      .send({ _csrf: csrf, ...fields });
    assert.equal(form.status, 400, `form ${JSON.stringify(extra)}`);
    const json = await agent.post('/account').set('x-csrf-token', csrf).send(fields);
    assert.equal(json.status, 400, `json ${JSON.stringify(extra)}`);
  }
  const stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored!.name, user.name);
  assert.equal(stored!.role, 'journalist');
  assert.equal(stored!.email, user.email);
  assert.equal(stored!.failedLogins, 0);
});

test('accepting an invitation or changing access cannot smuggle extra fields', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const target = await buildUser(t.ctx);
  const agent = await signIn(t.app, admin);
  const csrf = await tokenFor(agent, '/admin/users');
  for (const extra of [{ email: 'x@example.org' }, { passwordHash: 'x' }, { name: 'Renamed' }]) {
    const res = await agent
      .post(`/admin/users/${String(target._id)}`)
      .type('form')
      .send({ _csrf: csrf, stepUpSecret: PASSWORD, role: 'journalist', status: 'active', ...extra });
    assert.equal(res.status, 400);
  }
  const invite = await agent
    .post('/admin/invite')
    .type('form')
    .send({ _csrf: csrf, email: 'inv-ma@example.org', name: 'I', role: 'journalist', status: 'active' });
  assert.equal(invite.status, 400);
  const stored = await userModel(t.ctx.db).findById(target._id).lean();
  assert.equal(stored!.email, target.email);
  assert.equal(stored!.name, target.name);
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: 'inv-ma@example.org' }), 0);
});
