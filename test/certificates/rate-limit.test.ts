import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { VERIFY_LIMIT_PER_MINUTE } from '../../modules/certificates';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('verification lookups are rate-limited per address', async () => {
  // The empty form is not a lookup and does not count.
  for (let i = 0; i < 3; i++) await request(t.app).get('/verify').expect(200);
  for (let i = 0; i < VERIFY_LIMIT_PER_MINUTE; i++) {
    const path = i % 2 ? `/verify/AAAA-BBBB-${String(i).padStart(4, '0')}` : `/verify?code=guess-${i}`;
    await request(t.app).get(path).expect(404);
  }
  const blocked = await request(t.app).get('/verify/AAAA-BBBB-CCCC');
  assert.equal(blocked.status, 429);
  await request(t.app).get('/verify?code=AAAA-BBBB-CCCC').expect(429);
});
