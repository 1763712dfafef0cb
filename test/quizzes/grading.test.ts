import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grade, isCorrect } from '../../modules/quizzes/grading';
import { answersFromForm } from '../../modules/quizzes/answers';
import { loadQuestionBank } from '../../modules/quizzes';
import type { AttemptItem } from '../../modules/quizzes/model';
import { COURSE_DIR, readCourse } from './support';

const bank = new Map(
  loadQuestionBank(
    COURSE_DIR,
    readCourse().objectives.map((o) => o.id),
  ).map((q) => [q.id, { ...q, qid: q.id }]),
);
const q = (id: string) => bank.get(id)!;
const correct = (id: string) =>
  q(id)
    .options.filter((o) => o.correct)
    .map((o) => o.id);
const wrong = (id: string) =>
  q(id)
    .options.filter((o) => !o.correct)
    .map((o) => o.id);

test('single and true/false: only the one correct id', () => {
  for (const id of ['cf-01', 'cf-03']) {
    assert.equal(isCorrect(q(id), correct(id)), true, id);
    assert.equal(isCorrect(q(id), [wrong(id)[0]!]), false, id);
    assert.equal(isCorrect(q(id), [...correct(id), wrong(id)[0]!]), false, `${id}: two answers`);
    assert.equal(isCorrect(q(id), []), false, `${id}: none`);
  }
});

test('multiple and spot-harm: the chosen set must equal the correct set; partial is wrong', () => {
  for (const id of ['cf-04', 'ip-01']) {
    const right = correct(id);
    assert.equal(isCorrect(q(id), right), true, id);
    assert.equal(isCorrect(q(id), [...right].reverse()), true, `${id}: order does not matter`);
    assert.equal(isCorrect(q(id), right.slice(1)), false, `${id}: partial`);
    assert.equal(isCorrect(q(id), [...right, wrong(id)[0]!]), false, `${id}: one extra`);
    assert.equal(isCorrect(q(id), [...right, right[0]!]), false, `${id}: duplicate`);
  }
});

test('ordering: the sequence must equal the file order', () => {
  const id = 'cd-01';
  const order = q(id).options.map((o) => o.id);
  assert.equal(q(id).type, 'ordering');
  assert.equal(isCorrect(q(id), order), true);
  const swapped = [order[1]!, order[0]!, ...order.slice(2)];
  assert.equal(isCorrect(q(id), swapped), false);
  assert.equal(isCorrect(q(id), order.slice(0, -1)), false, 'incomplete');
});

test('case: classification and element must both be right', () => {
  const id = 'tvs-01';
  const el = q(id).elements!;
  const rightEl = el.find((o) => o.correct)!.id;
  const wrongEl = el.find((o) => !o.correct)!.id;
  assert.equal(isCorrect(q(id), ['smuggling', rightEl]), true);
  assert.equal(isCorrect(q(id), ['smuggling', wrongEl]), false);
  assert.equal(isCorrect(q(id), ['trafficking', rightEl]), false);
  assert.equal(isCorrect(q(id), ['smuggling']), false);
});

test('score is the rounded percent of items right; the form maps to answers per type', () => {
  const ids = ['cf-01', 'cf-03', 'cf-04', 'cd-01', 'tvs-01', 'ip-01'];
  const items: AttemptItem[] = ids.map((id) => ({
    qid: id,
    objective: q(id).objective,
    type: q(id).type,
    questionVersion: 1,
    optionOrder: [...q(id).options.map((o) => o.id)].reverse(),
    elementOrder: q(id).elements?.map((o) => o.id),
  }));
  const order = q('cd-01').options.map((o) => o.id);
  const form = {
    'q.cf-01': correct('cf-01')[0]!,
    'q.cf-03': wrong('cf-03')[0]!,
    'q.cf-04': correct('cf-04'),
    ...Object.fromEntries(order.map((oid, i) => [`o.cd-01.${oid}`, String(i + 1)])),
    'c.tvs-01': 'smuggling',
    'e.tvs-01': 'exploitation',
    'q.ip-01': correct('ip-01').slice(1),
  };
  const answers = answersFromForm({ items }, form);
  assert.deepEqual(answers['cd-01'], order);
  assert.deepEqual(answers['tvs-01'], ['smuggling', 'exploitation']);
  const { score, results } = grade(items, bank, answers);
  assert.deepEqual(
    results.map((r) => r.correct),
    [true, false, true, true, true, false],
  );
  assert.equal(score, 67);
  assert.equal(grade(items, bank, {}).score, 0);
});

test('the form refuses fields of the wrong kind and out-of-range positions', () => {
  const items: AttemptItem[] = [
    {
      qid: 'cd-01',
      objective: 'x',
      type: 'ordering',
      questionVersion: 1,
      optionOrder: ['a', 'b', 'c', 'd', 'e'],
    },
    { qid: 'cf-01', objective: 'x', type: 'single', questionVersion: 1, optionOrder: ['a', 'b', 'c', 'd'] },
  ];
  assert.throws(() => answersFromForm({ items }, { 'o.cd-01.a': '9' }));
  assert.throws(() => answersFromForm({ items }, { 'o.cd-01.z': '1' }));
  assert.throws(() => answersFromForm({ items }, { 'c.cf-01': 'a' }));
  assert.throws(() => answersFromForm({ items }, { 'q.zz-99': 'a' }));
  // A position used twice leaves the order incomplete (so it grades as wrong).
  assert.deepEqual(answersFromForm({ items }, { 'o.cd-01.a': '1', 'o.cd-01.b': '1' })['cd-01'], ['a']);
});
