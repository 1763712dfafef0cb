import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadSurvey } from '../../modules/quizzes/survey-import';

/** survey.yaml is checked before anything is written; each bad item is refused with a clear message. */
const bi = (en: string, mn = `${en} (мн)`) => ({ en, mn });
const dimensions = [{ id: 'd', label: bi('Dimension') }];
const attitude = (id: string, reversed: boolean) => ({
  id,
  kind: 'attitude',
  dimension: 'd',
  reversed,
  statement: bi(`Statement ${id}`),
});
const practice = {
  id: 'p1',
  kind: 'practice',
  dimension: 'd',
  scenario: bi('A situation'),
  options: [
    { id: 'a', level: 3, text: bi('Safe') },
    { id: 'b', level: 1, text: bi('Unsafe') },
  ],
};

function load(content: unknown, questionIds: string[] = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'survey-'));
  try {
    writeFileSync(path.join(dir, 'survey.yaml'), typeof content === 'string' ? content : stringify(content));
    return loadSurvey(dir, new Set(questionIds));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const refuses = (content: unknown, message: RegExp, questionIds: string[] = []) =>
  assert.throws(() => load(content, questionIds), message);

test('a good survey loads: scales, direction, levels, order', () => {
  const items = load({
    dimensions,
    items: [
      attitude('a1', true),
      attitude('a2', false),
      practice,
      {
        id: 'p2',
        kind: 'practice',
        dimension: 'd',
        scale: 'frequency',
        reversed: true,
        scenario: bi('How often'),
      },
    ],
  })!;
  assert.deepEqual(
    items.map((s) => [s.sid, s.kind, s.scale, s.reversed, s.position]),
    [
      ['a1', 'attitude', 'agreement', true, 1],
      ['a2', 'attitude', 'agreement', false, 2],
      ['p1', 'practice', 'choice', false, 3],
      ['p2', 'practice', 'frequency', true, 4],
    ],
  );
  assert.deepEqual(
    items[2]!.options!.map((o) => o.level),
    [3, 1],
  );
  assert.equal(items[0]!.dimensionLabel.en, 'Dimension');
});

test('no survey.yaml: no survey', () => {
  assert.equal(loadSurvey(os.tmpdir(), new Set()), undefined);
});

test('bad survey items are refused with messages that name the item and the field', () => {
  refuses('items: [unclosed', /survey\.yaml: not valid YAML/);
  refuses({ items: [attitude('a1', true)] }, /survey\.yaml: dimensions: /);
  refuses({ dimensions, items: [] }, /items: the survey has no items/);
  refuses(
    { dimensions, items: [{ ...attitude('a1', true), statement: { en: 'Only English', mn: '' } }] },
    /item a1: statement\.mn: Mongolian text is missing/,
  );
  refuses(
    { dimensions, items: [{ id: 'a1', kind: 'attitude', dimension: 'd', statement: bi('S') }] },
    /item a1: reversed: say whether agreeing is the attitude the course works against/,
  );
  refuses(
    { dimensions, items: [{ ...attitude('a1', true), kind: 'opinion' }] },
    /item a1: kind: "attitude" or "practice"/,
  );
  refuses(
    { dimensions, items: [{ ...attitude('a1', true), options: practice.options }] },
    /item a1: options: attitude items use the 1–5 agreement scale/,
  );
  refuses(
    { dimensions, items: [{ ...attitude('a1', true), dimension: 'x' }] },
    /item a1: dimension: "x" is not one/,
  );
  refuses(
    { dimensions, items: [{ ...practice, scenario: undefined }] },
    /item p1: scenario: a practice item needs its scenario/,
  );
  refuses(
    {
      dimensions,
      items: [{ ...practice, options: practice.options.map((o) => ({ ...o, level: 2 })) }],
    },
    /item p1: options: the actions need at least two different practice levels/,
  );
  refuses(
    {
      dimensions,
      items: [{ ...practice, options: [{ ...practice.options[0], level: 7 }, practice.options[1]] }],
    },
    /item p1: options\.0\.level: 1–5/,
  );
  refuses(
    {
      dimensions,
      items: [{ ...practice, options: [practice.options[0], { ...practice.options[1], level: undefined }] }],
    },
    /item p1: options\.1\.level: a practice level 1–5 is needed/,
  );
  refuses(
    { dimensions, items: [{ ...practice, options: [practice.options[0]] }] },
    /item p1: options: a choice item needs 2 to 6 actions/,
  );
  refuses(
    {
      dimensions,
      items: [{ ...practice, options: [practice.options[0], { ...practice.options[1], id: 'a' }] }],
    },
    /item p1: options: duplicate option ids/,
  );
  refuses(
    { dimensions, items: [{ ...practice, scale: 'frequency' }] },
    /item p1: options: a frequency item uses the never–always scale/,
  );
  refuses(
    { dimensions, items: [{ ...practice, reversed: true }] },
    /item p1: reversed: a choice item says its direction/,
  );
  refuses({ dimensions, items: [{ ...practice, scale: 'agreement' }] }, /item p1: scale: practice items use/);
  refuses({ dimensions, items: [practice, practice] }, /item p1: id: already used by another survey item/);
  refuses({ dimensions, items: [practice] }, /item p1: id: already used by a question/, ['p1']);
  refuses({ dimensions, items: [{ ...practice, correct: true }] }, /item p1: \(item\): Unrecognized key/i);
});

test('more than three attitude statements all running one way are refused (acquiescence bias)', () => {
  const items = (rev: boolean) => ['a1', 'a2', 'a3', 'a4'].map((id) => attitude(id, rev));
  refuses(
    { dimensions, items: items(false) },
    /the 4 attitude statements all run the same way: reverse some/,
  );
  refuses({ dimensions, items: items(true) }, /all run the same way/);
  assert.equal(load({ dimensions, items: [...items(false).slice(0, 3), attitude('a4', true)] })!.length, 4);
});
