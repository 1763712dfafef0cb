import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { importQuizzes, loadQuestionBank } from '../../modules/quizzes';
import { questionsOfCourse } from '../../modules/quizzes/definitions';
import { COURSE_DIR, importRealCourse, models, quizByKey, readCourse, readLessons } from './support';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('the real question bank imports: ≥60 questions, every objective, all six types', async () => {
  const { courseId } = await importRealCourse(t.ctx);
  const { Questions } = models(t.ctx);
  const questions = await Questions.find({ courseId }).lean();
  assert.ok(questions.length >= 60, `only ${questions.length} questions`);
  const objectives = readCourse().objectives.map((o) => o.id);
  for (const o of objectives)
    assert.ok(
      questions.some((q) => q.objective === o),
      `no question for ${o}`,
    );
  const types = new Set(questions.map((q) => q.type));
  assert.deepEqual([...types].sort(), ['case', 'multiple', 'ordering', 'single', 'spot-harm', 'true-false']);
  for (const q of questions) {
    assert.ok(q.stem.en && q.stem.mn);
    for (const o of q.options) assert.ok(o.text.en && o.text.mn && o.feedback.en && o.feedback.mn);
  }
});

test('pre-test and post-test cover every objective, are disjoint, and have the fixed settings (no timer unless set)', async () => {
  const { courseId } = await importRealCourse(t.ctx);
  const { Questions } = models(t.ctx);
  const pre = await quizByKey(t.ctx, courseId, 'pre');
  const post = await quizByKey(t.ctx, courseId, 'post');
  const objectiveOf = new Map(
    (await Questions.find({ courseId }).lean()).map((q) => [q.qid, q.objective] as const),
  );
  const objectives = readCourse().objectives.map((o) => o.id);
  for (const quiz of [pre, post]) {
    const covered = new Set(quiz.questionIds.map((id) => objectiveOf.get(id)));
    for (const o of objectives) assert.ok(covered.has(o), `${quiz.key} misses ${o}`);
    assert.equal(quiz.draw, quiz.questionIds.length);
    assert.equal(quiz.timeLimitMinutes, undefined, 'no timer unless the course sets one');
    assert.equal(quiz.feedbackMode, 'after-submit');
  }
  assert.deepEqual(
    pre.questionIds.filter((id) => post.questionIds.includes(id)),
    [],
  );
  assert.equal(pre.maxAttempts, 1);
  assert.equal(post.maxAttempts, 3);
  assert.equal(post.passingScore, 70);
  const lesson = await quizByKey(t.ctx, courseId, 'lesson:01-what-is-trafficking');
  assert.equal(lesson.kind, 'lesson');
  assert.equal(lesson.draw, 5);
  assert.equal(lesson.maxAttempts, 3);
  assert.equal(lesson.timeLimitMinutes, undefined);
  assert.equal(lesson.title.en, 'What trafficking in persons is — the legal test');
});

test('importing twice changes nothing; a changed question gets a new version', async () => {
  const { courseId, lessons } = await importRealCourse(t.ctx);
  const { Questions, Quizzes } = models(t.ctx);
  const before = await Questions.find({ courseId }).lean();
  await importQuizzes(t.ctx, { courseId, courseDir: COURSE_DIR, course: readCourse(), lessons });
  assert.equal(await Questions.countDocuments({ courseId }), before.length);
  assert.equal(await Quizzes.countDocuments({ courseId }), 2 + lessons.filter((l) => l.quiz).length);
  assert.ok((await Questions.find({ courseId }).lean()).every((q) => q.version === 1));

  const dir = mkdtempSync(path.join(os.tmpdir(), 'quiz-bank-'));
  try {
    cpSync(COURSE_DIR, dir, { recursive: true });
    const cached = await questionsOfCourse(t.ctx, courseId); // what pages and grading read
    const file = path.join(dir, 'questions', 'tip-definition.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+en: ")/m, '$1Edited: '));
    await importQuizzes(t.ctx, { courseId, courseDir: dir, course: readCourse(), lessons });
    const versions = (await Questions.find({ courseId }).lean()).filter((q) => q.version === 2);
    assert.equal(versions.length, 1);
    assert.match(versions[0]!.stem.en, /^Edited: /);
    const reread = await questionsOfCourse(t.ctx, courseId);
    assert.notEqual(reread, cached, 'the import dropped the cached questions');
    assert.match(reread.get(versions[0]!.qid)!.stem.en, /^Edited: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function bankWith(edit: (yaml: string) => string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quiz-bank-'));
  cpSync(COURSE_DIR, dir, { recursive: true });
  const file = path.join(dir, 'questions', 'campaign-framing.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return dir;
}

test('a question with a missing Mongolian text is refused, naming the file and the question', async () => {
  const dir = bankWith((y) => y.replace(/(- id: cf-01[\s\S]*?stem:\n\s+en: .*\n)\s+mn: .*\n/, '$1'));
  try {
    const { Questions } = models(t.ctx);
    const courseId = new Types.ObjectId();
    await assert.rejects(
      importQuizzes(t.ctx, { courseId, courseDir: dir, course: readCourse(), lessons: readLessons() }),
      (err: Error) => /campaign-framing\.yaml: question cf-01: stem\.mn/.test(err.message),
    );
    assert.equal(await Questions.countDocuments({ courseId }), 0, 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('type rules: a single-choice question with two correct options is refused', async () => {
  const dir = bankWith((y) => y.replace(/(- id: cf-01[\s\S]*?- id: b\n.*\n\s+correct: )false/, '$1true'));
  try {
    assert.throws(
      () =>
        loadQuestionBank(
          dir,
          readCourse().objectives.map((o) => o.id),
        ),
      /campaign-framing\.yaml: question cf-01: options: exactly one correct option needed, found 2/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('type rules: a case without a correct element, and an unknown objective, are refused', async () => {
  const objectives = readCourse().objectives.map((o) => o.id);
  const noElement = mkdtempSync(path.join(os.tmpdir(), 'quiz-bank-'));
  try {
    cpSync(COURSE_DIR, noElement, { recursive: true });
    const file = path.join(noElement, 'questions', 'tip-vs-smuggling.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /(- id: tvs-01[\s\S]*?elements:\n.*\n.*\n\s+correct: )true/,
        '$1false',
      ),
    );
    assert.throws(
      () => loadQuestionBank(noElement, objectives),
      /tip-vs-smuggling\.yaml: question tvs-01: elements: exactly one correct element needed/,
    );
  } finally {
    rmSync(noElement, { recursive: true, force: true });
  }
  const badObjective = bankWith((y) => y.replace('objective: campaign-framing', 'objective: nowhere'));
  try {
    assert.throws(() => loadQuestionBank(badObjective, objectives), /question cf-01: objective: "nowhere"/);
  } finally {
    rmSync(badObjective, { recursive: true, force: true });
  }
});
