import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor, PASSWORD } from '../factories';
import { outboxModel } from '../../modules/notifications/model';
import { XSS, anonymous } from './helpers';
import { waitForEmail } from '../accounts/helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** No payload appears as live markup; each appears escaped at least once where `expectEscaped`. */
function assertInert(html: string, where: string, expectEscaped = true) {
  assert.doesNotMatch(html, /<script>alert\(1\)<\/script>/, `${where}: raw <script>`);
  assert.doesNotMatch(html, /<img src=x onerror/i, `${where}: raw <img onerror>`);
  assert.doesNotMatch(html, /href\s*=\s*["']?\s*javascript:/i, `${where}: javascript: link`);
  if (expectEscaped)
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;|&lt;img src=x/, `${where}: payload missing`);
}

for (const payload of XSS) {
  test(`payload ${payload} in name/outlet/region is inert in profile, home and admin pages`, async () => {
    const user = await buildUser(t.ctx, { name: payload, outlet: payload, region: payload });
    const agent = await signIn(t.app, user);
    assertInert((await agent.get('/account').expect(200)).text, 'profile');
    const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', name: payload }));
    assertInert((await admin.get('/').expect(200)).text, 'home');
    assertInert((await admin.get('/admin/users').expect(200)).text, 'admin list');
    assertInert((await admin.get(`/admin/users/${String(user._id)}`).expect(200)).text, 'admin detail');
  });

  test(`payload ${payload} typed into forms is inert when the form comes back with errors`, async () => {
    const { agent, csrf } = await anonymous(t.app, '/register');
    const res = await agent.post('/register').type('form').send({
      _csrf: csrf,
      name: payload,
      email: 'not-an-email',
      password: 'x',
      outlet: payload,
      region: payload,
    });
    assert.equal(res.status, 400);
    assertInert(res.text, 'register errors');
    const user = await buildUser(t.ctx);
    const signed = await signIn(t.app, user);
    const bad = await signed
      .post('/account')
      .type('form')
      .send({ _csrf: await tokenFor(signed), name: payload, outlet: payload, region: payload, locale: 'xx' });
    assert.equal(bad.status, 400);
    assertInert(bad.text, 'profile errors');
  });

  test(`payload ${payload} is escaped in invitation and password-reset e-mails`, async () => {
    const admin = await buildUser(t.ctx, { role: 'admin', name: payload });
    const agent = await signIn(t.app, admin);
    const email = `xss-${Math.random().toString(36).slice(2)}@example.org`;
    await agent
      .post('/admin/invite')
      .type('form')
      .send({
        _csrf: await tokenFor(agent, '/admin/invite'),
        stepUpSecret: PASSWORD,
        email,
        name: payload,
        role: 'journalist',
      })
      .expect(303);
    const invitation = await outboxModel(t.ctx.db).findOne({ to: email }).lean();
    assertInert(invitation!.html, 'invitation e-mail');
    assert.doesNotMatch(invitation!.subject, /[<>\r\n]/);

    const user = await buildUser(t.ctx, { name: payload });
    const { agent: anon, csrf } = await anonymous(t.app, '/forgot');
    await anon.post('/forgot').type('form').send({ _csrf: csrf, email: user.email }).expect(200);
    const reset = await waitForEmail(t.ctx, user.email, 'accounts/password-reset');
    assertInert(reset.html, 'reset e-mail');
  });
}

test('javascript: URLs are never rendered as links', async () => {
  const user = await buildUser(t.ctx, { outlet: 'javascript:alert(1)', region: 'javascript:alert(1)' });
  const agent = await signIn(t.app, user);
  const pages = [
    (await agent.get('/account')).text,
    (await request(t.app).get('/login?next=javascript:alert(1)')).text,
    (await request(t.app).get('/login?next=%20javascript:alert(1)')).text,
  ];
  for (const html of pages) assertInert(html, 'page', false);
  const login = (await request(t.app).get('/login?next=javascript:alert(1)')).text;
  assert.match(login, /name="next" value="\/"/);
});

test('names lose bidi overrides, zero-width and control characters (they cannot read as another name)', async () => {
  const { agent, csrf } = await anonymous(t.app, '/register');
  const email = `bidi-${Math.random().toString(36).slice(2)}@example.org`;
  await agent
    .post('/register')
    .type('form')
    .send({
      _csrf: csrf,
      name: 'Bat\u202Eroolb\u202C\u200B\u0007',
      email,
      password: 'long-enough-passphrase',
    })
    .expect(200);
  const { userModel } = await import('../../modules/accounts/model');
  const stored = await userModel(t.ctx.db).findOne({ email }).lean();
  assert.equal(stored!.name, 'Batroolb');

  const user = await buildUser(t.ctx);
  const signed = await signIn(t.app, user);
  await signed
    .post('/account')
    .type('form')
    .send({ _csrf: await tokenFor(signed), name: 'Сара\u2066н\u2069\u200F', locale: 'mn' })
    .expect(303);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, 'Саран');
  // Nothing visible left: the name is required.
  const empty = await signed
    .post('/account')
    .type('form')
    .send({ _csrf: await tokenFor(signed), name: '\u202E\u200B', locale: 'mn' });
  assert.equal(empty.status, 400);
});
