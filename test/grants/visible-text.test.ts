/**
 * Titles and labels others read (reviewers, the board, e-mails, /published) carry no bidi override,
 * zero-width or control characters that would make one text read as another.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callForm, pitchForm } from '../../modules/grants/schemas';

test('pitch title, outlet, format and budget lines lose invisible characters; the text stays', () => {
  const parsed = pitchForm.safeParse({
    title: 'Jobs \u202Eabroad\u202C that\u200B were not',
    outlet: 'Zuunii\u2066 Medee\u2069',
    format: 'article\u0007',
    budgetItem: ['Travel\u202E to Erlian'],
    version: '1',
  });
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  assert.equal(parsed.data.title, 'Jobs abroad that were not');
  assert.equal(parsed.data.outlet, 'Zuunii Medee');
  assert.equal(parsed.data.format, 'article');
  assert.deepEqual(parsed.data.budgetItem, ['Travel to Erlian']);
  assert.equal(
    pitchForm.parse({ title: 'Хүний наймаа — Эрээн', version: '1' }).title,
    'Хүний наймаа — Эрээн',
  );
});

test('a call title made only of invisible characters is missing, with the field named', () => {
  const parsed = callForm.safeParse({ titleEn: '\u202E\u200B', titleMn: 'Уралдаан' });
  assert.ok(!parsed.success);
  const issue = parsed.error.issues.find((i) => i.path[0] === 'titleEn');
  assert.equal(issue?.message, 'grants.errors.required');
});
