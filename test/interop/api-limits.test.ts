/** The JSON API's documented per-token budget: 429 with Retry-After, counted per token. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { createApiToken } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';

let t: TestApp;
let first: string;
let second: string;
before(async () => {
  t = await buildTestApp({ config: { apiLimitPerMinute: 3 } });
  const admin = toSessionUser(await buildUser(t.ctx, { role: 'admin' }));
  first = (await createApiToken(t.ctx, admin, 'one', ['courses:read'])).secret;
  second = (await createApiToken(t.ctx, admin, 'two', ['courses:read'])).secret;
});
after(() => t.close());

const get = (secret: string) =>
  request(t.app).get('/api/v1/courses').set('Authorization', `Bearer ${secret}`);

test('past its budget a token gets 429 with Retry-After and a JSON error; another token is unaffected', async () => {
  for (let i = 0; i < 3; i++) {
    const ok = await get(first).expect(200);
    assert.match(String(ok.headers['ratelimit-policy']), /q=3/);
  }
  const limited = await get(first).expect(429);
  const retry = Number(limited.headers['retry-after']);
  assert.ok(retry > 0 && retry <= 60, `Retry-After ${limited.headers['retry-after']}`);
  assert.equal(limited.body.error.status, 429);
  assert.equal(typeof limited.body.error.message, 'string');
  await get(second).expect(200);
});

test('requests without a token are budgeted by address, and still answer 401 within it', async () => {
  for (let i = 0; i < 3; i++) await request(t.app).get('/api/v1/courses').expect(401);
  await request(t.app).get('/api/v1/courses').expect(429);
});
