import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const read = (lang: string) =>
  JSON.parse(readFileSync(path.join(root, 'modules/grants/locales', `${lang}.json`), 'utf8')) as object;
function keys(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

test('grants strings exist in English and Mongolian with the same keys, none empty', () => {
  const en = keys(read('en')).sort();
  const mn = keys(read('mn')).sort();
  assert.deepEqual(en, mn);
  const get = (tree: object, k: string) =>
    k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree);
  for (const k of en) {
    assert.ok(String(get(read('en'), k)).trim(), `en ${k}`);
    assert.ok(String(get(read('mn'), k)).trim(), `mn ${k}`);
  }
});

test('every grants.* key used in code and views exists', () => {
  const en = new Set(keys(read('en')).map((k) => `grants.${k}`));
  const files = [
    ...readdirSync(path.join(root, 'modules/grants'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `modules/grants/${f}`),
    ...readdirSync(path.join(root, 'views/grants')).map((f) => `views/grants/${f}`),
    ...readdirSync(path.join(root, 'views/emails/grants')).map((f) => `views/emails/grants/${f}`),
  ];
  const missing: string[] = [];
  for (const f of files) {
    const text = readFileSync(path.join(root, f), 'utf8');
    for (const m of text.matchAll(/'(grants\.[a-zA-Z0-9_.-]+)'/g))
      if (!en.has(m[1]!) && !m[1]!.endsWith('.')) missing.push(`${f}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});
