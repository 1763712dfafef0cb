import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from './factories';
import { assignmentModel } from '../../modules/reviews/model';
import { userModel } from '../../modules/accounts/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('the admin home lists what needs doing, each with a link; a reviewer sees what to review', async () => {
  await userModel(t.ctx.db).updateMany({ role: 'reviewer' }, { $set: { status: 'disabled' } });
  const call = await buildCall(
    t.ctx,
    { title: { en: 'Home call', mn: 'Нүүр зар' }, reviewersPerPitch: 1 },
    { closed: true },
  );
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', outlet: 'Elsewhere' });
  const unassigned = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  const late = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: late._id,
    reviewerId: reviewer._id,
    status: 'accepted',
    dueAt: new Date(t.ctx.clock.now().getTime() - 86_400_000),
  });
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  let home = await admin.get('/').expect(200);
  assert.match(home.text, /Needs doing/);
  assert.ok(
    home.text.includes(
      `href="/admin/calls/${call._id}/assignments">“Home call”: 1 pitch still needs reviewers`,
    ),
  );
  assert.ok(home.text.includes('“Home call”: 1 review is overdue'));
  assert.ok(!home.text.includes('waiting to be released'));
  assert.ok(String(unassigned._id));

  const asReviewer = await signIn(t.app, reviewer);
  assert.match((await asReviewer.get('/').expect(200)).text, /href="\/reviews">1 pitch to review/);

  const token = csrfFrom(home.text);
  await admin
    .post(`/admin/calls/${call._id}/pitches/${late._id}/decision`)
    .type('form')
    .send({ _csrf: token, outcome: 'declined' })
    .expect(303);
  home = await admin.get('/').expect(200);
  assert.ok(
    home.text.includes(
      `href="/admin/calls/${call._id}/release">“Home call”: 1 decision is waiting to be released`,
    ),
  );
  // Decided before the review came in: nothing left to review.
  assert.match((await asReviewer.get('/').expect(200)).text, /Nothing needs doing right now/);
});

test('a reviewer’s count leaves out pitches decided before their review was submitted', async () => {
  const call = await buildCall(t.ctx, { title: { en: 'Count call', mn: 'Тоо зар' } }, { closed: true });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', outlet: 'Elsewhere' });
  const open = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  const declined = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'declined' });
  const funded = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'funded' });
  for (const p of [open, declined, funded])
    await assignmentModel(t.ctx.db).create({
      callId: call._id,
      pitchId: p._id,
      reviewerId: reviewer._id,
      status: p === funded ? 'offered' : 'accepted',
    });
  const asReviewer = await signIn(t.app, reviewer);
  const home = (await asReviewer.get('/').expect(200)).text;
  assert.match(home, /href="\/reviews">1 pitch to review/);
  const list = (await asReviewer.get('/reviews').expect(200)).text;
  assert.equal(list.split('Decided — no review needed').length - 1, 2);
  assert.ok(list.includes(open.title));
});
