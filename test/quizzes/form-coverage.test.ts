import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { importQuizzes } from '../../modules/quizzes';
import { formCoverageProblems } from '../../modules/quizzes/form-coverage';
import { COURSE_DIR, models, readCourse, readLessons, type CourseYaml } from './support';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** Imports the shipped bank with a changed course.yaml into a fresh course id. */
function importEdited(edit: (course: CourseYaml) => void) {
  const course = readCourse();
  edit(course);
  const courseId = new Types.ObjectId();
  return {
    courseId,
    run: () => importQuizzes(t.ctx, { courseId, courseDir: COURSE_DIR, course, lessons: readLessons() }),
  };
}

test('the shipped course passes: every form measures every objective with at least two questions', async () => {
  const { courseId, run } = importEdited(() => {});
  await run();
  const { Quizzes } = models(t.ctx);
  const pre = await Quizzes.findOne({ courseId, key: 'pre' }).lean();
  assert.deepEqual(
    pre?.forms?.map((f) => f.id),
    ['A', 'B'],
  );
});

test('a form with one question of an objective is refused, naming the form and the objective; nothing is written', async () => {
  // Form B keeps only one of its two referral questions (rf-02 goes).
  const { courseId, run } = importEdited((c) => {
    c.postTest.questions = c.postTest.questions.filter((id) => id !== 'rf-02');
  });
  await assert.rejects(run(), (err: Error) => {
    assert.match(
      err.message,
      /form B \(pre-test and post-test\): objective "referral" is measured by 1 \(rf-07\)/,
    );
    assert.match(err.message, /at least 2 questions per objective/);
    assert.doesNotMatch(err.message, /form A/, 'form A is complete');
    return true;
  });
  const { Questions, Quizzes } = models(t.ctx);
  assert.equal(await Questions.countDocuments({ courseId }), 0, 'no question written');
  assert.equal(await Quizzes.countDocuments({ courseId }), 0, 'no quiz written');
});

test('a form missing an objective altogether is refused too, and every shortfall is listed', async () => {
  const { run } = importEdited((c) => {
    c.preTest.questions = c.preTest.questions.filter((id) => !/^(cf|mc)-/.test(id));
    c.postTest.questions = c.postTest.questions.filter((id) => !/^(cf|mc)-/.test(id));
  });
  await assert.rejects(run(), (err: Error) => {
    for (const form of ['A', 'B'])
      for (const objective of ['mongolia-context', 'campaign-framing'])
        assert.match(
          err.message,
          new RegExp(
            `form ${form} \\(pre-test and post-test\\): objective "${objective}" is measured by no question`,
          ),
        );
    return true;
  });
});

test('without parallel forms, each test is its own form and is held to the same floor', async () => {
  const { run } = importEdited((c) => {
    delete c.parallelForms;
    c.preTest.questions = c.preTest.questions.filter((id) => id !== 'td-05');
  });
  await assert.rejects(run(), /form pre \(pre-test\): objective "tip-definition" is measured by 1 \(td-01\)/);
});

test('formCoverageProblems: a shared form is checked once; a form at the floor passes', () => {
  const objectiveOf = new Map([
    ['a1', 'x'],
    ['a2', 'x'],
    ['b1', 'y'],
  ]);
  const shared = { id: 'A', questionIds: ['a1', 'a2', 'b1'] };
  const problems = formCoverageProblems(
    [
      { kind: 'pre', forms: [shared] },
      { kind: 'post', forms: [shared] },
    ],
    objectiveOf,
    ['x', 'y'],
  );
  assert.deepEqual(problems, [
    'form A (pre-test and post-test): objective "y" is measured by 1 (b1); every form needs at least 2 questions per objective',
  ]);
  assert.deepEqual(formCoverageProblems([{ kind: 'pre', forms: [shared] }], objectiveOf, ['x']), []);
});
