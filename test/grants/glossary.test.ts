import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/paths';

interface Concept {
  en: string;
  mn: string;
  avoid: { en: string[]; mn: string[] };
}
const glossary = JSON.parse(readFileSync(path.join(projectRoot, 'modules/grants/glossary.json'), 'utf8')) as {
  concepts: Record<string, Concept>;
};

/** Every string of a locale file with its key. */
function strings(tree: unknown, prefix = ''): Array<[string, string]> {
  if (typeof tree === 'string') return [[prefix, tree]];
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([k, v]) => strings(v, prefix ? `${prefix}.${k}` : k));
}

const load = (file: string) => JSON.parse(readFileSync(path.join(projectRoot, file), 'utf8')) as unknown;
const FILES = ['modules/grants', 'modules/reviews', 'modules/awards'];

for (const lang of ['en', 'mn'] as const) {
  test(`grant pages in ${lang} use one term per concept (modules/grants/glossary.json)`, () => {
    const texts = [
      ...FILES.flatMap((dir) => strings(load(`${dir}/locales/${lang}.json`), dir.split('/')[1])),
      // The menu: grant and award entries sit beside each other.
      ...strings(
        (load(`server/i18n/locales/${lang}.json`) as { common: { nav: unknown } }).common.nav,
        'nav',
      ),
    ];
    const found: string[] = [];
    for (const [name, concept] of Object.entries(glossary.concepts))
      for (const avoided of concept.avoid[lang]) {
        const word = avoided.replace(/^"|"$/g, '');
        // A quoted entry is a whole string; otherwise a word anywhere, in any case.
        const hit = avoided.startsWith('"')
          ? (s: string) => s === word
          : (s: string) => s.toLocaleLowerCase(lang).includes(word.toLocaleLowerCase(lang));
        for (const [key, text] of texts)
          if (hit(text)) found.push(`${key}: “${word}” (use “${concept[lang]}” for ${name})`);
      }
    assert.deepEqual(found, []);
  });
}
