import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../server/paths';
import { loadQuestionBank } from '../../modules/quizzes';
import {
  exportMoodleXml,
  fromBankQuestion,
  importMoodleXml,
  InterchangeError,
  isCorrect,
} from '../../modules/interop/interchange';

const fixture = (name: string) =>
  readFileSync(path.join(projectRoot, 'test/fixtures/interchange', name), 'utf8');
const courseDir = path.join(projectRoot, 'content/courses/tip-reporting');

function bank() {
  const course = parseYaml(readFileSync(path.join(courseDir, 'course.yaml'), 'utf8')) as {
    objectives: { id: string }[];
  };
  return loadQuestionBank(
    courseDir,
    course.objectives.map((o) => o.id),
  ).map(fromBankQuestion);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InterchangeError, String(err));
    return err.problems;
  }
  assert.fail('expected the import to be refused');
}

test('the course bank round-trips through Moodle XML: every type, both languages, option ids', () => {
  const questions = bank();
  const types = new Set(questions.map((q) => q.type));
  assert.deepEqual([...types].sort(), ['case', 'multiple', 'ordering', 'single', 'spot-harm', 'true-false']);
  const xml = exportMoodleXml(questions, 'TIP reporting');
  assert.match(xml, /<span lang="en" class="multilang">.*<\/span><span lang="mn" class="multilang">/);
  const { questions: back, skipped } = importMoodleXml(xml);
  assert.deepEqual(skipped, []);
  assert.deepEqual(back, questions);
  assert.ok(back.every((q) => q.missing.length === 0));
});

test('a Moodle XML file with partial credit imports, and export → import gives identical questions', () => {
  const first = importMoodleXml(fixture('partial-credit.xml'), { defaultObjective: 'source-security' });
  assert.deepEqual(first.skipped, ['Read before you start']);
  assert.deepEqual(
    first.questions.map((q) => [q.qid, q.type]),
    [
      ['protect-the-source', 'multiple'],
      ['three-safe-habits', 'multiple'],
      ['best-first-step', 'single'],
      ['consent-is-ongoing', 'true-false'],
      ['interview-steps', 'ordering'],
    ],
  );
  const [protect, habits, best, tf, order] = first.questions;
  assert.ok(protect && habits && best && tf && order);
  assert.deepEqual(
    protect.options.map((o) => o.fraction),
    [50, 50, -50, -50],
  );
  assert.deepEqual(
    protect.options.map((o) => isCorrect(protect.type, o)),
    [true, true, false, false],
  );
  assert.equal(protect.explanation?.en, 'Meet where you are not seen & keep notes apart.');
  assert.equal(protect.explanation?.mn, 'Харагдахгүй газар уулзаж, тэмдэглэлээ тусад нь хадгална.');
  // The partial 50 % of a single-answer question is kept, but only the 100 % answer is "correct".
  assert.deepEqual(
    best.options.map((o) => [o.fraction, isCorrect(best.type, o)]),
    [
      [100, true],
      [50, false],
      [0, false],
    ],
  );
  assert.deepEqual(
    order.options.map((o) => o.text.en),
    ['Explain the story', 'Ask for consent', 'Interview'],
  );
  assert.deepEqual(
    tf.options.map((o) => o.id),
    ['true', 'false'],
  );
  // English only: imported as a draft for a translator, not refused.
  assert.deepEqual(habits.missing.slice(0, 2), ['stem.mn', 'options.a.text.mn']);
  assert.equal(habits.missing.length, 5);
  assert.deepEqual(protect.missing, []);

  const again = importMoodleXml(exportMoodleXml(first.questions, 'Source safety'));
  assert.deepEqual(again.questions, first.questions);
  // The weights are written back as Moodle fractions.
  const xml = exportMoodleXml(first.questions, 'x');
  assert.match(xml, /fraction="33\.33333"/);
  assert.match(xml, /fraction="-50"/);
});

test('a bad file is refused whole, each problem naming its question', () => {
  const good = fixture('partial-credit.xml');
  const broken = good
    .replace(
      'fraction="100"><text><![CDATA[<span lang="en" class="multilang">Check',
      'fraction="90"><text><![CDATA[<span lang="en" class="multilang">Check',
    )
    .replace('<answer fraction="-100">', '<answer fraction="lots">')
    .replace('</quiz>', '<question type="essay"><name><text>Reflect</text></name></question></quiz>');
  const problems = problemsOf(() => importMoodleXml(broken, { defaultObjective: 'x' }));
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0] ?? '', /"Three safe habits".*fraction "lots" is not a number/);
  assert.match(problems[1] ?? '', /"Best first step".*exactly one answer must have fraction 100, found 0/);
  assert.match(problems[2] ?? '', /"Reflect".*Moodle type "essay" cannot be imported/);
});

test('refusals: not XML, another root, DOCTYPE, no objective, weights not adding up, orphan parts', () => {
  assert.match(problemsOf(() => importMoodleXml('<quiz><question>'))[0] ?? '', /not well-formed XML/);
  assert.match(problemsOf(() => importMoodleXml('<html></html>'))[0] ?? '', /root element is <html>/);
  assert.match(
    problemsOf(() =>
      importMoodleXml('<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz/>'),
    )[0] ?? '',
    /DOCTYPE/,
  );
  assert.match(problemsOf(() => importMoodleXml('<quiz></quiz>'))[0] ?? '', /no questions/);
  const mc = (fractions: number[], tags = '') =>
    `<quiz><question type="multichoice"><name><text>Q</text></name><questiontext><text>Stem</text></questiontext>` +
    `<single>false</single>${fractions.map((f, i) => `<answer fraction="${f}"><text>A${i}</text></answer>`).join('')}${tags}</question></quiz>`;
  assert.match(problemsOf(() => importMoodleXml(mc([50, 50])))[0] ?? '', /"Q".*no objective/);
  assert.match(
    problemsOf(() => importMoodleXml(mc([50, 40, -100]), { defaultObjective: 'o' }))[0] ?? '',
    /add up to 90, not 100/,
  );
  assert.match(
    problemsOf(() =>
      importMoodleXml(mc([100, 0], '<tags><tag><text>umbrella-elements-of:nope</text></tag></tags>'), {
        defaultObjective: 'o',
      }),
    )[0] ?? '',
    /elements of "nope", which is no case question/,
  );
  assert.match(
    problemsOf(() =>
      importMoodleXml(mc([100, 0], '<tags><tag><text>umbrella-options:a</text></tag></tags>'), {
        defaultObjective: 'o',
      }),
    )[0] ?? '',
    /lists 1 ids for 2 answers/,
  );
});
