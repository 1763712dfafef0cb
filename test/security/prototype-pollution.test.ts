import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { anonymous } from './helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const polluted = () => (({}) as Record<string, unknown>).polluted;

const jsonBodies = (fields: Record<string, string>) => [
  `{"__proto__":{"polluted":"yes"},${JSON.stringify(fields).slice(1)}`,
  `{"constructor":{"prototype":{"polluted":"yes"}},${JSON.stringify(fields).slice(1)}`,
  `{"name":{"__proto__":{"polluted":"yes"}},"email":"p@example.org","password":"a-fine-passphrase"}`,
];

const formBodies = (csrf: string, fields: Record<string, string>) => {
  const base = new URLSearchParams({ _csrf: csrf, ...fields }).toString();
  return [
    `${base}&__proto__[polluted]=yes`,
    `${base}&constructor[prototype][polluted]=yes`,
    `${base}&constructor.prototype.polluted=yes`,
  ];
};

test('register: __proto__ and constructor.prototype keys → 400, nothing stored, nothing polluted', async () => {
  const { agent, csrf } = await anonymous(t.app, '/register');
  const fields = { name: 'Proto', email: 'proto@example.org', password: 'a-fine-passphrase' };
  for (const body of jsonBodies(fields)) {
    const res = await agent.post('/register').set('x-csrf-token', csrf).type('json').send(body);
    assert.equal(res.status, 400, body);
  }
  for (const body of formBodies(csrf, fields)) {
    const res = await agent.post('/register').type('form').send(body);
    assert.equal(res.status, 400, body);
  }
  assert.equal(polluted(), undefined);
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: 'proto@example.org' }), 0);
});

test('profile and login: polluting keys are refused and the profile is unchanged', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  for (const body of jsonBodies({ name: 'Changed', locale: 'en' }).slice(0, 2)) {
    const res = await agent.post('/account').set('x-csrf-token', csrf).type('json').send(body);
    assert.equal(res.status, 400, body);
  }
  for (const body of formBodies(csrf, { name: 'Changed', locale: 'en' })) {
    const res = await agent.post('/account').type('form').send(body);
    assert.equal(res.status, 400, body);
  }
  const { agent: anon, csrf: c2 } = await anonymous(t.app);
  for (const body of jsonBodies({ email: user.email, password: 'x' }).slice(0, 2)) {
    const res = await anon.post('/login').set('x-csrf-token', c2).type('json').send(body);
    assert.equal(res.status, 400, body);
  }
  // A bare `__proto__=` form key is dropped by the body parser itself (qs): no effect at all.
  const bare = await agent
    .post('/account')
    .type('form')
    .send(`_csrf=${csrf}&name=Bare&locale=en&__proto__=yes`);
  assert.equal(bare.status, 303);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, 'Bare');
  await userModel(t.ctx.db).updateOne({ _id: user._id }, { $set: { name: user.name } });
  const q = await agent.get('/admin/users?__proto__[polluted]=yes');
  assert.ok([400, 403].includes(q.status));
  assert.equal(polluted(), undefined);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, user.name);
});
