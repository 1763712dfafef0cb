import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(import.meta.dirname, '../../modules/learning/locales');
const read = (lang: string) => JSON.parse(readFileSync(path.join(dir, `${lang}.json`), 'utf8')) as object;
const keys = (tree: unknown, prefix = ''): string[] =>
  typeof tree !== 'object' || tree === null
    ? [prefix]
    : Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));

test('learning strings exist in English and Mongolian, none empty', () => {
  const en = keys(read('en')).sort();
  const mn = keys(read('mn')).sort();
  assert.deepEqual(en, mn);
  const get = (tree: object, k: string) =>
    k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree);
  for (const lang of ['en', 'mn']) {
    const tree = read(lang);
    for (const k of en) assert.ok(String(get(tree, k)).trim(), `${lang}: ${k} is empty`);
  }
});
