import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse } from '../factories';
import { courseModel } from '../../modules/learning/model';
import { importQuizzes } from '../../modules/quizzes';
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

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** A published course of two lessons with the shipped pre- and post-test; `sequence` as given. */
async function courseWithTests(sequence?: { preTest?: string; postTest?: string }) {
  const { course } = await buildCourse(t.ctx);
  await courseModel(t.ctx.db).updateOne(
    { _id: course._id },
    { $set: { hasPreTest: true, hasPostTest: true, ...(sequence ? { sequence } : {}) } },
  );
  await importQuizzes(t.ctx, {
    courseId: course._id,
    courseDir: COURSE_DIR,
    course: readCourse(),
    lessons: [],
  });
  const pre = await quizByKey(t.ctx, course._id, 'pre');
  const post = await quizByKey(t.ctx, course._id, 'post');
  return { slug: course.slug, courseId: course._id, pre, post };
}

const trainee = () => signedInTrainee(t);

type Agent = TraineeAgent;
const start = (agent: Agent, csrf: string, quizId: unknown) =>
  agent
    .post(`/quizzes/${String(quizId)}/attempts`)
    .type('form')
    .send(encode({}, csrf));
async function take(agent: Agent, csrf: string, quizId: unknown) {
  const started = await start(agent, csrf, quizId).expect(303);
  const id = started.headers.location!.split('/').pop()!;
  const form = await formFor(t.ctx, id, 'right');
  await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(form, csrf)).expect(303);
  return id;
}

test('the post-test waits for the lessons; the pre-test comes first and closes once submitted', async () => {
  const c = await courseWithTests();
  const { user, agent, csrf } = await trainee();
  const { Attempts } = models(t.ctx);

  // A new account cannot take the post-test first (before: it could, and scored a "gain").
  const intro = await agent.get(`/quizzes/${c.post._id}`).expect(200);
  assert.match(intro.text, /The post-test opens once you have finished the lessons\. Steps left: 2\./);
  assert.doesNotMatch(intro.text, /action="[^"]*\/attempts"/, 'no start button');
  const refused = await start(agent, csrf, c.post._id).expect(409);
  assert.match(refused.text, /Steps left: 2/);
  assert.equal(await Attempts.countDocuments({ userId: user._id }), 0, 'nothing stored');

  // The course page leads to the pre-test first and says when the post-test opens.
  const outline = await agent.get(`/learn/${c.slug}`).expect(200);
  assert.match(
    outline.text,
    new RegExp(`class="button" href="/quizzes/${c.pre._id}">Continue where you left off`),
  );
  assert.match(outline.text, /it closes once you start reading/);
  assert.match(outline.text, /Opens when you have finished the lessons/);

  // Pre-test taken: it closes and says "Completed", not "Passed".
  await take(agent, csrf, c.pre._id);
  const preIntro = await agent.get(`/quizzes/${c.pre._id}`).expect(200);
  assert.match(preIntro.text, /You have completed the pre-test/);
  assert.match(preIntro.text, /Completed/);
  assert.doesNotMatch(preIntro.text, /Passed|Not passed|Passing score/);
  assert.doesNotMatch(preIntro.text, /action="[^"]*\/attempts"/);
  await start(agent, csrf, c.pre._id).expect(409);

  // One lesson read: one step left. Both read: the post-test opens.
  await agent.get(`/learn/${c.slug}/lesson-1`).expect(200);
  assert.match((await start(agent, csrf, c.post._id).expect(409)).text, /Steps left: 1\./);
  await agent.get(`/learn/${c.slug}/lesson-2`).expect(200);
  await take(agent, csrf, c.post._id);
  assert.equal(await Attempts.countDocuments({ userId: user._id, quizKey: 'post' }), 1);
});

test('reading a lesson first closes the pre-test: it is no baseline any more', async () => {
  const c = await courseWithTests();
  const { user, agent, csrf } = await trainee();
  await agent.get(`/learn/${c.slug}/lesson-1`).expect(200);
  const intro = await agent.get(`/quizzes/${c.pre._id}`).expect(200);
  assert.match(intro.text, /The pre-test is closed: it measures what you knew before the course/);
  await start(agent, csrf, c.pre._id).expect(409);
  assert.equal(await models(t.ctx).Attempts.countDocuments({ userId: user._id }), 0);
  // On the outline the pre-test is closed and no longer counts as a step to do.
  const outline = await agent.get(`/learn/${c.slug}`).expect(200);
  assert.match(outline.text, /Closed: the pre-test is taken before the first lesson/);
  assert.match(outline.text, /1 of 3 steps done/);
});

test('the course sets the rule: pre-test open until the post-test, post-test any time', async () => {
  const c = await courseWithTests({ preTest: 'until-post-test', postTest: 'anytime' });
  const { agent, csrf } = await trainee();
  await agent.get(`/learn/${c.slug}/lesson-1`).expect(200);
  const intro = await agent.get(`/quizzes/${c.pre._id}`).expect(200);
  assert.match(intro.text, /action="[^"]*\/attempts"/, 'still open after a lesson');
  // The post-test may come first here, and then the pre-test closes (before: it stayed open).
  await take(agent, csrf, c.post._id);
  const closed = await agent.get(`/quizzes/${c.pre._id}`).expect(200);
  assert.match(closed.text, /The pre-test is closed/);
  await start(agent, csrf, c.pre._id).expect(409);
});
