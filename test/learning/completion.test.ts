import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser } from '../factories';
import { recordQuizOutcome } from '../../modules/learning';
import { enrolmentModel } from '../../modules/learning/model';
import { outboxModel } from '../../modules/notifications/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('20 parallel quiz outcomes complete the course exactly once', async () => {
  const { course, lessons } = await buildCourse(t.ctx, {
    lessons: [{ slug: 'one', hasQuiz: true }],
    hasPostTest: true,
  });
  const user = await buildUser(t.ctx);
  await enrolmentModel(t.ctx.db).create({
    userId: user._id,
    courseId: course._id,
    status: 'in_progress',
    enrolledAt: new Date(),
    lessonsViewed: [{ lessonId: lessons[0]!._id, version: 1, at: new Date() }],
    viewedKeys: [`${String(lessons[0]!._id)}:1`],
    quizzesPassed: ['lesson:one'],
  });
  // A failed attempt changes nothing.
  await recordQuizOutcome(t.ctx, { userId: user._id, courseId: course._id, quizKey: 'post', passed: false });
  let enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.equal(enrolment!.completedAt, undefined);

  await Promise.all(
    Array.from({ length: 20 }, () =>
      recordQuizOutcome(t.ctx, { userId: user._id, courseId: course._id, quizKey: 'post', passed: true }),
    ),
  );
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.ok(enrolment!.completedAt);
  assert.equal(enrolment!.status, 'completed');
  assert.deepEqual([...enrolment!.quizzesPassed].sort(), ['lesson:one', 'post']);
  const mails = await outboxModel(t.ctx.db)
    .find({ template: 'learning/course-completed', to: user.email })
    .lean();
  assert.equal(mails.length, 1);
  assert.match(mails[0]!.subject, /You completed/);
  assert.equal(await enrolmentModel(t.ctx.db).countDocuments({ userId: user._id }), 1);
  // The certificates module issues exactly one certificate for the completion.
  assert.equal(await t.ctx.db.collection('certificates').countDocuments({ userId: user._id }), 1);

  const first = enrolment!.completedAt!.getTime();
  await recordQuizOutcome(t.ctx, { userId: user._id, courseId: course._id, quizKey: 'post', passed: true });
  enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.equal(enrolment!.completedAt!.getTime(), first);
});

test('a quiz outcome for someone not yet enrolled enrols them; hasCompletedCourse follows', async () => {
  const { hasCompletedCourse } = await import('../../modules/learning');
  const { course } = await buildCourse(t.ctx, {
    lessons: [{ slug: 'only' }],
    completionRules: { lessons: false, lessonQuizzes: false, postTest: true },
    hasPostTest: true,
  });
  const user = await buildUser(t.ctx);
  assert.equal(await hasCompletedCourse(t.ctx, user._id, course.slug), false);
  await recordQuizOutcome(t.ctx, { userId: user._id, courseId: course._id, quizKey: 'pre', passed: true });
  const enrolment = await enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();
  assert.equal(enrolment!.status, 'in_progress');
  await recordQuizOutcome(t.ctx, {
    userId: String(user._id),
    courseId: String(course._id),
    quizKey: 'post',
    passed: true,
  });
  assert.equal(await hasCompletedCourse(t.ctx, user._id, course.slug), true);
});
