import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { importCourses, recordQuizOutcome } from '../../modules/learning';
import { courseModel } from '../../modules/learning/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
  await importCourses(t.ctx, path.resolve(import.meta.dirname, '../../content/courses/tip-reporting'));
});
after(() => t.close());

test('the shipped course: pre-test first, then lessons and their quizzes, post-test last', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const empty = await agent.get('/learn').expect(200);
  assert.match(empty.text, /Courses you can start/);
  assert.match(empty.text, /href="\/learn\/tip-reporting"/);

  const outline = await agent.get('/learn/tip-reporting').expect(200);
  // 1 pre-test + 7 lessons + 7 lesson quizzes + 1 post-test
  assert.match(outline.text, /0 of 16 steps done \(0%\)/);
  const order = [...outline.text.matchAll(/<span class="muted">([^<]+):<\/span>/g)].map((m) => m[1]);
  assert.equal(order[0], 'Pre-test');
  assert.equal(order[1], 'Lesson');
  assert.equal(order[2], 'Lesson quiz');
  assert.equal(order.at(-1), 'Post-test');

  const dash = await agent.get('/learn').expect(200);
  assert.match(dash.text, /Next: Pre-test/);
  assert.match(dash.text, /class="button" href="\/quizzes\/[a-f0-9]{24}"/);

  const course = await courseModel(t.ctx.db).findOne({ slug: 'tip-reporting' }).lean();
  await recordQuizOutcome(t.ctx, { userId: user._id, courseId: course!._id, quizKey: 'pre', passed: true });
  const next = await agent.get('/learn').expect(200);
  assert.match(next.text, /1 of 16 steps done/);
  assert.match(next.text, /Next: Lesson — What trafficking in persons is/);

  const lesson = await agent.get('/learn/tip-reporting/01-what-is-trafficking').expect(200);
  assert.match(lesson.text, /Why the definition matters/);
  assert.match(lesson.text, /Take the lesson quiz/);
  const quiz = await agent.get('/learn/tip-reporting/01-what-is-trafficking/quiz').expect(303);
  assert.match(quiz.headers.location!, /^\/quizzes\/[a-f0-9]{24}$/);
});

test('the Mongolian lesson shows the review notice and a table from the comparison block', async () => {
  const user = await buildUser(t.ctx, { locale: 'mn' });
  const agent = await signIn(t.app, user);
  const page = await agent.get('/learn/tip-reporting/02-smuggling-vs-trafficking').expect(200);
  assert.match(page.text, /<html lang="mn">/);
  assert.match(page.text, /хяналт хүлээж буй ноорог/);
  assert.match(page.text, /<div class="table-wrap" tabindex="0" role="region" aria-label="[^"]+"><table>/);
  assert.match(page.text, /<th scope="col">/);
});

test('a pre-test taken with any score is a step done; a failed lesson quiz is not (dashboard and outline agree)', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  await agent.get('/learn/tip-reporting').expect(200);
  const course = await courseModel(t.ctx.db).findOne({ slug: 'tip-reporting' }).lean();
  const outcome = { userId: user._id, courseId: course!._id, passed: false };
  await recordQuizOutcome(t.ctx, { ...outcome, quizKey: 'pre' });
  await recordQuizOutcome(t.ctx, { ...outcome, quizKey: 'lesson:01-what-is-trafficking' });
  const dash = await agent.get('/learn').expect(200);
  assert.match(dash.text, /1 of 16 steps done/);
  assert.match(dash.text, /Next: Lesson — What trafficking in persons is/);
  const outline = await agent.get('/learn/tip-reporting').expect(200);
  assert.match(outline.text, /1 of 16 steps done/);
});
