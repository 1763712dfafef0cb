import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { createApiToken } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';

let t: TestApp;
let secret: string;
before(async () => {
  t = await buildTestApp();
  const admin = toSessionUser(await buildUser(t.ctx, { role: 'admin' }));
  secret = (await createApiToken(t.ctx, admin, 'protocol', ['courses:read'])).secret;
});
after(() => t.close());

test('static-file errors keep their status (403, 400, 404, 412, 416), never a 500', async () => {
  const cases: Array<[string, number, Record<string, string>?]> = [
    ['/assets/..%2f..%2fpackage.json', 403],
    ['/assets/..%2f..%2f..%2fetc%2fpasswd', 403],
    ['/assets/%E0%A4%A', 400],
    ['/assets/.env', 404],
    ['/assets/no-such.css', 404],
    ['/assets/app.css', 412, { 'If-Match': '"not-this-one"' }],
    ['/assets/app.css', 416, { Range: 'bytes=99999999-' }],
  ];
  for (const [path, status, headers] of cases) {
    const req = request(t.app).get(path).set('Accept-Language', 'en');
    for (const [k, v] of Object.entries(headers ?? {})) void req.set(k, v);
    const res = await req;
    assert.equal(res.status, status, `${path} ${JSON.stringify(headers ?? {})}`);
    assert.doesNotMatch(res.text, /Something went wrong on our side|ENOENT|at .*\.js:\d+/);
  }
  await request(t.app).get('/assets/app.css').expect(200);
});

test('a known path asked with the wrong method answers 405 with Allow (pages and the JSON API)', async () => {
  const logout = await request(t.app).get('/logout');
  assert.equal(logout.status, 405);
  assert.equal(logout.headers.allow, 'POST');

  const api = await request(t.app)
    .post('/api/v1/courses')
    .set('Authorization', `Bearer ${secret}`)
    .set('Accept', 'application/json');
  assert.equal(api.status, 405);
  assert.equal(api.headers.allow, 'GET, HEAD');
  assert.equal(api.body.error.status, 405);
  const del = await request(t.app).delete('/api/v1/courses/some-course');
  assert.equal(del.status, 405);
  assert.equal(del.headers.allow, 'GET, HEAD');

  // Unknown paths stay 404; the right method is unaffected.
  await request(t.app).get('/no-such-page').expect(404);
  await request(t.app).post('/api/v1/no-such-thing').expect(404);
  await request(t.app).get('/api/v1/courses').set('Authorization', `Bearer ${secret}`).expect(200);
});

test('JSON API: a 401 names the Bearer scheme (RFC 6750 §3), the scheme is case-insensitive', async () => {
  const none = await request(t.app).get('/api/v1/courses').expect(401);
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="umbrella"');
  const wrong = await request(t.app)
    .get('/api/v1/courses')
    .set('Authorization', 'Bearer umb_not-a-real-token-000000000000')
    .expect(401);
  assert.equal(wrong.headers['www-authenticate'], 'Bearer realm="umbrella", error="invalid_token"');
  const basic = await request(t.app).get('/api/v1/courses').set('Authorization', 'Basic dXNlcjpwYXNz');
  assert.equal(basic.status, 401);
  assert.match(basic.headers['www-authenticate'] ?? '', /^Bearer /);

  for (const scheme of ['bearer', 'BEARER', 'beArEr'])
    await request(t.app).get('/api/v1/courses').set('Authorization', `${scheme} ${secret}`).expect(200);

  const scoped = await request(t.app).get('/api/v1/calls').set('Authorization', `Bearer ${secret}`);
  assert.equal(scoped.status, 403);
  assert.match(scoped.headers['www-authenticate'] ?? '', /error="insufficient_scope"/);
});

test('HTML pages still send anonymous visitors to sign in (no WWW-Authenticate there)', async () => {
  const res = await request(t.app).get('/account').expect(303);
  assert.equal(res.headers['www-authenticate'], undefined);
  const agent = await signIn(t.app, await buildUser(t.ctx));
  await agent.get('/account').expect(200);
});
