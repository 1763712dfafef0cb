import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('pages carry a nonce CSP and the hardening headers', async () => {
  const a = await request(t.app).get('/login').expect(200);
  const b = await request(t.app).get('/login').expect(200);
  const csp = a.headers['content-security-policy']!;
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce && nonce.length >= 16, csp);
  assert.notEqual(nonce, /'nonce-([^']+)'/.exec(b.headers['content-security-policy']!)?.[1]);
  assert.match(csp, /script-src [^;]*'nonce-/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*/);
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /base-uri 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /default-src 'self'/);
  assert.equal(a.headers['x-content-type-options'], 'nosniff');
  assert.equal(a.headers['referrer-policy'], 'no-referrer');
  assert.equal(a.headers['x-frame-options'], 'DENY');
  assert.match(a.headers['strict-transport-security'] ?? '', /max-age=\d+/);
  assert.equal(a.headers['x-powered-by'], undefined);
  assert.doesNotMatch(a.text, /<script(?![^>]*nonce=)[^>]*>/, 'inline script without nonce');
});

test('signed-in pages and the data export are never cached', async () => {
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  for (const path of ['/', '/account', '/admin/users', '/admin/invite']) {
    const res = await admin.get(path).expect(200);
    assert.equal(res.headers['cache-control'], 'no-store', path);
  }
  const journalist = await signIn(t.app, await buildUser(t.ctx));
  const exp = await journalist.get('/account/export').expect(200);
  assert.equal(exp.headers['cache-control'], 'no-store');
  assert.match(exp.headers['content-disposition'] ?? '', /^attachment/);
  assert.equal(exp.headers['x-content-type-options'], 'nosniff');
});

const STACK = /\bat [^\n]*\.(ts|js|mjs):\d+|node_modules|SyntaxError|\/work\/|Error: /;

test('error pages show no stack traces or internals', async () => {
  const agent = await signIn(t.app, await buildUser(t.ctx));
  const csrf = await tokenFor(agent);
  const cases = [
    await request(t.app).get('/no-such-page'),
    await agent
      .post('/account')
      .set('x-csrf-token', csrf)
      .set('Content-Type', 'application/json')
      .send('{"name": '),
    await agent
      .post('/account')
      .set('x-csrf-token', csrf)
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/json')
      .send('{bad'),
    await agent.post('/account').set('x-csrf-token', csrf).type('form').send('a='.padEnd(300_000, 'x')),
    await request(t.app).get('/reset/%E0%A4%A'),
    await agent.get('/admin/users'),
    await request(t.app).post('/login').type('form').send({ email: 'x' }),
  ];
  for (const res of cases) {
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text.slice(0, 200)}`);
    assert.doesNotMatch(res.text, STACK, res.text.slice(0, 500));
    assert.equal(res.headers['cache-control'], 'no-store');
  }
});

test('an error names its request id (header and page) for support; ordinary pages spend no bytes on it', async () => {
  const missing = await request(t.app).get('/no-such-page').expect(404);
  const id = missing.headers['x-request-id'];
  assert.match(String(id), /^[0-9a-f-]{36}$/);
  assert.ok(missing.text.includes(String(id)), 'the page shows the same id');
  const ok = await request(t.app).get('/login').expect(200);
  assert.equal(ok.headers['x-request-id'], undefined);
});
