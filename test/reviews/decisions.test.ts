import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from './factories';
import { assignmentModel, reviewModel } from '../../modules/reviews/model';
import { applicantDecision as decisionFor } from '../../modules/grants';
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

const decide = (callId: unknown, pitchId: unknown, body: Record<string, string>) =>
  admin
    .post(`/admin/calls/${callId}/pitches/${pitchId}/decision`)
    .type('form')
    .send({ _csrf: token, ...body });

async function submittedReview(
  pitch: { _id: unknown; callId: unknown },
  name: string,
  pub: string,
  priv: string,
  score = 4,
) {
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', name });
  const a = await assignmentModel(t.ctx.db).create({
    callId: pitch.callId,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'submitted',
  });
  await reviewModel(t.ctx.db).create({
    assignmentId: a._id,
    callId: pitch.callId,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    scores: [
      { criterionId: 'relevance', score },
      { criterionId: 'ethics', score },
      { criterionId: 'feasibility', score: score * 2 },
    ],
    commentToApplicant: pub,
    privateComment: priv,
    recommendation: 'fund',
    status: 'submitted',
    submittedAt: new Date(),
    version: 1,
  });
}

test('20 parallel fund decisions never exceed the budget pool', async () => {
  const call = await buildCall(t.ctx, { budgetPool: 10_000, maxAward: 5_000 }, { closed: true });
  const pitches = await Promise.all(
    Array.from({ length: 20 }, async () =>
      buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review', budgetTotal: 1_500 }),
    ),
  );
  const results = await Promise.all(
    pitches.map((p) => decide(call._id, p._id, { outcome: 'funded', amount: '1500' })),
  );
  const ok = results.filter((r) => r.status === 303).length;
  assert.equal(ok, 6);
  assert.ok(results.every((r) => r.status === 303 || r.status === 409));
  const stored = await t.ctx.db.collection('calls').findOne({ _id: call._id });
  assert.equal(stored!.awardedTotal, 9_000);
  assert.equal(
    await t.ctx.db.collection('pitches').countDocuments({ callId: call._id, status: 'funded' }),
    6,
  );
  assert.equal(await awardModel(t.ctx.db).countDocuments({ callId: call._id }), 6);
});

test('funding one pitch twice in parallel pays once; amount rules hold', async () => {
  const call = await buildCall(t.ctx, { budgetPool: 10_000, maxAward: 5_000 }, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
    status: 'under_review',
    budgetTotal: 2_000,
  });
  await decide(call._id, pitch._id, { outcome: 'funded', amount: '6000' }).expect(400); // above maxAward
  await decide(call._id, pitch._id, { outcome: 'funded', amount: '-5' }).expect(400);
  await decide(call._id, pitch._id, { outcome: 'funded', amount: '2000', status: 'funded' }).expect(400);
  const results = await Promise.all(
    Array.from({ length: 5 }, () => decide(call._id, pitch._id, { outcome: 'funded', amount: '2000' })),
  );
  assert.equal(results.filter((r) => r.status === 303).length, 1);
  const stored = await t.ctx.db.collection('calls').findOne({ _id: call._id });
  assert.equal(stored!.awardedTotal, 2_000);
  // A pitch from another call is a 404.
  const other = await buildCall(t.ctx, {}, { closed: true });
  await decide(other._id, pitch._id, { outcome: 'declined' }).expect(404);
});

test('decision e-mails: released once per call, with comments to the applicant but never private comments or reviewer names', async () => {
  const call = await buildCall(t.ctx, {}, { closed: true });
  const funded = await buildUser(t.ctx, { name: 'Funded Journalist' });
  const declined = await buildUser(t.ctx, { name: 'Declined Journalist', locale: 'mn' });
  const p1 = await buildPitch(t.ctx, call, funded, { status: 'under_review', budgetTotal: 3_000 });
  const p2 = await buildPitch(t.ctx, call, declined, { status: 'under_review' });
  await submittedReview(
    p1,
    'Reviewer Tsetsegmaa',
    'Strong angle, keep survivors anonymous.',
    'PRIVATE: borderline budget',
  );
  await submittedReview(p2, 'Reviewer Bold', 'Needs a clearer ethics plan.', 'PRIVATE: weak');

  const board = await admin.get(`/admin/calls/${call._id}/review-board`).expect(200);
  assert.match(board.text, new RegExp(p1.title));
  const staffView = await admin.get(`/admin/calls/${call._id}/pitches/${p1._id}/reviews`).expect(200);
  assert.match(staffView.text, /PRIVATE: borderline budget/, 'staff see private comments');
  assert.match(staffView.text, /Reviewer Tsetsegmaa/);
  await decide(call._id, p1._id, { outcome: 'funded', amount: '3000' }).expect(303);
  await decide(call._id, p2._id, { outcome: 'declined' }).expect(303);

  assert.equal(await decisionFor(t.ctx, String(p1._id), funded._id), null, 'hidden before release');
  const outbox = t.ctx.db.collection('outboxmessages');
  assert.equal(await outbox.countDocuments({ template: 'reviews/decision' }), 0);

  const release = () =>
    admin.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: token }).expect(303);
  await Promise.all([release(), release()]);
  await release();
  const mails = await outbox.find({ template: 'reviews/decision' }).toArray();
  assert.equal(mails.length, 2);
  const toFunded = mails.find((m) => m.to === funded.email)!;
  const toDeclined = mails.find((m) => m.to === declined.email)!;
  for (const body of [toFunded.text, toFunded.html]) {
    assert.ok(String(body).includes('Strong angle, keep survivors anonymous.'));
    assert.ok(!String(body).includes('PRIVATE'));
    assert.ok(!String(body).includes('Tsetsegmaa'));
  }
  assert.match(toFunded.text, /3,000 MNT/);
  assert.ok(String(toDeclined.text).includes('Needs a clearer ethics plan.'));
  assert.match(toDeclined.subject, /Таны саналын шийдвэр/);

  const seen = await decisionFor(t.ctx, String(p1._id), funded._id);
  assert.deepEqual(seen?.comments, ['Strong angle, keep survivors anonymous.']);
  assert.equal(seen?.outcome, 'funded');
  assert.equal(await decisionFor(t.ctx, String(p1._id), declined._id), null, "not someone else's pitch");
  const stored = await t.ctx.db.collection('calls').findOne({ _id: call._id });
  assert.ok(stored!.decisionsReleasedAt instanceof Date);
});

test('the review board shows scores and a what-if selection against the pool', async () => {
  const call = await buildCall(t.ctx, { budgetPool: 2_500, maxAward: 2_500 }, { closed: true });
  const a = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
    status: 'under_review',
    budgetTotal: 2_000,
    title: 'Pitch Alpha',
  });
  const b = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
    status: 'under_review',
    budgetTotal: 1_000,
    title: 'Pitch Beta',
  });
  await submittedReview(a, 'R one', 'x', 'y', 5);
  await submittedReview(b, 'R two', 'x', 'y', 1);
  const page = await admin.get(`/admin/calls/${call._id}/review-board`).expect(200);
  assert.match(page.text, /Pitch Alpha/);
  assert.match(page.text, /Selected: 2,000 MNT of the 2,500 MNT remaining/);
  assert.ok(page.text.indexOf('Pitch Alpha') < page.text.indexOf('Pitch Beta'), 'ranked by score');
  const whatIf = await admin
    .get(`/admin/calls/${call._id}/review-board?whatIf=1&pick=${a._id}&pick=${b._id}`)
    .expect(200);
  assert.match(whatIf.text, /Selected: 3,000 MNT of the 2,500 MNT remaining/);
  assert.match(whatIf.text, /Over budget/);
  await admin.get(`/admin/calls/${call._id}/review-board?pick[$ne]=1`).expect(400);
});

test('after release, a waitlisted pitch funded later is e-mailed at once', async () => {
  const call = await buildCall(t.ctx, {}, { closed: true });
  const journalist = await buildUser(t.ctx);
  const pitch = await buildPitch(t.ctx, call, journalist, { status: 'under_review', budgetTotal: 1_000 });
  await decide(call._id, pitch._id, { outcome: 'waitlisted' }).expect(303);
  await admin.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: token }).expect(303);
  const outbox = t.ctx.db.collection('outboxmessages');
  assert.equal(await outbox.countDocuments({ to: journalist.email }), 1);
  assert.equal((await decisionFor(t.ctx, pitch._id, journalist._id))?.outcome, 'waitlisted');
  await decide(call._id, pitch._id, { outcome: 'funded', amount: '1000' }).expect(303);
  const mails = await outbox.find({ to: journalist.email }).sort({ _id: 1 }).toArray();
  assert.equal(mails.length, 2);
  assert.match(String(mails[1]!.text), /funded with 1,000 MNT/);
  assert.equal((await decisionFor(t.ctx, pitch._id, journalist._id))?.outcome, 'funded');
  await decide(call._id, pitch._id, { outcome: 'declined' }).expect(409);
});
