import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch, buildStoredFile } from './factories';
import { defaultRubric } from '../../modules/grants';
import { assignmentModel, reviewModel } from '../../modules/reviews/model';
import { auditModel } from '../../modules/audit/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const full = { score_relevance: '4', score_ethics: '5', score_feasibility: '7', recommendation: 'fund' };

async function reviewerOn(pitch: { _id: unknown; callId: unknown }) {
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const a = await assignmentModel(t.ctx.db).create({
    callId: pitch.callId,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'accepted',
    dueAt: new Date('2026-06-01T10:00:00Z'),
  });
  const agent = await signIn(t.app, reviewer);
  const list = await agent.get('/reviews').expect(200);
  assert.match(list.text, new RegExp(`/reviews/${a._id}`));
  const page = await agent.get(`/reviews/${a._id}`).expect(200);
  return { reviewer, id: String(a._id), agent, token: csrfFrom(page.text) };
}

async function setup() {
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  return { call, pitch };
}

test('two concurrent saves of the same version: one wins, the other gets 409 with its text shown back', async () => {
  const { pitch } = await setup();
  const r = await reviewerOn(pitch);
  const send = (text: string) =>
    r.agent
      .post(`/reviews/${r.id}/review`)
      .type('form')
      .send({ _csrf: r.token, version: '0', action: 'save', commentToApplicant: text, privateComment: '' });
  const [a, b] = await Promise.all([send('Text from tab A'), send('Text from tab B')]);
  assert.deepEqual([a.status, b.status].sort(), [303, 409]);
  const loser = a.status === 409 ? a : b;
  const winnerText = a.status === 303 ? 'Text from tab A' : 'Text from tab B';
  const loserText = a.status === 409 ? 'Text from tab A' : 'Text from tab B';
  assert.ok(loser.text.includes(loserText), 'the loser sees their own text');
  const stored = await reviewModel(t.ctx.db).findOne({ assignmentId: r.id }).lean();
  assert.equal(stored!.commentToApplicant, winnerText);
  assert.equal(stored!.version, 1);
  // A stale version later is refused too, and nothing changes.
  await send('late').expect(409);
  assert.equal(
    (await reviewModel(t.ctx.db).findOne({ assignmentId: r.id }).lean())!.commentToApplicant,
    winnerText,
  );
});

test('submit needs every criterion scored; submitted is final and a second submit returns the first result', async () => {
  const { pitch } = await setup();
  const r = await reviewerOn(pitch);
  const post = (body: Record<string, string>) =>
    r.agent
      .post(`/reviews/${r.id}/review`)
      .type('form')
      .send({ _csrf: r.token, ...body });
  await post({ version: '0', action: 'submit', score_relevance: '4', recommendation: 'fund' }).expect(400);
  await post({ version: '0', action: 'save', score_relevance: '9' }).expect(400); // above scaleMax 5
  await post({ version: '0', action: 'save', score_relevance: '2.5' }).expect(400);
  await post({ version: '0', action: 'save', role: 'admin' }).expect(400); // unknown field
  assert.equal((await reviewModel(t.ctx.db).findOne({ assignmentId: r.id }).lean())!.version, 0);
  await post({ version: '0', action: 'submit', ...full, commentToApplicant: 'First' }).expect(303);
  await post({ version: '1', action: 'submit', ...full, commentToApplicant: 'Second' }).expect(303);
  await post({ version: '0', action: 'submit', ...full, commentToApplicant: 'Third' }).expect(303);
  await post({ version: '1', action: 'save', ...full, commentToApplicant: 'Edit' }).expect(409);
  const stored = await reviewModel(t.ctx.db).findOne({ assignmentId: r.id }).lean();
  assert.equal(stored!.status, 'submitted');
  assert.equal(stored!.commentToApplicant, 'First');
  assert.equal((await assignmentModel(t.ctx.db).findById(r.id).lean())!.status, 'submitted');
  const actions = (
    await auditModel(t.ctx.db)
      .find({ targetId: String(stored!._id) })
      .lean()
  ).map((e) => e.action);
  assert.deepEqual(actions, ['review.submitted']);
});

test("a reviewer sees others' reviews only after submitting, and never their private comments", async () => {
  const { pitch } = await setup();
  const first = await reviewerOn(pitch);
  const second = await reviewerOn(pitch);
  await first.agent
    .post(`/reviews/${first.id}/review`)
    .type('form')
    .send({
      _csrf: first.token,
      version: '0',
      action: 'submit',
      ...full,
      commentToApplicant: 'PUBLIC-ONE',
      privateComment: 'SECRET-ONE',
    })
    .expect(303);
  const before = await second.agent.get(`/reviews/${second.id}`).expect(200);
  assert.ok(!before.text.includes('PUBLIC-ONE'));
  assert.ok(!before.text.includes('SECRET-ONE'));
  await second.agent
    .post(`/reviews/${second.id}/review`)
    .type('form')
    .send({
      _csrf: second.token,
      version: '0',
      action: 'submit',
      ...full,
      commentToApplicant: 'PUBLIC-TWO',
      privateComment: 'SECRET-TWO',
    })
    .expect(303);
  const afterSubmit = await second.agent.get(`/reviews/${second.id}`).expect(200);
  assert.ok(afterSubmit.text.includes('PUBLIC-ONE'));
  assert.ok(!afterSubmit.text.includes('SECRET-ONE'));
  assert.ok(!afterSubmit.text.includes(first.reviewer.name + ' '), 'no reviewer names');
  assert.ok(afterSubmit.text.includes('SECRET-TWO'), 'own private comment stays visible to its author');
});

test('reviewers must declare before reviewing', async () => {
  const { pitch, call } = await setup();
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const a = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'offered',
  });
  const agent = await signIn(t.app, reviewer);
  const page = await agent.get(`/reviews/${a._id}`).expect(200);
  assert.ok(!page.text.includes(pitch.angle), 'pitch content stays closed before the declaration');
  await agent
    .post(`/reviews/${a._id}/review`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), version: '0', action: 'save' })
    .expect(409);
});

test('a score of 7, -1 or 3.5 in a 0–5 box comes back on the form with everything kept and the field marked', async () => {
  const { pitch } = await setup();
  const r = await reviewerOn(pitch);
  for (const action of ['save', 'submit']) {
    const res = await r.agent
      .post(`/reviews/${r.id}/review`)
      .type('form')
      .send({
        _csrf: r.token,
        version: '0',
        action,
        score_relevance: '7',
        score_ethics: '-1',
        score_feasibility: '3.5',
        recommendation: 'maybe',
        commentToApplicant: 'Strong idea; say more about consent.',
        privateComment: 'My private note on the budget.',
      })
      .expect(400);
    // Every value as typed, the comments and the recommendation.
    for (const kept of [
      'value="3.5"',
      'Strong idea; say more about consent.',
      'My private note on the budget.',
      '<option value="maybe" selected>',
    ])
      assert.ok(res.text.includes(kept), `${action}: kept ${kept}`);
    assert.match(res.text, /name="score_relevance" type="number" min="0" max="5" step="1"[^>]*value="7"/);
    assert.match(res.text, /name="score_ethics" type="number" min="0" max="5" step="1"[^>]*value="-1"/);
    // Each bad field is marked and explained, with a summary linking to it.
    for (const id of ['score_relevance', 'score_ethics', 'score_feasibility']) {
      assert.match(res.text, new RegExp(`id="f-${id}"[^>]*aria-invalid="true"`));
      assert.match(res.text, new RegExp(`href="#f-${id}"`));
    }
    assert.match(res.text, /“7” is not a score on this scale: enter a whole number from 0 to 5\./);
    assert.match(res.text, /“3\.5” is not a score on this scale: enter a whole number from 0 to 10\./);
    assert.match(res.text, /Nothing has been saved yet/);
    assert.doesNotMatch(res.text, /contact the program/i);
  }
  const stored = await reviewModel(t.ctx.db).findOne({ assignmentId: r.id }).lean();
  assert.equal(stored!.version, 0, 'nothing stored');
  assert.deepEqual(stored!.scores, []);
  // A field that is not a string at all (tampering) is marked too, not a generic page.
  const tampered = await r.agent
    .post(`/reviews/${r.id}/review`)
    .type('form')
    .send(
      `_csrf=${r.token}&version=0&action=save&score_relevance=1&score_relevance=2&commentToApplicant=Kept`,
    )
    .expect(400);
  assert.match(tampered.text, /id="f-score_relevance"[^>]*aria-invalid="true"/);
  assert.ok(tampered.text.includes('Kept'));
});

test('the review form shows each weight, what a 1, 3 and 5 look like, the weighted total and what each attachment is', async () => {
  // Not blind: on a blind call the outlet's letter stays with staff.
  const call = await buildCall(t.ctx, { rubric: defaultRubric(), blind: false }, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  await buildStoredFile(t.ctx, pitch, Buffer.from('%PDF-1.4\n%%EOF\n'), {
    ext: 'pdf',
    mime: 'application/pdf',
    originalName: 'letter.pdf',
  });
  await t.ctx.db
    .collection('storedfiles')
    .updateOne({ pitchId: pitch._id }, { $set: { kind: 'outlet-letter' } });
  const r = await reviewerOn(pitch);
  const page = await r.agent.get(`/reviews/${r.id}`).expect(200);
  assert.match(page.text, /Weight ×2: counts 2 times as much/);
  assert.match(page.text, /Weight ×1/);
  assert.match(page.text, /<strong>1<\/strong> — No credible plan for consent/);
  assert.match(page.text, /<strong>3<\/strong> — A plan exists but misses a step/);
  assert.match(page.text, /<strong>5<\/strong> — Informed consent, identities protected/);
  assert.match(page.text, /0 \/ 100 \(0 of 7 criteria scored\)/);
  assert.match(page.text, /letter from the outlet/);
  assert.doesNotMatch(page.text, /letter\.pdf/);
  // Saved scores count in the total: ethics 5/5 (weight 2) and comprehension 5/5 → 3 of 8 weight units.
  await r.agent
    .post(`/reviews/${r.id}/review`)
    .type('form')
    .send({
      _csrf: r.token,
      version: '0',
      action: 'save',
      'score_ethics-victim-safety': '5',
      score_comprehension: '5',
    })
    .expect(303);
  const again = await r.agent.get(`/reviews/${r.id}`).expect(200);
  assert.match(again.text, /37\.5 \/ 100 \(2 of 7 criteria scored\)/);
});
