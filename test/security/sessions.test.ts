import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, tokenFor, PASSWORD } from '../factories';
import { anonymous, isAnonymous, sessionCookie } from './helpers';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

/** Signs in with bare requests so each cookie can be seen and replayed by hand. */
async function manualSignIn(app = t.app, headers: Record<string, string> = {}) {
  const user = await buildUser(t.ctx);
  const page = await request(app).get('/login').set(headers);
  const before = sessionCookie(page)!;
  const res = await request(app)
    .post('/login')
    .set(headers)
    .set('Cookie', before)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: PASSWORD });
  return { user, page, before, res, after: sessionCookie(res) };
}

test('fixation: the session id changes at sign-in and the old one stays anonymous', async () => {
  const { before, res, after } = await manualSignIn();
  assert.equal(res.status, 303);
  assert.ok(before && after);
  assert.notEqual(after, before);
  const old = await request(t.app).get('/account').set('Cookie', before);
  assert.equal(old.status, 303);
  const fresh = await request(t.app).get('/account').set('Cookie', after!);
  assert.equal(fresh.status, 200);
});

test('cookie flags: HttpOnly, SameSite=Lax, Path=/, no Domain', async () => {
  const { res } = await manualSignIn();
  const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
    c.startsWith('umbrella.sid='),
  )!;
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*SameSite=Lax/i);
  assert.match(cookie, /;\s*Path=\//i);
  assert.doesNotMatch(cookie, /Domain=/i);
});

test('with secure cookies the name is __Host- and the cookie is Secure', async () => {
  const secure = await buildTestApp({
    config: { secureCookies: true, trustProxy: 'loopback', baseUrl: 'https://news.example.org' },
  });
  try {
    const res = await request(secure.app).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
    assert.match(cookie, /^__Host-umbrella\.sid=/);
    assert.match(cookie, /;\s*Secure/i);
    assert.match(cookie, /;\s*HttpOnly/i);
    assert.match(cookie, /;\s*SameSite=Lax/i);
    assert.match(cookie, /;\s*Path=\/(;|$)/i);
    assert.doesNotMatch(cookie, /Domain=/i);
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d+/);
  } finally {
    await secure.close();
  }
});

test('tampered or garbage session cookies are anonymous, never a 500', async () => {
  const { after } = await manualSignIn();
  const [name, value] = after!.split('=') as [string, string];
  const flipped = value.slice(0, -3) + (value.endsWith('A') ? 'BBB' : 'AAA');
  for (const cookie of [
    `${name}=${flipped}`,
    `${name}=s%3Anot-a-session.badsignature`,
    `${name}=%E0%A4%A`,
    `${name}=${'x'.repeat(4000)}`,
    `${name}=s%3A${'a'.repeat(32)}`,
    `${name}=j%3A%7B%22user%22%3A%7B%22role%22%3A%22admin%22%7D%7D`,
  ]) {
    const res = await request(t.app).get('/account').set('Cookie', cookie);
    assert.equal(res.status, 303, cookie.slice(0, 60));
    const login = await request(t.app).get('/login').set('Cookie', cookie);
    assert.equal(login.status, 200);
  }
});

test('sign-out ends the session on the server: replaying the old cookie is anonymous', async () => {
  const { after } = await manualSignIn();
  const page = await request(t.app).get('/account').set('Cookie', after!).expect(200);
  await request(t.app)
    .post('/logout')
    .set('Cookie', after!)
    .type('form')
    .send({ _csrf: csrfFrom(page.text) })
    .expect(303);
  const replay = await request(t.app).get('/account').set('Cookie', after!);
  assert.equal(replay.status, 303);
  assert.match(replay.headers.location!, /\/login\?next=/);
});

test('sign-out and account deletion send Clear-Site-Data and expire the session cookie', async () => {
  const expectCleared = (res: { headers: Record<string, unknown> }, what: string) => {
    assert.equal(res.headers['clear-site-data'], '"cache", "cookies", "storage"', what);
    const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []);
    assert.ok(
      cookies.some((c) => /^umbrella\.sid=;/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c)),
      `${what}: session cookie expired (${cookies.join(' | ')})`,
    );
  };
  const agent = await signIn(t.app, await buildUser(t.ctx));
  const out = await agent
    .post('/logout')
    .type('form')
    .send({ _csrf: await tokenFor(agent) })
    .expect(303);
  expectCleared(out, 'logout');

  const leaving = await signIn(t.app, await buildUser(t.ctx));
  const gone = await leaving
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(leaving), password: PASSWORD })
    .expect(303);
  expectCleared(gone, 'account deletion');

  // Only sign-outs clear the site: an ordinary page does not.
  const page = await (await signIn(t.app, await buildUser(t.ctx))).get('/account').expect(200);
  assert.equal(page.headers['clear-site-data'], undefined);
});

test('sign-out is a POST: GET /logout does nothing (405, Allow: POST)', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const res = await agent.get('/logout');
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'POST');
  assert.equal(await isAnonymous(agent), false);
});

test('a disabled user is cut off at once', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const user = await buildUser(t.ctx);
  const victim = await signIn(t.app, user);
  assert.equal(await isAnonymous(victim), false);
  const boss = await signIn(t.app, admin);
  await boss
    .post(`/admin/users/${String(user._id)}`)
    .type('form')
    .send({
      _csrf: await tokenFor(boss, '/admin/users'),
      stepUpSecret: PASSWORD,
      role: 'journalist',
      status: 'disabled',
    })
    .expect(303);
  assert.ok(await isAnonymous(victim));
  await assert.rejects(signIn(t.app, user));
});

test('a role change takes effect at once', async () => {
  const a = await buildUser(t.ctx, { role: 'admin' });
  const b = await buildUser(t.ctx, { role: 'admin' });
  const agentA = await signIn(t.app, a);
  const agentB = await signIn(t.app, b);
  await agentB.get('/admin/users').expect(200);
  await agentA
    .post(`/admin/users/${String(b._id)}`)
    .type('form')
    .send({
      _csrf: await tokenFor(agentA, '/admin/users'),
      stepUpSecret: PASSWORD,
      role: 'journalist',
      status: 'active',
    })
    .expect(303);
  const next = await agentB.get('/admin/users');
  assert.equal(next.status, 303);
  const again = await signIn(t.app, { ...b, role: 'journalist' });
  await again.get('/admin/users').expect(403);
});

test('idle timeout: 31 minutes without a request signs the user out', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  clock.advance(29 * 60 * 1000);
  await agent.get('/account').expect(200);
  clock.advance(29 * 60 * 1000);
  await agent.get('/account').expect(200);
  clock.advance(31 * 60 * 1000);
  assert.ok(await isAnonymous(agent));
  clock.set(new Date());
});

test('the anonymous agent helper really is anonymous', async () => {
  const { agent } = await anonymous(t.app);
  assert.ok(await isAnonymous(agent));
});
