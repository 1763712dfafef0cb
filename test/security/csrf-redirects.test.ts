import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, tokenFor, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { anonymous } from './helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const profile = { name: 'Changed Name', locale: 'en' };

test('POST without a CSRF token → 403 and nothing changes', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  assert.equal((await agent.post('/account').type('form').send(profile)).status, 403);
  assert.equal((await agent.post('/account').send(profile)).status, 403);
  assert.equal(
    (
      await agent
        .post('/account')
        .type('form')
        .send({ ...profile, _csrf: '' })
    ).status,
    403,
  );
  assert.equal((await agent.post('/account/delete').type('form').send({ password: PASSWORD })).status, 403);
  const stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored!.name, user.name);
  assert.equal(stored!.status, 'active');
});

test('a token from another session → 403', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const { csrf: foreign } = await anonymous(t.app);
  const other = await signIn(t.app, await buildUser(t.ctx));
  const othersToken = await tokenFor(other);
  for (const token of [foreign, othersToken]) {
    const res = await agent
      .post('/account')
      .type('form')
      .send({ ...profile, _csrf: token });
    assert.equal(res.status, 403);
  }
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, user.name);
});

test('cross-site Origin or Sec-Fetch-Site → 403 even with a valid token', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const evil = await agent
    .post('/account')
    .set('Origin', 'https://evil.example')
    .type('form')
    .send({ ...profile, _csrf: csrf });
  assert.equal(evil.status, 403);
  const site = await agent
    .post('/account')
    .set('Sec-Fetch-Site', 'cross-site')
    .type('form')
    .send({ ...profile, _csrf: csrf });
  assert.equal(site.status, 403);
  const sameSite = await agent
    .post('/account')
    .set('Sec-Fetch-Site', 'same-site')
    .type('form')
    .send({ ...profile, _csrf: csrf });
  assert.equal(sameSite.status, 403);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, user.name);
  const ok = await agent
    .post('/account')
    .set('Origin', new URL(t.ctx.config.baseUrl).origin)
    .set('Sec-Fetch-Site', 'same-origin')
    .type('form')
    .send({ ...profile, _csrf: csrf });
  assert.equal(ok.status, 303);
});

const hostile = [
  '//evil.com',
  'https://evil.com',
  '/\\evil.com',
  'javascript:alert(1)',
  '/%2F%2Fevil.com',
  '\\\\evil.com',
  ' //evil.com',
  '/\t/evil.com',
];

function assertInside(location: string | undefined, value: string) {
  assert.ok(location, `no redirect for ${value}`);
  assert.ok(
    location.startsWith('/') && !location.startsWith('//') && !location.includes('\\'),
    `${value} → ${location}`,
  );
  assert.doesNotMatch(new URL(location, 'http://app.invalid').host, /evil/, `${value} → ${location}`);
}

test('next= values after sign-in always redirect inside the app', async () => {
  const user = await buildUser(t.ctx);
  for (const next of hostile) {
    const { agent, csrf } = await anonymous(t.app);
    const page = await agent.get(`/login?next=${encodeURIComponent(next)}`);
    const kept = /<form method="post" action="\/login"[\s\S]*?name="next" value="([^"]*)"/.exec(
      page.text,
    )?.[1];
    assertInside(kept, next);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, email: user.email, password: PASSWORD, next });
    assert.equal(res.status, 303);
    assertInside(res.headers.location, next);
  }
});

test('next= values on the language switch always redirect inside the app', async () => {
  const { agent, csrf } = await anonymous(t.app);
  for (const next of hostile) {
    const res = await agent.post('/lang').type('form').send({ _csrf: csrf, lang: 'en', next });
    assert.equal(res.status, 303);
    assertInside(res.headers.location, next);
  }
});

test('the sign-in redirect for anonymous users keeps next= encoded', async () => {
  const { agent } = await anonymous(t.app);
  const res = await agent.get('//evil.com/account');
  if (res.status === 303) assertInside(res.headers.location, '//evil.com/account');
  else assert.equal(res.status, 404);
  const page = await agent.get('/login');
  assert.equal(csrfFrom(page.text).length > 10, true);
});

test('Origin: null (sent by browsers under no-referrer) is judged by Sec-Fetch-Site and the token', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const cross = await agent
    .post('/account')
    .set('Origin', 'null')
    .set('Sec-Fetch-Site', 'cross-site')
    .type('form')
    .send({ ...profile, _csrf: csrf });
  assert.equal(cross.status, 403);
  const noToken = await agent.post('/account').set('Origin', 'null').type('form').send(profile);
  assert.equal(noToken.status, 403);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, user.name);
  const own = await agent
    .post('/account')
    .set('Origin', 'null')
    .set('Sec-Fetch-Site', 'same-origin')
    .type('form')
    .send({ ...profile, _csrf: csrf });
  assert.equal(own.status, 303);
});
