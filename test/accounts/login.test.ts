import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, PASSWORD } from '../factories';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('a journalist signs in, sees the home page, and signs out with a POST', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  // Journalists' home is their learning page; the profile shows who is signed in.
  const home = await agent.get('/account').expect(200);
  assert.match(home.text, /value="Test journalist"/);
  assert.equal(home.headers['cache-control'], 'no-store');
  const token = csrfFrom(home.text);
  await agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
  const after = await agent.get('/account').expect(303);
  assert.match(after.headers.location!, /\/login\?next=%2Faccount$/);
});

test('wrong password and unknown e-mail get the same answer', async () => {
  const user = await buildUser(t.ctx);
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const wrong = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: 'nope-nope-nope' });
  const unknown = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: 'nobody@example.org', password: PASSWORD });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.equal(
    wrong.text.replace(/nonce-[^']+|value="[^"]*"/g, ''),
    unknown.text.replace(/nonce-[^']+|value="[^"]*"/g, ''),
  );
});

test('staff must pass the second factor before the session counts as signed in', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: admin.email, password: PASSWORD });
  assert.equal(res.status, 303);
  assert.match(res.headers.location!, /\/login\/2fa$/);
  const home = await agent.get('/').expect(303);
  assert.match(home.headers.location!, /\/login$/);
});

test('the login page is served in Mongolian and English', async () => {
  const mn = await request(t.app).get('/login').set('Accept-Language', 'mn').expect(200);
  assert.match(mn.text, /<html lang="mn">/);
  assert.match(mn.text, /Нэвтрэх/);
  const en = await request(t.app).get('/login').set('Accept-Language', 'en-US,en;q=0.9').expect(200);
  assert.match(en.text, /<html lang="en">/);
  assert.match(en.text, /Sign in/);
});
