/**
 * Outlet type and gender on the profile: optional, gender only with the statistics consent ticked;
 * both in "my data", both gone after erasure, and programme statistics see them only with consent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, PASSWORD, signIn, tokenFor } from '../factories';
import { statsProfiles } from '../../modules/accounts';
import { userModel } from '../../modules/accounts/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const base = { name: 'Saraa', outlet: 'Ikon', region: 'Darkhan-Uul', locale: 'en' };

test('gender without consent is an error on the form, values kept; with consent it is saved', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const refused = await agent
    .post('/account')
    .type('form')
    .send({ _csrf: await tokenFor(agent), ...base, outletType: 'radio', gender: 'female' })
    .expect(400);
  assert.match(refused.text, /aria-invalid="true" aria-describedby="f-statsConsent-error"/);
  assert.match(refused.text, /tick the box to agree/);
  assert.match(refused.text, /<option value="radio" selected>/);
  assert.match(refused.text, /value="female" checked/);
  let stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored?.gender, undefined);
  assert.deepEqual(await statsProfiles(t.ctx, [user._id]), [{ _id: user._id }]);

  await agent
    .post('/account')
    .type('form')
    .send({
      _csrf: await tokenFor(agent),
      ...base,
      outletType: 'radio',
      gender: 'female',
      statsConsent: 'on',
    })
    .expect(303);
  stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored?.gender, 'female');
  assert.equal(stored?.outletType, 'radio');
  assert.ok(stored?.statsConsentAt);
  // Saved again later: consent keeps the date it was first given.
  const firstConsent = stored!.statsConsentAt!.getTime();
  await new Promise((r) => setTimeout(r, 5));
  await agent
    .post('/account')
    .type('form')
    .send({
      _csrf: await tokenFor(agent),
      ...base,
      outletType: 'radio',
      gender: 'female',
      statsConsent: 'on',
    })
    .expect(303);
  stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored!.statsConsentAt!.getTime(), firstConsent);
  const page = await agent.get('/account').expect(200);
  assert.match(page.text, /id="f-statsConsent" name="statsConsent" value="on" checked/);
  assert.deepEqual(await statsProfiles(t.ctx, [user._id]), [
    { _id: user._id, region: 'Darkhan-Uul', outletType: 'radio', gender: 'female' },
  ]);

  const exported = await agent.get('/account/export').expect(200);
  const data = JSON.parse(exported.text) as { profile: Record<string, unknown> };
  assert.equal(data.profile.gender, 'female');
  assert.equal(data.profile.outletType, 'radio');
  assert.ok(data.profile.statsConsentAt);

  // Withdrawing consent removes the gender; the outlet type stays but is no longer counted.
  await agent
    .post('/account')
    .type('form')
    .send({ _csrf: await tokenFor(agent), ...base, outletType: 'radio', gender: '' })
    .expect(303);
  stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored?.gender, undefined);
  assert.equal(stored?.statsConsentAt, undefined);
  assert.equal(stored?.outletType, 'radio');
  assert.deepEqual(await statsProfiles(t.ctx, [user._id]), [{ _id: user._id, region: 'Darkhan-Uul' }]);
});

test('an unknown outlet type or gender is a 400; the form reads in Mongolian', async () => {
  const user = await buildUser(t.ctx, { locale: 'mn' });
  const agent = await signIn(t.app, user);
  const page = await agent.get('/account').expect(200);
  assert.match(page.text, /Хэвлэл мэдээллийн байгууллагын төрөл/);
  assert.match(page.text, /Эмэгтэй/);
  await agent
    .post('/account')
    .type('form')
    .send({ _csrf: await tokenFor(agent), ...base, locale: 'mn', outletType: 'blog' })
    .expect(400);
  await agent
    .post('/account')
    .type('form')
    .send({
      _csrf: await tokenFor(agent),
      ...base,
      locale: 'mn',
      gender: ['female', 'male'],
      statsConsent: 'on',
    })
    .expect(400);
});

test('erasing the account removes outlet type, gender and consent', async () => {
  const user = await buildUser(t.ctx, { outletType: 'tv', gender: 'male', statsConsentAt: new Date() });
  const agent = await signIn(t.app, user);
  await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(agent), password: PASSWORD })
    .expect(303);
  const stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored?.outletType, undefined);
  assert.equal(stored?.gender, undefined);
  assert.equal(stored?.statsConsentAt, undefined);
});
