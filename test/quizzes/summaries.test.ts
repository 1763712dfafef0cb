import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { closeExpiredAttempts, quizSummariesForCourse } from '../../modules/quizzes';
import { startAttempt, saveAnswers } from '../../modules/quizzes/service';
import { answersFromForm } from '../../modules/quizzes/answers';
import { encode, formFor, importRealCourse, models, quizByKey } from './support';

const clock = fixedClock(new Date('2026-04-01T01:00:00Z'));
let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp({ clock });
  ({ courseId } = await importRealCourse(t.ctx, 'published', { timeLimitMinutes: 30 }));
});
after(() => t.close());

test('quiz summaries list every quiz with attempts used and the best score', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const quiz = await quizByKey(t.ctx, courseId, 'lesson:01-what-is-trafficking');
  for (const mode of ['wrong', 'right', 'wrong'] as const) {
    const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
    const id = start.headers.location!.split('/').pop()!;
    await agent
      .post(`/quizzes/attempts/${id}/submit`)
      .type('form')
      .send(encode(await formFor(t.ctx, id, mode), csrf))
      .expect(303);
  }
  const rows = await quizSummariesForCourse(t.ctx, courseId, user._id);
  assert.equal(rows.length, 9);
  assert.equal(rows[0]!.key, 'pre');
  assert.equal(rows.at(-1)!.key, 'post');
  const lesson = rows.find((r) => r.key === quiz.key)!;
  assert.equal(lesson.quizId, String(quiz._id));
  assert.equal(lesson.attemptsUsed, 3);
  assert.equal(lesson.maxAttempts, 3);
  assert.deepEqual(lesson.best, { score: 100, passed: true });
  assert.equal(rows.find((r) => r.key === 'pre')!.best, undefined);
  const anonymous = await quizSummariesForCourse(t.ctx, String(courseId));
  assert.ok(anonymous.every((r) => r.attemptsUsed === 0));
});

test('the job grades attempts left open past their deadline with what was saved', async () => {
  const user = await buildUser(t.ctx);
  const quiz = await quizByKey(t.ctx, courseId, 'post');
  const attempt = await startAttempt(t.ctx, String(user._id), String(quiz._id));
  const form = await formFor(t.ctx, attempt._id, 'right');
  await saveAnswers(t.ctx, String(user._id), String(attempt._id), answersFromForm(attempt, form));
  clock.advance(30 * 60_000);
  assert.equal(await closeExpiredAttempts(t.ctx), 0, 'still within grace');
  clock.advance(31_000);
  assert.equal(await closeExpiredAttempts(t.ctx), 1);
  const { Attempts } = models(t.ctx);
  const graded = await Attempts.findById(attempt._id).lean();
  assert.equal(graded!.status, 'submitted');
  assert.equal(graded!.score, 100);
  assert.equal(await closeExpiredAttempts(t.ctx), 0);
});

test('the result of an open attempt sends its owner back to the sheet', async () => {
  clock.set(new Date()); // staff sign-in checks a real-time TOTP code
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const quiz = await quizByKey(t.ctx, courseId, 'lesson:02-smuggling-vs-trafficking');
  const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  const id = start.headers.location!.split('/').pop()!;
  const res = await agent.get(`/quizzes/attempts/${id}/result`).expect(303);
  assert.match(res.headers.location!, new RegExp(`/quizzes/attempts/${id}$`));
  const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
  await trainer.get(`/quizzes/attempts/${id}/result`).expect(404);
});
