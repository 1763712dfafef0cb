import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from './factories';
import { assignmentModel, reviewModel } from '../../modules/reviews/model';
import { auditModel } from '../../modules/audit/model';
import { outboxModel } from '../../modules/notifications/model';
import { editCommentToApplicant, reviewTarget } from '../../modules/reviews/service';
import { releaseDecisions } from '../../modules/reviews/decisions';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const full = { score_relevance: '4', score_ethics: '5', score_feasibility: '3', recommendation: 'fund' };

async function submitted() {
  const call = await buildCall(t.ctx, {}, { closed: true });
  const applicant = await buildUser(t.ctx);
  const pitch = await buildPitch(t.ctx, call, applicant, { status: 'under_review' });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const a = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'accepted',
  });
  const agent = await signIn(t.app, reviewer);
  const id = String(a._id);
  const token = csrfFrom((await agent.get(`/reviews/${id}`).expect(200)).text);
  const comment = (body: Record<string, string>) =>
    agent
      .post(`/reviews/${id}/comment`)
      .type('form')
      .send({ _csrf: token, ...body });
  // Before submitting, the comment alone cannot be changed this way (the whole form can).
  await comment({ version: '0', commentToApplicant: 'Early' }).expect(409);
  await agent
    .post(`/reviews/${id}/review`)
    .type('form')
    .send({ _csrf: token, version: '0', action: 'submit', ...full, commentToApplicant: 'First words' })
    .expect(303);
  return { call, pitch, applicant, id, agent, token, comment };
}

test('after submitting, only the comment to the applicant can change, until release', async () => {
  const { call, pitch, applicant, id, agent, comment } = await submitted();
  const page = (await agent.get(`/reviews/${id}`).expect(200)).text;
  assert.ok(page.includes(`action="/reviews/${id}/comment"`));
  assert.match(
    page,
    /<textarea id="f-commentToApplicant" name="commentToApplicant"[^>]*>First words<\/textarea>/,
  );
  assert.match(page, /Your scores and recommendation are final/);

  // Scores and the rest stay final: a form carrying them is refused, the typed comment kept.
  const sneaky = await comment({
    version: '1',
    commentToApplicant: 'Kept text',
    score_relevance: '1',
  }).expect(400);
  assert.ok(sneaky.text.includes('>Kept text</textarea>'));
  const tooLong = await comment({ version: '1', commentToApplicant: 'x'.repeat(5001) }).expect(400);
  assert.match(tooLong.text, /aria-invalid="true"/);
  assert.match(tooLong.text, /longer than 5,000 characters/);
  assert.ok(tooLong.text.includes('x'.repeat(5001)), 'the long text comes back to be shortened');

  await comment({ version: '1', commentToApplicant: 'Better, kinder words' }).expect(303);
  // A second tab still on version 1: refused, its text shown back, nothing overwritten.
  const stale = await comment({ version: '1', commentToApplicant: 'Stale tab' }).expect(409);
  assert.ok(stale.text.includes('>Stale tab</textarea>'));
  let stored = (await reviewModel(t.ctx.db).findOne({ assignmentId: id }).lean())!;
  assert.equal(stored.commentToApplicant, 'Better, kinder words');
  assert.deepEqual(
    stored.scores.map((s) => s.score),
    [4, 5, 3],
  );
  assert.equal(stored.recommendation, 'fund');
  assert.ok(stored.commentEditedAt);
  const actions = (
    await auditModel(t.ctx.db)
      .find({ targetId: String(stored._id) })
      .lean()
  ).map((e) => e.action);
  assert.deepEqual(actions, ['review.submitted', 'review.commentEdited']);

  // Released: the applicant gets the edited comment, and it is locked from then on.
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const at = csrfFrom((await admin.get('/account').expect(200)).text);
  await admin
    .post(`/admin/calls/${call._id}/pitches/${pitch._id}/decision`)
    .type('form')
    .send({ _csrf: at, outcome: 'declined' })
    .expect(303);
  // Decided but not released: still editable.
  await comment({ version: String(stored.version), commentToApplicant: 'Final wording' }).expect(303);
  await admin.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: at }).expect(303);
  const mail = (await outboxModel(t.ctx.db).findOne({ to: applicant.email }).lean())!;
  assert.ok(mail.text.includes('Final wording'));
  stored = (await reviewModel(t.ctx.db).findOne({ assignmentId: id }).lean())!;
  const locked = await comment({ version: String(stored.version), commentToApplicant: 'Too late' }).expect(
    409,
  );
  assert.match(locked.text, /can no longer be changed/);
  assert.equal(
    (await reviewModel(t.ctx.db).findOne({ assignmentId: id }).lean())!.commentToApplicant,
    'Final wording',
  );
  const after = (await agent.get(`/reviews/${id}`).expect(200)).text;
  assert.ok(!after.includes(`action="/reviews/${id}/comment"`));
  assert.match(after, /this comment was sent and can no longer be changed/);
});

test('another reviewer cannot edit the comment', async () => {
  const { id } = await submitted();
  const other = await signIn(t.app, await buildUser(t.ctx, { role: 'reviewer' }));
  const token = csrfFrom((await other.get('/reviews').expect(200)).text);
  await other
    .post(`/reviews/${id}/comment`)
    .type('form')
    .send({ _csrf: token, version: '1', commentToApplicant: 'Not mine' })
    .expect(404);
});

test('an edit that checked the call just before release is refused once the release has begun', async () => {
  const { call, pitch, applicant, id } = await submitted();
  const review = (await reviewModel(t.ctx.db).findOne({ assignmentId: id }).lean())!;
  const reviewer = { id: String(review.reviewerId), role: 'reviewer' as const };
  // The edit read the call while it was not released yet …
  const target = await reviewTarget(t.ctx, reviewer.id, id);
  assert.equal(target.call.decisionsReleasedAt, undefined);
  // … then the admin decided and released, reading the comment for the e-mail …
  await t.ctx.db.collection('pitches').updateOne({ _id: pitch._id }, { $set: { status: 'declined' } });
  await t.ctx.db.collection('pitches').updateOne(
    { _id: pitch._id },
    {
      $set: {
        decision: { outcome: 'declined', amount: 0, decidedAt: new Date(), decidedBy: review.reviewerId },
      },
    },
  );
  const admin = await buildUser(t.ctx, { role: 'admin' });
  await releaseDecisions(t.ctx, { id: String(admin._id), role: 'admin' } as never, String(call._id));
  // … so the late edit is refused, and what the applicant was sent stays what staff see.
  await assert.rejects(
    editCommentToApplicant(t.ctx, reviewer as never, target, {
      version: review.version,
      commentToApplicant: 'Changed after the e-mail',
    }),
    (err: { key?: string }) => err.key === 'reviews.errors.commentLocked',
  );
  const stored = (await reviewModel(t.ctx.db).findOne({ assignmentId: id }).lean())!;
  assert.equal(stored.commentToApplicant, 'First words');
  assert.ok(stored.commentLockedAt);
  const mail = (await outboxModel(t.ctx.db).findOne({ to: applicant.email }).lean())!;
  assert.ok(mail.text.includes('First words'));
});
