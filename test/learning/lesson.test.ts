import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, signIn, tokenFor } from '../factories';
import { enrolmentModel } from '../../modules/learning/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const hostile = [
  '## Safe heading',
  '',
  'Before <script>alert("x")</script> after. <img src=x onerror=alert(1)>',
  '',
  '[click me](javascript:alert(1)) and [ok](https://www.iom.int/) and [bad](JaVa\tScRiPt:alert(2))',
  '',
  '<div onclick="alert(3)">raw block</div>',
].join('\n');

test('a lesson renders in English and Mongolian with lang attributes and inert markdown', async () => {
  const { course } = await buildCourse(t.ctx, {
    lessons: [{ blocks: [{ en: hostile, mn: '## Гарчиг\n\nМонгол **тод** бичвэр' }] }, {}],
  });
  const user = await buildUser(t.ctx, { locale: 'en' });
  const agent = await signIn(t.app, user);
  const en = await agent.get(`/learn/${course.slug}/lesson-1`).expect(200);
  assert.match(en.text, /<html lang="en">/);
  assert.match(en.text, /<article lang="en">/);
  assert.match(en.text, /<h2>Safe heading<\/h2>/);
  assert.doesNotMatch(en.text, /<script>alert/);
  assert.doesNotMatch(en.text, /<img src=x/);
  assert.doesNotMatch(en.text, /<div onclick/);
  assert.doesNotMatch(en.text, /href="javascript:/i);
  assert.doesNotMatch(en.text, /href="java\s*script:/i);
  assert.match(en.text, /&lt;script&gt;/);
  assert.match(en.text, /<a href="https:\/\/www.iom.int\/" rel="noopener noreferrer">ok<\/a>/);
  assert.match(en.text, /<span>click me<\/span>/);
  // Link to the same lesson (and the same block) in Mongolian.
  assert.match(en.text, new RegExp(`href="/learn/${course.slug}/lesson-1\\?lang=mn#block-b1"`));
  assert.match(en.text, /rel="next" href="\/learn\/[^"]+\/lesson-2"/);
  assert.doesNotMatch(en.text, /native-speaking trainer/);

  const mn = await agent.get(`/learn/${course.slug}/lesson-1?lang=mn`).expect(200);
  assert.match(mn.text, /<article lang="mn">/);
  assert.match(mn.text, /<section class="block block-markdown" id="block-b1" lang="mn">/);
  assert.match(mn.text, /<strong>тод<\/strong>/);
  assert.match(mn.text, /Mongolian text is a draft awaiting review/);
  assert.match(mn.text, /lang="en" hreflang="en">Read this lesson in English/);
});

test('the page is in Mongolian for a Mongolian-speaking reader', async () => {
  const { course } = await buildCourse(t.ctx, { mnDraft: false });
  const user = await buildUser(t.ctx, { locale: 'mn' });
  const agent = await signIn(t.app, user);
  const page = await agent.get(`/learn/${course.slug}/lesson-1`).expect(200);
  assert.match(page.text, /<html lang="mn">/);
  assert.match(page.text, /Монгол бичвэр 1/);
  assert.doesNotMatch(page.text, /English text 1/);
  assert.doesNotMatch(page.text, /хяналт хүлээж буй ноорог/);
});

test('viewing records progress once per version, and the dashboard shows it as text', async () => {
  const { course, lessons } = await buildCourse(t.ctx);
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const home = await agent.get('/').expect(303);
  assert.match(home.headers.location!, /\/learn$/);
  const outline = await agent.get(`/learn/${course.slug}`).expect(200);
  assert.match(outline.text, /0 of 2 steps done \(0%\)/);
  let enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.equal(enrolment!.status, 'enrolled');

  await agent.get(`/learn/${course.slug}/lesson-1`).expect(200);
  await agent.get(`/learn/${course.slug}/lesson-1`).expect(200);
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.equal(enrolment!.status, 'in_progress');
  assert.equal(enrolment!.lessonsViewed.length, 1);
  assert.equal(String(enrolment!.lessonsViewed[0]!.lessonId), String(lessons[0]!._id));
  assert.equal(enrolment!.lessonsViewed[0]!.version, 1);

  const dash = await agent.get('/learn').expect(200);
  assert.match(dash.text, /1 of 2 steps done \(50%\)/);
  assert.match(dash.text, /<progress max="2" value="1"/);
  assert.match(dash.text, /Next: Lesson — Lesson 2/);

  const token = await tokenFor(agent, '/learn');
  await agent.post(`/learn/${course.slug}/lesson-2/viewed`).type('form').send({ _csrf: token }).expect(303);
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.equal(enrolment!.lessonsViewed.length, 2);
  assert.ok(enrolment!.completedAt, 'all lessons read and no quizzes: complete');
});

test('unknown course or lesson is a 404; signed-out readers go to the login page', async () => {
  const { course } = await buildCourse(t.ctx);
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  await agent.get('/learn/no-such-course').expect(404);
  await agent.get(`/learn/${course.slug}/no-such-lesson`).expect(404);
  await agent.get(`/learn/${course.slug}/Bad%20Slug`).expect(404);
  const { default: request } = await import('supertest');
  const anon = await request(t.app).get(`/learn/${course.slug}`).expect(303);
  assert.match(anon.headers.location!, /\/login\?next=/);
});
