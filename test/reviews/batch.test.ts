import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from './factories';
import { awardModel } from '../../modules/awards/model';
import { auditModel } from '../../modules/audit/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

async function setup() {
  const call = await buildCall(t.ctx, { budgetPool: 3_000, maxAward: 1_500 }, { closed: true });
  // No scores yet: the board ranks in creation order, so the batch applies in this order.
  const mk = (title: string, budgetTotal: number) =>
    buildUser(t.ctx).then((u) => buildPitch(t.ctx, call, u, { status: 'under_review', title, budgetTotal }));
  const a = await mk('Alpha border story', 1_000);
  const big = await mk('Big investigation', 2_000);
  const b = await mk('Bravo border story', 1_200);
  const c = await mk('Charlie border story', 1_000);
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const board = `/admin/calls/${call._id}/review-board`;
  const token = csrfFrom((await admin.get(board).expect(200)).text);
  return { call, a, big, b, c, admin, board, token };
}

test('the board’s selection is confirmed with totals, then applied; refusals come back with reasons', async () => {
  const { call, a, big, b, c, admin, board, token } = await setup();
  const picks = [a, big, b, c].map((p) => `pick=${p._id}`).join('&');
  const page = (await admin.get(board).expect(200)).text;
  assert.ok(page.includes(`formaction="${board}/apply"`), 'the board offers the batch');

  const confirm = (await admin.get(`${board}/apply?whatIf=1&${picks}`).expect(200)).text;
  assert.match(confirm, /<dt>Pitches<\/dt><dd>4<\/dd>/);
  assert.match(confirm, /<dt>Total to award<\/dt><dd>5,200 MNT<\/dd>/);
  assert.match(confirm, /<dt>Left in the budget pool now<\/dt><dd>3,000 MNT<\/dd>/);
  assert.match(confirm, /<dt>Left after these decisions<\/dt><dd class="error">-2,200 MNT<\/dd>/);
  assert.match(confirm, /The selection is 2,200 MNT more than the money left/);
  assert.match(confirm, /Asks for more than the largest award \(1,500 MNT\)/);
  assert.match(confirm, /Fund 4 pitches/);
  // Nothing is decided by looking.
  assert.equal(await awardModel(t.ctx.db).countDocuments({ callId: call._id }), 0);

  const res = await admin.post(`${board}/apply`).type('form').send(`_csrf=${token}&${picks}`).expect(200);
  assert.match(res.text, /2 pitches funded \(2,200 MNT\)/);
  assert.match(res.text, /2 pitches were not funded:/);
  assert.match(
    res.text,
    /Big investigation<\/a>: it asks for 2,000 MNT, more than the largest award \(1,500 MNT\)\. Open the pitch to fund at most 1,500\./,
  );
  assert.match(
    res.text,
    /Charlie border story<\/a>: 1,000 MNT does not fit in the 800 MNT left\. Open the pitch to fund a smaller amount/,
  );
  const awards = await awardModel(t.ctx.db).find({ callId: call._id }).lean();
  assert.deepEqual(awards.map((x) => String(x.pitchId)).sort(), [String(a._id), String(b._id)].sort());
  const after = await t.ctx.db.collection('calls').findOne({ _id: call._id });
  assert.equal(after!.awardedTotal, 2_200);
  const audit = await auditModel(t.ctx.db).findOne({ action: 'decisions.batch' }).lean();
  assert.deepEqual(audit!.meta, { funded: 2, refused: 2 });

  // The same confirmation posted again (a second tab): every pitch refused, nothing funded twice.
  const again = await admin
    .post(`${board}/apply`)
    .type('form')
    .send(`_csrf=${token}&pick=${a._id}&pick=${b._id}`)
    .expect(409);
  assert.match(again.text, /Alpha border story<\/a>: it was decided meanwhile/);
  assert.equal(await awardModel(t.ctx.db).countDocuments({ callId: call._id }), 2);
});

test('an empty selection says so; bad picks and other callers are refused', async () => {
  const { call, admin, board, token } = await setup();
  const empty = (await admin.get(`${board}/apply`).expect(200)).text;
  assert.match(empty, /No undecided pitch is selected/);
  assert.ok(!empty.includes(`action="${board}/apply"`));
  await admin.get(`${board}/apply?pick=not-an-id`).expect(400);
  await admin.post(`${board}/apply`).type('form').send({ _csrf: token, pick: 'x', amount: '9' }).expect(400);
  const journalist = await signIn(t.app, await buildUser(t.ctx));
  const jt = csrfFrom((await journalist.get('/account').expect(200)).text);
  await journalist.post(`${board}/apply`).type('form').send({ _csrf: jt }).expect(403);
  await admin.post(`${board}/apply`).type('form').send({}).expect(403);
  assert.equal(await awardModel(t.ctx.db).countDocuments({ callId: call._id }), 0);
});
