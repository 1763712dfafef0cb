import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { GLOSSARY, courseTexts, localeStrings, normalise, readCourses, type Bilingual } from './support';

/**
 * content/glossary.yaml holds the legal and campaign terms; the whole shipped course and every UI
 * locale file are held to it. A forbidden variant anywhere fails (e.g. «оргоогоор хангах» for
 * harbouring, or a bare «хил нэвтрүүлэгч» that drops «хууль бусаар» and reads as lawful border
 * processing); where the English uses a term, the Mongolian of the same text must use the glossary's.
 */
const forbidden = z.strictObject({
  text: z.string().min(2).optional(),
  pattern: z.string().min(2).optional(),
  lang: z.enum(['en', 'mn', 'any']).default('mn'),
  why: z.string().min(3),
});
const glossaryFile = z.strictObject({
  terms: z
    .array(
      z.strictObject({
        term: z.string().min(2),
        mn: z.string().min(2),
        source: z.string().min(3),
        note: z.string().optional(),
        pair: z.strictObject({ en: z.string().min(1), mn: z.string().min(1) }).optional(),
        forbidden: z.array(forbidden.refine((f) => !!f.text !== !!f.pattern, 'text or pattern')),
      }),
    )
    .min(20),
});
type Glossary = z.infer<typeof glossaryFile>;

const glossary: Glossary = glossaryFile.parse(parse(readFileSync(GLOSSARY, 'utf8')));

interface Rule {
  term: string;
  lang: 'en' | 'mn' | 'any';
  why: string;
  matches: (text: string) => boolean;
}
const rules: Rule[] = glossary.terms.flatMap((t) =>
  t.forbidden.map((f) => {
    const re = f.pattern ? new RegExp(f.pattern, 'iu') : undefined;
    const phrase = f.text ? normalise(f.text) : '';
    return {
      term: t.term,
      lang: f.lang,
      why: f.why,
      matches: (text: string) => (re ? re.test(normalise(text)) : normalise(text).includes(phrase)),
    };
  }),
);

/** The forbidden variants in one text of the given language, as "term: why". */
function violations(text: string, lang: string): string[] {
  return rules
    .filter((r) => (r.lang === 'any' || r.lang === lang) && r.matches(text))
    .map((r) => `${r.term}: ${r.why}`);
}

/** Pairs whose English uses a glossary term and whose Mongolian does not use the glossary's term. */
function pairMisses(texts: Bilingual[]): string[] {
  const out: string[] = [];
  for (const t of glossary.terms.filter((g) => g.pair))
    for (const b of texts)
      if (new RegExp(t.pair!.en, 'u').test(b.en) && !new RegExp(t.pair!.mn, 'iu').test(b.mn))
        out.push(`${b.where}: "${t.term}" in English, no /${t.pair!.mn}/ in Mongolian`);
  return out;
}

const courses = readCourses();
const texts = courses.flatMap(courseTexts);

test('the glossary gives every term its Mongolian, a source and its forbidden variants', () => {
  const names = glossary.terms.map((t) => t.term);
  assert.equal(new Set(names).size, names.length, 'a term is listed twice');
  for (const t of glossary.terms) {
    for (const f of t.forbidden) if (f.pattern) assert.doesNotThrow(() => new RegExp(f.pattern!, 'iu'), t.term);
    // The glossary's own Mongolian is never one of its forbidden variants.
    assert.deepEqual(violations(t.mn, 'mn'), [], `${t.term}: its own Mongolian is forbidden`);
  }
  const mn = glossary.terms.map((t) => t.mn).join(' | ');
  for (const required of [
    'орогнуулах',
    'хууль бусаар хил нэвтрүүлэх',
    'эмзэг байдлыг нь далимдуулах',
    'нэгдэн орсон',
    'чадавхжуулах',
    'Мөрөөдлийн шүхэр',
  ])
    assert.ok(mn.includes(required), `the glossary has no term for «${required}»`);
});

test('the checker catches the variants it is meant to (and leaves the right terms alone)', () => {
  assert.ok(violations('хүнийг элсүүлэх, оргоогоор хангах', 'mn').length > 0, 'оргоогоор');
  assert.ok(violations('Хил нэвтрүүлэгч түүний паспортыг хураав.', 'mn').length > 0, 'bare, capitalised');
  assert.ok(violations('хил нэвтрүүлэлт хүн худалдаалах болж', 'mn').length > 0, 'bare noun');
  assert.ok(violations('эмзэг байдлыг урвуулан ашиглах', 'mn').length > 0, 'vulnerability');
  assert.ok(violations('Монгол Улс энэ протоколыг соёрхон баталсан', 'mn').length > 0, 'ratified');
  assert.ok(violations('Mongolia ratified the Protocol', 'en').length > 0, 'ratified (en)');
  assert.ok(violations('call 1800-1234', 'en').length > 0, 'a wrong hotline');
  assert.deepEqual(violations('хууль бусаар хил нэвтрүүлэгч', 'mn'), []);
  assert.deepEqual(violations('Хууль бусаар\n      хил нэвтрүүлэлт', 'mn'), [], 'across a line break');
  assert.deepEqual(violations('хилийн шалган нэвтрүүлэх хяналт', 'mn'), [], 'lawful border control');
  assert.deepEqual(violations('элсүүлэх, тээвэрлэх, дамжуулах, орогнуулах, хүлээн авах', 'mn'), []);
  assert.deepEqual(
    pairMisses([{ en: 'harbouring', mn: 'оргоогоор хангах', where: 'x' }]).length,
    1,
    'the pair check catches a missing term',
  );
});

test('no forbidden variant anywhere in the shipped course, in either language', () => {
  assert.ok(texts.length > 700, `only ${texts.length} bilingual texts found`);
  const problems = texts.flatMap((t) => [
    ...violations(t.mn, 'mn').map((v) => `${t.where} (mn): ${v}`),
    ...violations(t.en, 'en').map((v) => `${t.where} (en): ${v}`),
  ]);
  assert.deepEqual(problems, []);
});

test('where the English uses a glossary term, the Mongolian uses the glossary term', () => {
  assert.deepEqual(pairMisses(texts), []);
});

test('no forbidden variant in the UI locale files', () => {
  const strings = localeStrings();
  assert.ok(strings.some((s) => s.lang === 'mn') && strings.some((s) => s.lang === 'en'));
  const problems = strings.flatMap((s) => violations(s.text, s.lang).map((v) => `${s.where}: ${v}`));
  assert.deepEqual(problems, []);
});
