import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { importCourses } from '../../modules/learning';
import { courseModel } from '../../modules/learning/model';
import { startAttempt } from '../../modules/quizzes/service';
import type { Quiz } from '../../modules/quizzes/model';
import {
  COURSE_DIR,
  encode,
  formFor,
  models,
  quizByKey,
  readCourse,
  signedInTrainee,
  type TraineeAgent,
} from './support';

/** Items per form of the shipped pre- and post-test (two per objective). */
const FORM_LENGTH = readCourse().preTest.questions.length;

/**
 * The shipped course with its parallel forms (course.yaml: parallelForms). The post-test is opened
 * at any time here (sequence.postTest: anytime) so a trainee can reach it without all 14 lesson steps.
 */
let t: TestApp;
let pre: Quiz;
let post: Quiz;
before(async () => {
  t = await buildTestApp();
  const [imported] = await importCourses(t.ctx, COURSE_DIR);
  await courseModel(t.ctx.db).updateOne(
    { _id: imported!.courseId },
    { $set: { sequence: { preTest: 'before-lessons', postTest: 'anytime' } } },
  );
  pre = await quizByKey(t.ctx, imported!.courseId, 'pre');
  post = await quizByKey(t.ctx, imported!.courseId, 'post');
});
after(() => t.close());

const trainee = () => signedInTrainee(t);
type Agent = TraineeAgent;

async function take(agent: Agent, csrf: string, quiz: Quiz, mode: 'right' | 'wrong') {
  const started = await agent
    .post(`/quizzes/${String(quiz._id)}/attempts`)
    .type('form')
    .send(encode({}, csrf))
    .expect(303);
  const id = started.headers.location!.split('/').pop()!;
  const form = await formFor(t.ctx, id, mode);
  await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(form, csrf)).expect(303);
  const attempt = (await models(t.ctx).Attempts.findById(id).lean())!;
  return { id, attempt, page: (await agent.get(`/quizzes/attempts/${id}/result`).expect(200)).text };
}

const qids = (a: { items: Array<{ qid: string }> }) => a.items.map((i) => i.qid).sort();

test('a failed post-test shows the objectives to revisit, not the key; the retake takes the other form', async () => {
  assert.deepEqual(
    post.forms?.map((f) => f.id),
    ['A', 'B'],
  );
  const { agent, csrf } = await trainee();
  const before = await take(agent, csrf, pre, 'right');
  assert.ok(before.attempt.form, 'the pre-test took a form');
  // The pre-test says "Completed" and shows results by objective, without the key.
  assert.match(before.page, /Completed/);
  assert.match(before.page, /Your results by objective/);
  assert.doesNotMatch(before.page, /Correct answer|Correct order|class="feedback"/);

  const first = await take(agent, csrf, post, 'wrong');
  assert.notEqual(first.attempt.form, before.attempt.form, 'the post-test takes the other form');
  assert.equal(first.attempt.passed, false);
  // Before: every question with the chosen answer, the right answer and the explanation.
  assert.doesNotMatch(first.page, /Correct answer|Correct order|Your answer|class="feedback"|Explanation/);
  assert.match(first.page, /Objectives to revisit/);
  assert.match(
    first.page,
    /Define trafficking in persons as act \+ means \+ purpose/,
    'objective labels, not ids',
  );
  assert.match(first.page, /right: 0 of 2/);
  assert.match(first.page, /Revisit:\s*<a href="\/learn\/tip-reporting\/01-what-is-trafficking">/);
  assert.match(first.page, /Attempts left: 2\. The next attempt has different questions\./);
  // "Continue" leads on to the first step not done (here: the first lesson), not back to the key.
  assert.match(first.page, /class="button" href="\/learn\/tip-reporting\/01-what-is-trafficking">Continue/);

  // Before: the same 11 questions again.
  const retake = await take(agent, csrf, post, 'right');
  assert.notEqual(retake.attempt.form, first.attempt.form);
  const overlap = qids(retake.attempt).filter((q) => qids(first.attempt).includes(q));
  assert.deepEqual(overlap, [], 'no question of the failed attempt comes back');
  // Passed: now the full feedback.
  assert.equal(retake.attempt.passed, true);
  assert.match(retake.page, /Correct answer|Correct order/);
});

test('parallel forms are counterbalanced: half the trainees take each form first, then the other', async () => {
  const n = 12;
  const forms: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) {
    const user = await buildUser(t.ctx);
    const a = await startAttempt(t.ctx, String(user._id), String(pre._id));
    const b = await startAttempt(t.ctx, String(user._id), String(post._id));
    forms.push([a.form!, b.form!]);
    assert.equal(qids(a).length, FORM_LENGTH);
  }
  assert.ok(
    forms.every(([a, b]) => a !== b),
    'each trainee gets one form before and the other after',
  );
  // Balanced across everyone who took the pre-test in this course (the other test's trainee too).
  const { Attempts } = models(t.ctx);
  const [a, b] = await Promise.all(
    ['A', 'B'].map((form) => Attempts.countDocuments({ quizId: pre._id, attemptNo: 1, form })),
  );
  assert.ok(a! + b! >= n && Math.abs(a! - b!) <= 1, `balanced: ${a} took form A first, ${b} form B`);
  const firstA = forms.filter(([x]) => x === 'A').length;
  assert.ok(firstA >= n / 2 - 1 && firstA <= n / 2 + 1, `${firstA} of ${n}`);
});
