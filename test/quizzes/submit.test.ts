import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { enrolmentModel } from '../../modules/learning/model';
import { unpackResults } from '../../modules/quizzes';
import { encode, formFor, importRealCourse, models, quizByKey } from './support';

const clock = fixedClock(new Date('2026-03-02T02:00:00Z'));
let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp({ clock });
  ({ courseId } = await importRealCourse(t.ctx, 'published', { timeLimitMinutes: 30 }));
});
after(() => t.close());

async function startedAttempt(key: string) {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const quiz = await quizByKey(t.ctx, courseId, key);
  const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  assert.equal(start.status, 303);
  const id = start.headers.location!.split('/').pop()!;
  return { user, agent, csrf, quiz, id };
}

test('20 parallel submits of one attempt give one graded result and one learning outcome', async () => {
  const { user, agent, csrf, id, quiz } = await startedAttempt('post');
  const form = await formFor(t.ctx, id, 'right');
  const responses = await Promise.all(
    Array.from({ length: 20 }, () =>
      agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(form, csrf)),
    ),
  );
  for (const r of responses) {
    assert.equal(r.status, 303);
    assert.match(r.headers.location!, new RegExp(`/quizzes/attempts/${id}/result$`));
  }
  const { Attempts } = models(t.ctx);
  const attempts = await Attempts.find({ quizId: quiz._id, userId: user._id }).lean();
  assert.equal(attempts.length, 1);
  assert.equal(attempts[0]!.status, 'submitted');
  assert.equal(attempts[0]!.score, 100);
  assert.equal(attempts[0]!.results!.length, quiz.questionIds.length);
  assert.equal(attempts[0]!.resultsPacked, undefined, 'the packed copy is for reports only');
  const packed = await Attempts.findById(attempts[0]!._id).select('+resultsPacked').lean();
  assert.deepEqual(unpackResults(packed!.resultsPacked), attempts[0]!.results, 'packed with the results');
  const enrolments = await enrolmentModel(t.ctx.db).find({ userId: user._id, courseId }).lean();
  assert.equal(enrolments.length, 1);
  assert.deepEqual((enrolments[0] as { quizzesPassed?: string[] }).quizzesPassed, ['post']);

  // A replay later, even with wrong answers, returns the first result: never a second grading.
  const firstSubmittedAt = attempts[0]!.submittedAt;
  clock.advance(60_000);
  const wrong = await formFor(t.ctx, id, 'wrong');
  const replay = await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(wrong, csrf));
  assert.equal(replay.status, 303);
  const after = await Attempts.findById(id).lean();
  assert.equal(after!.score, 100);
  assert.deepEqual(after!.submittedAt, firstSubmittedAt);
  // Saving into a submitted attempt changes nothing either.
  await agent.post(`/quizzes/attempts/${id}/save`).type('form').send(encode(wrong, csrf)).expect(303);
  assert.deepEqual((await Attempts.findById(id).lean())!.answers, after!.answers);
});

test('a client-sent score or results field is a 400 and nothing is graded', async () => {
  const { agent, csrf, id } = await startedAttempt('lesson:05-safe-interviews-and-referral');
  const form = await formFor(t.ctx, id, 'wrong');
  const { Attempts } = models(t.ctx);
  for (const extra of [{ score: '100' }, { results: 'x' }, { passed: 'true' }, { 'q.x.correct': 'true' }]) {
    const res = await agent
      .post(`/quizzes/attempts/${id}/submit`)
      .type('form')
      .send(encode({ ...form, ...extra }, csrf));
    assert.equal(res.status, 400, JSON.stringify(extra));
  }
  const json = await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .set('x-csrf-token', csrf)
    .send({ score: 100, results: [{ qid: 'td-03', correct: true }] });
  assert.equal(json.status, 400);
  const stored = await Attempts.findById(id).lean();
  assert.equal(stored!.status, 'started');
  assert.equal(stored!.score, undefined);
  assert.equal(stored!.results, undefined);
  // Answers naming options or questions outside the attempt are refused too.
  const item = stored!.items.find((i) => i.type === 'single' || i.type === 'multiple')!;
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ [`q.${item.qid}`]: 'zz' }, csrf))
    .expect(400);
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ 'q.not-in-attempt': 'a' }, csrf))
    .expect(400);
});

test('answers are saved and shown again; incomplete submits show an error summary', async () => {
  const { agent, csrf, id } = await startedAttempt('lesson:06-source-and-journalist-security');
  const form = await formFor(t.ctx, id, 'right');
  const [firstKey, ...restKeys] = Object.keys(form);
  const partial = Object.fromEntries(restKeys.map((k) => [k, form[k]!]));
  const saved = await agent.post(`/quizzes/attempts/${id}/save`).type('form').send(encode(partial, csrf));
  assert.equal(saved.status, 303);
  const page = await agent.get(saved.headers.location!).expect(200);
  assert.match(page.text, /Your answers are saved/);
  assert.ok((page.text.match(/ checked| selected/g) ?? []).length >= 1);
  const json = await agent
    .post(`/quizzes/attempts/${id}/save`)
    .set('accept', 'application/json')
    .set('x-csrf-token', csrf)
    .type('form')
    .send(encode(partial));
  assert.equal(json.status, 200);
  assert.equal(json.body.saved, true);
  const submit = await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(partial, csrf));
  assert.equal(submit.status, 400);
  assert.match(submit.text, /id="error-summary"/);
  assert.match(submit.text, /Answer this question/);
  assert.match(submit.text, /href="#f-/);
  assert.ok(firstKey);
  const { Attempts } = models(t.ctx);
  assert.equal((await Attempts.findById(id).lean())!.status, 'started');
  const confirmed = await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode({ ...partial, confirmBlank: 'on' }, csrf));
  assert.equal(confirmed.status, 303);
  const graded = await Attempts.findById(id).lean();
  assert.equal(graded!.status, 'submitted');
  assert.equal(graded!.score, 80);
});

test('the time limit holds: answers after the deadline and grace are ignored', async () => {
  clock.set(new Date('2026-03-02T03:00:00Z'));
  const { agent, csrf, id, quiz } = await startedAttempt('post');
  assert.equal(quiz.timeLimitMinutes, 30);
  const { Attempts } = models(t.ctx);
  const started = await Attempts.findById(id).lean();
  assert.deepEqual(started!.deadlineAt, new Date('2026-03-02T03:30:00Z'));
  const wrong = await formFor(t.ctx, id, 'wrong');
  const right = await formFor(t.ctx, id, 'right');
  clock.advance(10 * 60_000);
  await agent.post(`/quizzes/attempts/${id}/save`).type('form').send(encode(wrong, csrf)).expect(303);
  // Within the 30 s grace a save still counts.
  clock.set(new Date('2026-03-02T03:30:20Z'));
  const oneRight = { ...wrong };
  const firstItem = started!.items.find((i) => i.type === 'true-false' || i.type === 'single')!;
  oneRight[`q.${firstItem.qid}`] = right[`q.${firstItem.qid}`]!;
  await agent.post(`/quizzes/attempts/${id}/save`).type('form').send(encode(oneRight, csrf)).expect(303);
  // After deadline + grace: a save is refused and a submit grades what was saved in time.
  clock.set(new Date('2026-03-02T03:30:31Z'));
  const late = await agent
    .post(`/quizzes/attempts/${id}/save`)
    .set('accept', 'application/json')
    .set('x-csrf-token', csrf)
    .type('form')
    .send(encode(right));
  assert.equal(late.status, 409);
  const submit = await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(right, csrf));
  assert.equal(submit.status, 303);
  const graded = await Attempts.findById(id).lean();
  assert.equal(graded!.status, 'submitted');
  assert.deepEqual(graded!.submittedAt, new Date('2026-03-02T03:30:31Z'));
  assert.equal(graded!.results!.filter((r) => r.correct).length, 1);
  assert.equal(graded!.score, Math.round(100 / quiz.questionIds.length));
  assert.equal(graded!.passed, false);
});

test('opening a timed-out attempt grades what was saved and shows the result', async () => {
  clock.set(new Date('2026-03-03T03:00:00Z'));
  const { agent, csrf, id } = await startedAttempt('post');
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode(await formFor(t.ctx, id, 'right'), csrf))
    .expect(303);
  clock.advance(20 * 60_000);
  await agent.get('/account').expect(200); // stay active: sessions time out when idle
  clock.advance(11 * 60_000);
  const open = await agent.get(`/quizzes/attempts/${id}`);
  assert.equal(open.status, 303);
  assert.match(open.headers.location!, /\/result$/);
  const { Attempts } = models(t.ctx);
  assert.equal((await Attempts.findById(id).lean())!.score, 100);
});
