/**
 * A journalist who deletes their account takes their name off their certificates; the certificates
 * themselves stay verifiable (code, course, date), so a publisher can still check one was real.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, signIn, tokenFor, PASSWORD } from '../factories';
import { issueCertificate } from '../../modules/certificates';
import { certificateModel } from '../../modules/certificates/model';
import { createApiToken } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const NAME = 'Oyunchimeg Erdenebat';

test('after POST /account/delete no page or API shows the holder’s name; the certificate still verifies', async () => {
  const holder = await buildUser(t.ctx, { name: NAME });
  const { course } = await buildCourse(t.ctx, {
    title: { en: 'Interviewing survivors', mn: 'Амьд үлдсэн хүмүүстэй ярилцах' },
  });
  const cert = await issueCertificate(t.ctx, holder._id, course._id);
  const other = await issueCertificate(
    t.ctx,
    (await buildUser(t.ctx, { name: 'Kept Name' }))._id,
    course._id,
  );
  const admin = toSessionUser(await buildUser(t.ctx, { role: 'admin' }));
  const apiToken = (await createApiToken(t.ctx, admin, 'LMS', ['certificates:read'])).secret;
  const api = (code: string) =>
    request(t.app).get(`/api/v1/certificates/${code}`).set('Authorization', `Bearer ${apiToken}`);
  const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));

  // The holder chose to show their name: before deletion it is public.
  const agent = await signIn(t.app, holder);
  await agent
    .post(`/certificates/${cert._id}/show-name`)
    .type('form')
    .send({ _csrf: await tokenFor(agent, '/certificates'), showName: 'true' })
    .expect(303);
  assert.match((await request(t.app).get(`/verify/${cert.code}`).expect(200)).text, new RegExp(NAME));
  assert.equal((await api(cert.code).expect(200)).body.holderName, NAME);

  await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(agent), password: PASSWORD })
    .expect(303);

  const page = await request(t.app).get(`/verify/${cert.code}`).set('Accept-Language', 'en').expect(200);
  assert.ok(!page.text.includes(NAME), 'no name on the public page');
  assert.ok(!page.text.includes('Oyunchimeg'));
  assert.match(page.text, /data-status="valid"/, 'still verifies as issued');
  assert.match(page.text, /Interviewing survivors/);
  assert.match(page.text, new RegExp(cert.code));

  const viaApi = (await api(cert.code).expect(200)).body;
  assert.equal(viaApi.holderName, null);
  assert.equal(viaApi.status, 'valid');
  assert.equal(viaApi.code, cert.code);
  assert.equal(viaApi.issuedAt, cert.issuedAt.toISOString());

  const list = (await trainer.get('/trainer/certificates').expect(200)).text;
  assert.ok(!list.includes(NAME), 'no name in the trainer list');
  assert.match(list, /Deleted user/);
  assert.match(list, /Kept Name/, 'other holders are untouched');

  const stored = await certificateModel(t.ctx.db).findById(cert._id).lean();
  assert.equal(stored?.holderName, 'Deleted user');
  assert.equal(stored?.showName, false);
  assert.equal(stored?.code, cert.code);
  const untouched = await certificateModel(t.ctx.db).findById(other._id).lean();
  assert.equal(untouched?.holderName, 'Kept Name');
});
