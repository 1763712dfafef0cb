import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../server/paths';
import { loadQuestionBank } from '../../modules/quizzes';
import {
  exportGift,
  fromBankQuestion,
  importGift,
  importMoodleXml,
  InterchangeError,
} from '../../modules/interop/interchange';

const fixture = (name: string) =>
  readFileSync(path.join(projectRoot, 'test/fixtures/interchange', name), 'utf8');
const courseDir = path.join(projectRoot, 'content/courses/tip-reporting');

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InterchangeError, String(err));
    return err.problems;
  }
  assert.fail('expected the import to be refused');
}

test('the course bank round-trips through GIFT; ordering and case questions are named as left out', () => {
  const course = parseYaml(readFileSync(path.join(courseDir, 'course.yaml'), 'utf8')) as {
    objectives: { id: string }[];
  };
  const all = loadQuestionBank(
    courseDir,
    course.objectives.map((o) => o.id),
  ).map(fromBankQuestion);
  const { text, left } = exportGift(all, 'TIP reporting');
  const expectedLeft = all.filter((q) => q.type === 'ordering' || q.type === 'case').map((q) => q.qid);
  assert.ok(expectedLeft.length > 0);
  assert.deepEqual(left, expectedLeft);
  assert.match(text, new RegExp(`Not in GIFT.*${expectedLeft[0]}`));
  const kept = all.filter((q) => !expectedLeft.includes(q.qid));
  assert.deepEqual(importGift(text).questions, kept);
});

test('Moodle partial credit survives GIFT: %50% and %-50% both ways', () => {
  const fromXml = importMoodleXml(fixture('partial-credit.xml'), {
    defaultObjective: 'source-security',
  }).questions.filter((q) => q.type !== 'ordering');
  const { text } = exportGift(fromXml, 'Source safety');
  assert.match(text, /~%50%/);
  assert.match(text, /~%-50%/);
  assert.match(text, /~%33\.33333%/);
  assert.deepEqual(importGift(text).questions, fromXml);
});

test('a hand-written GIFT file: weights, one language each → drafts, escaped titles', () => {
  const { questions } = importGift(fixture('plain.gift'), { defaultObjective: 'verification' });
  assert.deepEqual(
    questions.map((q) => [q.qid, q.type]),
    [
      ['two-sources', 'multiple'],
      ['q-2', 'single'],
      ['consent-ongoing', 'true-false'],
    ],
  );
  const [two, mn, tf] = questions;
  assert.ok(two && mn && tf);
  assert.deepEqual(
    two.options.map((o) => o.fraction),
    [50, 50, -100],
  );
  assert.equal(two.options[2]?.feedback.en, 'Shares are not sources.');
  assert.equal(two.explanation?.en, 'Always look for two independent confirmations.');
  assert.ok(two.missing.includes('stem.mn'));
  // A Mongolian-only question is a draft missing its English.
  assert.equal(mn.stem.mn, 'Мэдээллийг хэрхэн шалгах вэ?');
  assert.ok(mn.missing.includes('stem.en'));
  assert.deepEqual(
    mn.options.map((o) => o.fraction),
    [100, 25, 0],
  );
  assert.deepEqual(
    tf.options.map((o) => [o.id, o.fraction, o.feedback.en]),
    [
      ['true', 100, 'Right.'],
      ['false', 0, 'It can be withdrawn.'],
    ],
  );
});

test('bad GIFT is refused whole, naming each question', () => {
  const problems = problemsOf(() =>
    importGift(
      [
        '::Fine::Stem {=a ~b}',
        '',
        '::Essay::Write about it {}',
        '',
        '::Match::Pair them {=a -> 1 =b -> 2}',
        '',
        '::Weights::Pick {~%150%a ~b}',
        '',
        '::NoBlock::Just text',
        '',
        '::Fine::Again {=a ~b}',
      ].join('\n'),
      { defaultObjective: 'o' },
    ),
  );
  assert.deepEqual(
    problems.map((p) => p.replace(/ \(line \d+\)/, '')),
    [
      'question 2 "Essay": an essay question cannot be imported',
      'question 3 "Match": a matching question cannot be imported',
      'question 4 "Weights": answer 1: weight %150% is not from -100 to 100',
      'question 5 "NoBlock": no answer block { … }',
      'question 6 "Fine": question id "fine" is used twice in the file',
    ],
  );
  assert.match(problemsOf(() => importGift('// only a comment\n'))[0] ?? '', /no questions/);
  assert.match(problemsOf(() => importGift('::Q::Stem {=a ~b}'))[0] ?? '', /"Q".*no objective/);
});
