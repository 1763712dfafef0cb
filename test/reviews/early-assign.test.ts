import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn } from '../factories';
import { completePitch, journalistWithDraft } from '../grants/helpers';
import { pitchModel } from '../../modules/grants/model';
import { assignmentModel } from '../../modules/reviews/model';
import { closeExpiredCalls } from '../../modules/grants';

// Starts at real time so staff two-step codes stay valid; moved past the deadline at the end.
const clock = fixedClock(new Date());
let t: TestApp;
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const autosave = (j: Awaited<ReturnType<typeof journalistWithDraft>>, body: object) =>
  j.agent
    .post(`/grants/pitches/${j.pitchId}/autosave`)
    .set('X-CSRF-Token', j.token)
    .set('Accept', 'application/json')
    .send(body);

async function submitted(j: Awaited<ReturnType<typeof journalistWithDraft>>) {
  await autosave(j, completePitch(0)).expect(200);
  await j.agent.post(`/grants/pitches/${j.pitchId}/submit`).type('form').send({ _csrf: j.token }).expect(303);
}

test('assigning reviewers before a fixed deadline locks nothing; reviewers read the version frozen at the deadline', async () => {
  const j = await journalistWithDraft(t, { reviewersPerPitch: 1 });
  await submitted(j);
  const callId = String(j.call._id);
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const reviewerAgent = await signIn(t.app, reviewer);
  const adminToken = csrfFrom((await admin.get(`/admin/calls/${callId}/assignments`).expect(200)).text);
  await admin
    .post(`/admin/calls/${callId}/assignments/auto`)
    .type('form')
    .send({ _csrf: adminToken, cap: '', dueAt: '' })
    .expect(303);
  const assignment = await assignmentModel(t.ctx.db).findOne({ pitchId: j.pitchId }).lean();
  assert.ok(assignment, 'assigned');

  // The admin is told, on the page where they assign, what assigning early means.
  const page = await admin.get(`/admin/calls/${callId}/assignments`).expect(200);
  assert.match(page.text, /id="assign-early"/);
  assert.match(page.text, /Until then applicants can still change or withdraw their pitches/);

  // The pitch stays submitted, editable and withdrawable.
  assert.equal((await pitchModel(t.ctx.db).findById(j.pitchId).lean())!.status, 'submitted');
  const editor = await j.agent.get(`/grants/pitches/${j.pitchId}`).expect(200);
  assert.doesNotMatch(editor.text, /can no longer be changed/);
  assert.doesNotMatch(editor.text, /Under review/);
  assert.match(editor.text, /Withdraw pitch/);
  assert.doesNotMatch(editor.text, /<fieldset class="stack" disabled>/);
  const version = (await pitchModel(t.ctx.db).findById(j.pitchId).lean())!.__v;
  await autosave(j, {
    ...completePitch(version),
    angle: 'The final angle, written after assignment.',
  }).expect(200);

  // The reviewer may declare at once, but reads nothing until the deadline.
  const aid = String(assignment._id);
  const declare = await reviewerAgent.get(`/reviews/${aid}`).expect(200);
  await reviewerAgent
    .post(`/reviews/${aid}/declare`)
    .type('form')
    .send({ _csrf: csrfFrom(declare.text), answer: 'none' })
    .expect(303);
  const waiting = await reviewerAgent.get(`/reviews/${aid}`).expect(200);
  assert.match(waiting.text, /This pitch opens at the deadline/);
  assert.doesNotMatch(waiting.text, /recruiters|The final angle/);
  assert.match((await reviewerAgent.get('/reviews').expect(200)).text, /Opens at the deadline/);
  await reviewerAgent
    .post(`/reviews/${aid}/review`)
    .type('form')
    .send({ _csrf: csrfFrom(waiting.text), version: '0', action: 'save' })
    .expect(409);

  // At the deadline the version on file is the one under review.
  clock.set(new Date(j.call.closesAt.getTime() + 1000));
  await closeExpiredCalls(t.ctx);
  assert.equal((await pitchModel(t.ctx.db).findById(j.pitchId).lean())!.status, 'under_review');
  const open = await reviewerAgent.get(`/reviews/${aid}`).expect(200);
  assert.match(open.text, /The final angle, written after assignment\./);
  await autosave(j, { ...completePitch(version + 1), angle: 'Too late' }).expect(409);
});

test('a pitch withdrawn before the deadline leaves the reviewer list; rolling calls say their rule up front', async () => {
  clock.set(new Date());
  const j = await journalistWithDraft(t, { reviewersPerPitch: 1 });
  await submitted(j);
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const reviewerAgent = await signIn(t.app, reviewer);
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const callId = String(j.call._id);
  const adminToken = csrfFrom((await admin.get(`/admin/calls/${callId}/assignments`).expect(200)).text);
  await admin
    .post(`/admin/calls/${callId}/assignments`)
    .type('form')
    .send({ _csrf: adminToken, pitchId: j.pitchId, reviewerId: String(reviewer._id), dueAt: '' })
    .expect(303);
  const assignment = await assignmentModel(t.ctx.db).findOne({ pitchId: j.pitchId }).lean();
  assert.match((await reviewerAgent.get('/reviews').expect(200)).text, new RegExp(completePitch(0).title));

  await j.agent
    .post(`/grants/pitches/${j.pitchId}/withdraw`)
    .type('form')
    .send({ _csrf: j.token })
    .expect(303);
  assert.equal((await pitchModel(t.ctx.db).findById(j.pitchId).lean())!.status, 'withdrawn');
  assert.doesNotMatch(
    (await reviewerAgent.get('/reviews').expect(200)).text,
    new RegExp(completePitch(0).title),
  );
  await reviewerAgent.get(`/reviews/${assignment!._id}`).expect(404);

  const rolling = await journalistWithDraft(t, { deadlineMode: 'rolling' });
  const call = await rolling.agent.get(`/grants/${String(rolling.call._id)}`).expect(200);
  assert.match(call.text, /Once you submit, your pitch can no longer be changed/);
  const editor = await rolling.agent.get(`/grants/pitches/${rolling.pitchId}`).expect(200);
  assert.match(editor.text, /once submitted, this pitch can no longer be changed/);
});
