import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { startAttempt } from '../../modules/quizzes/service';
import { encode, formFor, importRealCourse, models, quizByKey, signedInTrainee } from './support';

let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp();
  ({ courseId } = await importRealCourse(t.ctx));
});
after(() => t.close());

const trainee = () => signedInTrainee(t);

test('pool draws stay inside the pool and have `draw` distinct questions (30 draws)', async () => {
  const quiz = await quizByKey(t.ctx, courseId, 'lesson:02-smuggling-vs-trafficking');
  const { Attempts } = models(t.ctx);
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const user = await buildUser(t.ctx);
    const attempt = await startAttempt(t.ctx, String(user._id), String(quiz._id));
    const qids = attempt.items.map((it) => it.qid);
    assert.equal(qids.length, quiz.draw);
    assert.equal(new Set(qids).size, quiz.draw, 'distinct');
    for (const id of qids) assert.ok(quiz.questionIds.includes(id), `${id} outside the pool`);
    qids.forEach((id) => seen.add(id));
  }
  assert.ok(seen.size > quiz.draw, 'different attempts draw different questions');
  assert.equal(await Attempts.countDocuments({ quizId: quiz._id }), 30);
});

test('options are shuffled but keep their ids; true/false is always True, False', async () => {
  const quiz = await quizByKey(t.ctx, courseId, 'post');
  const { Questions } = models(t.ctx);
  const bank = new Map((await Questions.find({ courseId }).lean()).map((q) => [q.qid, q]));
  const orders = new Map<string, Set<string>>();
  for (let i = 0; i < 30; i++) {
    const user = await buildUser(t.ctx);
    const attempt = await startAttempt(t.ctx, String(user._id), String(quiz._id));
    for (const item of attempt.items) {
      const q = bank.get(item.qid)!;
      assert.deepEqual([...item.optionOrder].sort(), q.options.map((o) => o.id).sort());
      if (q.type === 'case')
        assert.deepEqual([...item.elementOrder!].sort(), q.elements!.map((o) => o.id).sort());
      if (q.type === 'true-false') assert.deepEqual(item.optionOrder, ['true', 'false']);
      if (!orders.has(item.qid)) orders.set(item.qid, new Set());
      orders.get(item.qid)!.add(item.optionOrder.join(','));
    }
  }
  for (const [qid, seen] of orders) {
    const type = bank.get(qid)!.type;
    if (type === 'true-false') assert.equal(seen.size, 1, `${qid} moved`);
    else assert.ok(seen.size > 1, `${qid} (${type}) was never shuffled`);
  }
});

test('the intro page shows the quiz; a start redirects to the sheet; a double click gives one attempt', async () => {
  const { user, agent, csrf } = await trainee();
  const quiz = await quizByKey(t.ctx, courseId, 'lesson:01-what-is-trafficking');
  const intro = await agent.get(`/quizzes/${quiz._id}`).expect(200);
  assert.match(intro.text, /Questions: 5/);
  assert.match(intro.text, /Passing score: 70%/);
  assert.match(intro.text, /Attempts left: 3 of 3/);
  assert.match(intro.text, /No time limit/);
  const starts = await Promise.all(
    Array.from({ length: 5 }, () =>
      agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf)),
    ),
  );
  const locations = new Set(starts.map((r) => (assert.equal(r.status, 303), r.headers.location)));
  assert.equal(locations.size, 1, 'every click lands on the same attempt');
  const { Attempts } = models(t.ctx);
  assert.equal(await Attempts.countDocuments({ quizId: quiz._id, userId: user._id }), 1);
  const resume = await agent.get(`/quizzes/${quiz._id}`).expect(200);
  assert.match(resume.text, /Continue your attempt/);
});

test('attempt limits hold: the 4th start of a 3-attempt quiz is a 409 with a clear page', async () => {
  const { user, agent, csrf } = await trainee();
  const quiz = await quizByKey(t.ctx, courseId, 'lesson:03-words-and-images');
  for (let i = 0; i < 3; i++) {
    const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
    assert.equal(start.status, 303);
    const id = start.headers.location!.split('/').pop()!;
    const form = await formFor(t.ctx, id, 'wrong');
    await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(form, csrf)).expect(303);
  }
  const fourth = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  assert.equal(fourth.status, 409);
  assert.match(fourth.text, /You have used all 3 attempts for this quiz/);
  const { Attempts } = models(t.ctx);
  assert.equal(await Attempts.countDocuments({ quizId: quiz._id, userId: user._id }), 3);
});

test('the pre-test allows one attempt only', async () => {
  const { agent, csrf } = await trainee();
  const quiz = await quizByKey(t.ctx, courseId, 'pre');
  const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  const id = start.headers.location!.split('/').pop()!;
  await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode(await formFor(t.ctx, id, 'right'), csrf))
    .expect(303);
  await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf)).expect(409);
});

test("another user's attempt is a 404 everywhere; signed-out users are sent to sign in", async () => {
  const owner = await trainee();
  const other = await trainee();
  const quiz = await quizByKey(t.ctx, courseId, 'lesson:04-protecting-identity');
  const start = await owner.agent
    .post(`/quizzes/${quiz._id}/attempts`)
    .type('form')
    .send(encode({}, owner.csrf));
  const id = start.headers.location!.split('/').pop()!;
  const form = await formFor(t.ctx, id, 'right');
  await other.agent.get(`/quizzes/attempts/${id}`).expect(404);
  await other.agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode(form, other.csrf))
    .expect(404);
  await other.agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode(form, other.csrf))
    .expect(404);
  await owner.agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode(form, owner.csrf))
    .expect(303);
  await other.agent.get(`/quizzes/attempts/${id}/result`).expect(404);
  await owner.agent.get(`/quizzes/attempts/${id}/result`).expect(200);
  await other.agent.get('/quizzes/attempts/not-an-id').expect(404);
  const anon = await request(t.app).get(`/quizzes/attempts/${id}/result`).expect(303);
  assert.match(anon.headers.location!, /\/login\?next=/);
  const { Attempts } = models(t.ctx);
  const stored = await Attempts.findById(id).lean();
  assert.equal(stored!.score, 100);
});

test('a quiz of an unpublished course is a 404', async () => {
  const draft = await importRealCourse(t.ctx, 'draft');
  const quiz = await quizByKey(t.ctx, draft.courseId, 'post');
  const { agent, csrf } = await trainee();
  await agent.get(`/quizzes/${quiz._id}`).expect(404);
  await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf)).expect(404);
});
