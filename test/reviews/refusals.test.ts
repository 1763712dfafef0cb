import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { buildPitch } from './factories';
import { callModel, pitchModel } from '../../modules/grants/model';
import { assignmentModel } from '../../modules/reviews/model';
import { awardModel } from '../../modules/awards/model';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let token: string;
before(async () => {
  t = await buildTestApp();
  admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  token = csrfFrom((await admin.get('/account').expect(200)).text);
});
after(() => t.close());

const notAnErrorPage = (html: string) => {
  assert.doesNotMatch(html, /contact the program/i);
  assert.doesNotMatch(html, /Reference/);
};

test('decisions over the budget or above the largest award come back on the form with the reason and the way forward', async () => {
  const call = await buildCall(
    t.ctx,
    { budgetPool: 10_000, maxAward: 5_000, awardedTotal: 7_000 },
    { closed: true },
  );
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
    status: 'under_review',
    budgetTotal: 4_000,
  });
  const url = `/admin/calls/${call._id}/pitches/${pitch._id}/decision`;

  const over = await admin
    .post(url)
    .type('form')
    .send({ _csrf: token, outcome: 'funded', amount: '4,000' })
    .expect(409);
  notAnErrorPage(over.text);
  assert.match(over.text, /The decision was not recorded/);
  assert.match(
    over.text,
    /does not fit in what is left of the budget pool \(3,000 MNT\)\. Enter at most 3,000, or choose the waiting list/,
  );
  assert.match(over.text, /id="f-amount"[^>]*value="4,000"/);
  assert.match(over.text, /value="funded" required checked/);

  const tooBig = await admin
    .post(url)
    .type('form')
    .send({ _csrf: token, outcome: 'funded', amount: '6000' })
    .expect(400);
  notAnErrorPage(tooBig.text);
  assert.match(tooBig.text, /The largest award for this call is 5,000 MNT\. Enter at most 5,000\./);
  assert.match(
    tooBig.text,
    /id="f-amount"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-amount"|f-amount-error/,
  );

  const none = await admin.post(url).type('form').send({ _csrf: token, amount: '100' }).expect(400);
  assert.match(none.text, /Choose an outcome\./);
  assert.equal((await pitchModel(t.ctx.db).findById(pitch._id).lean())!.status, 'under_review');
  assert.equal((await callModel(t.ctx.db).findById(call._id).lean())!.awardedTotal, 7_000);

  // Within the rules it is recorded and the board says so.
  await admin.post(url).type('form').send({ _csrf: token, outcome: 'funded', amount: '3,000' }).expect(303);
  const board = await admin.get(`/admin/calls/${call._id}/review-board?decided=1`).expect(200);
  assert.match(board.text, /Decision recorded/);
});

test('assignment forms: a bad cap or due date and a business-rule refusal come back on the page', async () => {
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
    status: 'under_review',
    outlet: 'Ikon',
  });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', outlet: 'Ikon' });
  const base = `/admin/calls/${call._id}/assignments`;
  const auto = await admin
    .post(`${base}/auto`)
    .type('form')
    .send({ _csrf: token, cap: '0', dueAt: '14-12-2026' })
    .expect(400);
  notAnErrorPage(auto.text);
  assert.match(auto.text, /id="auto-cap"[^>]*value="0"[^>]*aria-invalid="true"/);
  assert.match(auto.text, /Enter a whole number from 1 to 500/);
  assert.match(auto.text, /id="auto-dueAt"[^>]*value="14-12-2026"/);
  const manual = await admin
    .post(base)
    .type('form')
    .send({ _csrf: token, pitchId: String(pitch._id), reviewerId: String(reviewer._id), dueAt: '' })
    .expect(409);
  notAnErrorPage(manual.text);
  assert.match(manual.text, /This reviewer works for the same outlet as the applicant/);
  assert.equal(await assignmentModel(t.ctx.db).countDocuments({ callId: call._id }), 0);
});

test('a tranche paid before its milestone and an out-of-order step are refused on the award page', async () => {
  const call = await buildCall(t.ctx, {}, { closed: true });
  const journalist = await buildUser(t.ctx);
  const pitch = await buildPitch(t.ctx, call, journalist, { status: 'under_review', budgetTotal: 1_000 });
  await admin
    .post(`/admin/calls/${call._id}/pitches/${pitch._id}/decision`)
    .type('form')
    .send({ _csrf: token, outcome: 'funded', amount: '1000' })
    .expect(303);
  const award = await awardModel(t.ctx.db).findOne({ pitchId: pitch._id }).lean();
  const pay = await admin
    .post(`/admin/awards/${award!._id}/tranches/draft/pay`)
    .type('form')
    .send({ _csrf: token, reference: 'BANK-7', stepUpSecret: PASSWORD })
    .expect(409);
  notAnErrorPage(pay.text);
  assert.match(pay.text, /milestone has not been reached yet/);
  assert.match(pay.text, /<h2>Payments<\/h2>/);
  const close = await admin
    .post(`/admin/awards/${award!._id}/close`)
    .type('form')
    .send({ _csrf: token })
    .expect(409);
  notAnErrorPage(close.text);
});

test('opening a call whose closing time has passed says so on the call page', async () => {
  const call = await buildCall(t.ctx, { status: 'draft' }, { closed: true });
  const res = await admin
    .post(`/admin/calls/${call._id}/open`)
    .type('form')
    .send({ _csrf: token })
    .expect(409);
  notAnErrorPage(res.text);
  assert.match(res.text, /The closing time has already passed\. Change it before opening the call\./);
  assert.match(res.text, /name="closesAt"/);
});
