/**
 * "Download my data" holds what every module keeps about the person (not only the profile), and
 * never more than they may see: an unreleased grant decision stays out of it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, signIn } from '../factories';
import { importCourses } from '../../modules/learning';
import { quizSummariesForCourse } from '../../modules/quizzes';
import { startAttempt, submitAttempt } from '../../modules/quizzes/service';
import { callModel, pitchModel } from '../../modules/grants/model';

let t: TestApp;
let courseId: string;
before(async () => {
  t = await buildTestApp();
  const [imported] = await importCourses(t.ctx);
  courseId = String(imported!.courseId);
});
after(() => t.close());

test('the export holds enrolments, reading, quiz answers and pitches; a decision only once released', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  await agent.get('/learn/tip-reporting/01-what-is-trafficking').expect(200);
  const quiz = (await quizSummariesForCourse(t.ctx, courseId)).find((q) => q.key.startsWith('lesson:'))!;
  const attempt = await startAttempt(t.ctx, String(user._id), quiz.quizId);
  const item = attempt.items.find((i) => i.type === 'single' || i.type === 'true-false')!;
  const firstQid = item.qid;
  const chosen = [item.optionOrder[0]!];
  await submitAttempt(t.ctx, attempt, { [firstQid]: chosen });

  const call = await buildCall(t.ctx, {}, { closed: true });
  await pitchModel(t.ctx.db).create({
    callId: call._id,
    applicantId: user._id,
    slot: 0,
    status: 'funded',
    title: 'Jobs abroad that were not',
    angle: 'Recruiters on social media',
    audience: 'Young people 18–27',
    outlet: 'Zuunii Medee',
    format: 'article',
    themes: ['tip'],
    ethicsPlan: 'Consent first',
    budgetLines: [],
    budgetTotal: 1000,
    timeline: 'Two months',
    fileIds: [],
    submittedAt: new Date('2026-01-20T00:00:00Z'),
    reference: 'DU26-0001',
    decision: {
      outcome: 'funded',
      amount: 1000,
      decidedAt: new Date('2026-02-10T00:00:00Z'),
      decidedBy: new Types.ObjectId(),
    },
  });

  const before = JSON.parse((await agent.get('/account/export').expect(200)).text);
  const enrolment = before.learning.find((e: { courseId: string }) => e.courseId === courseId);
  assert.ok(enrolment, 'the enrolment');
  assert.ok(enrolment.lessonsRead.length >= 1, 'the lesson read');
  const exported = before.quizAttempts.find((a: { quiz: string }) => a.quiz === quiz.key);
  assert.equal(exported.status, 'submitted');
  assert.deepEqual(exported.answers[firstQid], chosen, 'what they answered');
  const [pitch] = before.pitches;
  assert.equal(pitch.title, 'Jobs abroad that were not');
  assert.equal(pitch.status, 'under_review', 'the decision is not out yet');
  assert.equal(pitch.decision, null);
  assert.doesNotMatch(JSON.stringify(before.pitches), /funded|decidedBy/);
  assert.deepEqual(before.certificates, []);

  await callModel(t.ctx.db).updateOne({ _id: call._id }, { $set: { decisionsReleasedAt: new Date() } });
  const afterRelease = JSON.parse((await agent.get('/account/export').expect(200)).text);
  assert.equal(afterRelease.pitches[0].status, 'funded');
  assert.equal(afterRelease.pitches[0].decision.amount, 1000);
  assert.doesNotMatch(JSON.stringify(afterRelease), /decidedBy/);

  // Someone else's data is never in it.
  const other = await buildUser(t.ctx);
  const theirs = JSON.parse((await (await signIn(t.app, other)).get('/account/export').expect(200)).text);
  assert.deepEqual(theirs.pitches, []);
  assert.deepEqual(theirs.quizAttempts, []);
});
