import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { startAttempt } from '../../modules/quizzes/service';
import { importRealCourse, models } from './support';

let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp();
  ({ courseId } = await importRealCourse(t.ctx));
});
after(() => t.close());

test('a lesson quiz drawn from a pool covers each of its objectives in every attempt (40 draws each)', async () => {
  const { Questions, Quizzes } = models(t.ctx);
  const objectiveOf = new Map((await Questions.find({ courseId }).lean()).map((q) => [q.qid, q.objective]));
  const pooled = (await Quizzes.find({ courseId, kind: 'lesson' }).lean()).filter(
    (q) => q.draw < q.questionIds.length,
  );
  assert.ok(pooled.length > 0, 'the shipped course has pooled lesson quizzes');
  for (const quiz of pooled) {
    const objectives = new Set(quiz.questionIds.map((id) => objectiveOf.get(id)));
    const expected = Math.min(objectives.size, quiz.draw);
    for (let i = 0; i < 40; i++) {
      const user = await buildUser(t.ctx);
      const attempt = await startAttempt(t.ctx, String(user._id), String(quiz._id));
      const covered = new Set(attempt.items.map((it) => it.objective));
      assert.equal(attempt.items.length, quiz.draw);
      // Before: a plain random draw left an objective out of about 1 in 6 attempts at lesson 3.
      assert.equal(covered.size, expected, `${quiz.key} draw ${i} covers ${[...covered].join(', ')}`);
    }
  }
});
