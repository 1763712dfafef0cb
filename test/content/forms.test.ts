import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QuestionFile } from '../../modules/quizzes/import';
import { readCourses } from './support';

/**
 * The shipped pre- and post-test as measurement (issue "Course content v2", item 2): two parallel forms
 * that each measure every objective with at least two items, matched item by item; the topics the
 * content review found unmeasured on both forms; no test item practised in a lesson quiz; lesson pools
 * whose stratified draw reaches every objective of the lesson.
 */
const course = readCourses().find((c) => c.slug === 'tip-reporting')!;
const raw = course.raw as unknown as {
  parallelForms?: boolean;
  preTest: { questions: string[] };
  postTest: { questions: string[] };
};
const byId = new Map(course.questions.map((q) => [q.id, q]));
const forms = { A: raw.preTest.questions, B: raw.postTest.questions };
const items = (ids: string[]) => ids.map((id) => byId.get(id)!);
const objectives = course.raw.objectives.map((o) => o.id);
const key = (q: QuestionFile) => q.options.find((o) => o.correct)?.id;
const elementKey = (q: QuestionFile) => q.elements?.find((e) => e.correct)?.id;

test('the shipped course has two parallel forms whose ids all exist', () => {
  assert.equal(raw.parallelForms, true);
  for (const [name, ids] of Object.entries(forms)) {
    assert.deepEqual(
      ids.filter((id) => !byId.has(id)),
      [],
      `form ${name}: unknown ids`,
    );
    assert.equal(new Set(ids).size, ids.length, `form ${name}: an item is listed twice`);
  }
  assert.deepEqual(
    forms.A.filter((id) => forms.B.includes(id)),
    [],
    'the forms share no item',
  );
});

test('every form measures every objective with at least two items', () => {
  for (const [name, ids] of Object.entries(forms))
    for (const objective of objectives) {
      const n = items(ids).filter((q) => q.objective === objective).length;
      assert.ok(n >= 2, `form ${name}: ${objective} has ${n} item(s)`);
    }
});

test('the forms are matched item by item: same objective and same format in the same place', () => {
  assert.equal(forms.A.length, forms.B.length);
  forms.A.forEach((a, i) => {
    const [qa, qb] = [byId.get(a)!, byId.get(forms.B[i]!)!];
    assert.equal(qa.objective, qb.objective, `${qa.id} ↔ ${qb.id}: objective`);
    assert.equal(qa.type, qb.type, `${qa.id} ↔ ${qb.id}: format`);
    assert.equal(qa.options.length, qb.options.length, `${qa.id} ↔ ${qb.id}: number of options`);
    if (qa.type === 'case') {
      assert.equal(key(qa), key(qb), `${qa.id} ↔ ${qb.id}: same classification tested`);
      assert.equal(elementKey(qa), elementKey(qb), `${qa.id} ↔ ${qb.id}: same element tested`);
    }
    if (qa.type === 'multiple' || qa.type === 'spot-harm') {
      const correct = (q: QuestionFile) => q.options.filter((o) => o.correct).length;
      // Similar difficulty: at most one keyed option more or fewer.
      assert.ok(Math.abs(correct(qa) - correct(qb)) <= 1, `${qa.id} ↔ ${qb.id}: number of correct options`);
    }
  });
});

const age = (q: QuestionFile) => Number(/(\d+)-year-old/.exec(q.case?.en ?? q.excerpt?.en ?? '')?.[1] ?? NaN);

test('each form measures the topics the review found unmeasured, with legally right keys', () => {
  for (const [name, ids] of Object.entries(forms)) {
    const qs = items(ids);
    const cases = qs.filter((q) => q.type === 'case');
    // The child rule: a case about someone under 18, trafficking without any means; the element that
    // completes the test is the exploitative purpose, never the means (Protocol art. 3(c)).
    const child = cases.filter((q) => q.objective === 'tip-definition' && age(q) < 18);
    assert.equal(child.length, 1, `form ${name}: a child-rule case`);
    assert.equal(key(child[0]!), 'trafficking');
    assert.equal(elementKey(child[0]!), 'exploitation');
    // Smuggling turning into trafficking: an illegal entry first, then exploitation.
    // (Found by its facts, not its prompt: prompts no longer name the classification.)
    const illegalEntry = /avoiding the checkpoint|forged|false papers/;
    const turned = cases.filter((q) => key(q) === 'trafficking' && illegalEntry.test(q.case!.en));
    assert.equal(turned.length, 1, `form ${name}: smuggling that turns into trafficking`);
    assert.equal(elementKey(turned[0]!), 'exploitation');
    // "Not enough information to decide".
    assert.equal(cases.filter((q) => key(q) === 'not-enough-info').length, 1, `form ${name}: not enough information`);
    // The limits of police data.
    assert.ok(
      qs.some((q) => q.objective === 'mongolia-context' && /[Pp]olice/.test(q.stem.en)),
      `form ${name}: what police figures can and cannot show`,
    );
    // Never identifying a child: a spot-harm excerpt about someone under 18.
    assert.ok(
      qs.some((q) => q.type === 'spot-harm' && age(q) < 18),
      `form ${name}: a child's identity`,
    );
    // Classification keys vary on each form: "trafficking" is not always the answer.
    assert.ok(new Set(cases.map(key)).size >= 3, `form ${name}: case keys ${cases.map(key).join(', ')}`);
    // Prompts do not give the classification away.
    for (const q of cases)
      assert.doesNotMatch(q.stem.en, /rules out|turned into trafficking|is wrong|legally irrelevant|rather than/, q.id);
    // Consent is never a keyed element (Protocol art. 3(b)).
    assert.ok(cases.every((q) => elementKey(q) !== 'consent'));
  }
});

test('no test item is practised in a lesson quiz, and each lesson pool reaches every lesson objective', () => {
  const tested = new Set([...forms.A, ...forms.B]);
  for (const { file, lesson } of course.lessons) {
    if (!lesson.quiz) continue;
    const pool = items(lesson.quiz.questions);
    assert.deepEqual(
      lesson.quiz.questions.filter((id) => tested.has(id)),
      [],
      `${file}: a pre/post item in the lesson quiz`,
    );
    const covered = new Set(pool.map((q) => q.objective));
    for (const objective of lesson.objectives)
      assert.ok(covered.has(objective), `${file}: no quiz item for ${objective}`);
    // The draw takes one item of each objective first, so a draw this large covers them all.
    assert.ok(
      lesson.quiz.draw >= covered.size && lesson.quiz.draw <= pool.length,
      `${file}: draw ${lesson.quiz.draw} of ${pool.length} for ${covered.size} objectives`,
    );
  }
});

test('every question is used: on a form or in a lesson quiz', () => {
  const used = new Set([...forms.A, ...forms.B, ...course.lessons.flatMap((l) => l.lesson.quiz?.questions ?? [])]);
  assert.deepEqual(
    course.questions.map((q) => q.id).filter((id) => !used.has(id)),
    [],
  );
});
