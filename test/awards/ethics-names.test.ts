import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../factories';
import { acceptedAwardWithDraft } from './factories';
import { awardModel } from '../../modules/awards/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** A released, accepted award with a draft in, paid on acceptance: the draft payment is next. */
async function acceptedWithDraft() {
  const { id, admin, adminToken, agent, adminUser, journalist } = await acceptedAwardWithDraft(t);
  const pay = (key: string) =>
    admin
      .post(`/admin/awards/${id}/tranches/${key}/pay`)
      .type('form')
      .send({ _csrf: adminToken, reference: 'BANK-7', stepUpSecret: PASSWORD });
  await pay('award').expect(303);
  return { id, admin, adminToken, agent, pay, adminUser, journalist };
}

test('no draft payment before the ethics check; the page says why and how to go on', async () => {
  const { id, admin, adminToken, agent, pay } = await acceptedWithDraft();
  const page = (await admin.get(`/admin/awards/${id}`).expect(200)).text;
  // No pay button for a tranche that waits: a note and a link to the check instead.
  assert.ok(!page.includes(`/admin/awards/${id}/tranches/draft/pay`));
  assert.match(page, /Waits for the ethics and safety check <a href="#ethics-h">Record the check<\/a>/);
  assert.match((await admin.get('/').expect(200)).text, /1 award waits for its ethics and safety check/);

  const refused = await pay('draft').expect(409);
  assert.match(refused.text, /role="alert">Not recorded: the draft and publication payments wait/);
  assert.equal((await awardModel(t.ctx.db).findById(id).lean())!.tranches[1]!.paidAt, undefined);
  // The journalist sees the same reason on their own page, and no staff controls.
  const mine = (await agent.get(`/awards/${id}`).expect(200)).text;
  assert.match(mine, /Waits for the ethics and safety check/);
  assert.ok(!mine.includes('#ethics-h'));

  await admin.post(`/admin/awards/${id}/ethics`).type('form').send({ _csrf: adminToken }).expect(303);
  const home = (await admin.get('/').expect(200)).text;
  assert.ok(!home.includes('ethics and safety check'));
  assert.match(home, /award has a tranche due for payment/);
  await pay('draft').expect(303);
});

test('two payments racing an ethics check: the draft tranche is paid only with the check on file', async () => {
  const { id, admin, adminToken, pay } = await acceptedWithDraft();
  const [a, b] = await Promise.all([
    pay('draft'),
    admin.post(`/admin/awards/${id}/ethics`).type('form').send({ _csrf: adminToken }),
  ]);
  const award = (await awardModel(t.ctx.db).findById(id).lean())!;
  assert.equal(b.status, 303);
  // Either the payment came second (paid) or first (refused): never paid without the check.
  if (a.status === 303) assert.ok(award.milestones.some((m) => m.key === 'ethics'));
  else assert.equal(award.tranches[1]!.paidAt, undefined);
});

test('award pages and the admin list show people by name, never by id', async () => {
  const { id, admin, adminToken, adminUser, journalist } = await acceptedWithDraft();
  await admin
    .post(`/admin/awards/${id}/ethics`)
    .type('form')
    .send({ _csrf: adminToken, note: 'Faces blurred' })
    .expect(303);
  const page = (await admin.get(`/admin/awards/${id}`).expect(200)).text;
  assert.match(page, /Applicant: <strong>Oyunaa Bat<\/strong>/);
  assert.match(page, /Ethics check passed — [^<]+ · Saraa Staff · Faces blurred/);
  assert.match(page, /Draft received — [^<]+ · Oyunaa Bat/);
  assert.match(page, /Saraa Staff · BANK-7/);
  for (const who of [adminUser, journalist]) assert.ok(!page.includes(String(who._id)));
  const list = (await admin.get('/admin/awards').expect(200)).text;
  assert.match(list, /<td>Oyunaa Bat<\/td>/);
});
