import { test } from 'node:test';
import assert from 'node:assert/strict';
import { courseTexts, readCourses } from './support';

/**
 * What a test can guard in the shipped course content (see the subject-matter review of
 * content/courses/tip-reporting): keys that teach the right legal test, true/false items that give
 * nothing away by order or by a lopsided key, who the baseline survey asked, and a source for every
 * factual claim in a lesson.
 */
const courses = readCourses();
const tipReporting = courses.find((c) => c.slug === 'tip-reporting');

test('the shipped course is found and keeps its Mongolian marked as a draft', () => {
  assert.ok(tipReporting, 'content/courses/tip-reporting');
  assert.equal(tipReporting.raw.mnDraft, true, 'mnDraft stays on until a native trainer signs off');
  assert.equal(tipReporting.questions.length >= 71, true);
});

test('true/false: "true" is listed before "false", and the keys are balanced', () => {
  for (const course of courses) {
    const tf = course.questions.filter((q) => q.type === 'true-false');
    for (const q of tf)
      assert.deepEqual(
        q.options.map((o) => o.id),
        ['true', 'false'],
        `${q.id}: list "true" then "false", as the player shows them`,
      );
    const trueKeys = tf.filter((q) => q.options.find((o) => o.correct)?.id === 'true').length;
    if (tf.length >= 6)
      assert.ok(
        trueKeys / tf.length >= 0.4 && trueKeys / tf.length <= 0.6,
        `${course.slug}: ${trueKeys} of ${tf.length} true/false keys are "true"; keep it between 40% and 60%`,
      );
  }
});

test('case questions: consent is never the keyed element, and each stem names what the element step asks', () => {
  const generic = /^Classify this case, then choose the element that decides it\.?$/;
  for (const course of courses)
    for (const q of course.questions.filter((q) => q.type === 'case')) {
      const key = q.elements?.find((e) => e.correct)?.id;
      assert.notEqual(key, 'consent', `${q.id}: consent is not an element of trafficking (Protocol art. 3(b))`);
      assert.doesNotMatch(q.stem.en, generic, `${q.id}: say what the element step separates`);
      assert.ok(q.stem.en.length > 70, `${q.id}: the stem names what the element step asks`);
    }
});

test('the review\'s re-keyed and rewritten items stay fixed', () => {
  const q = (id: string) => tipReporting!.questions.find((x) => x.id === id)!;
  const elementKey = (id: string) => q(id).elements!.find((e) => e.correct)!.id;
  const classKey = (id: string) => q(id).options.find((o) => o.correct)!.id;
  // tvs-08: what makes her signature irrelevant is the means (art. 3(b)), not "consent".
  assert.equal(elementKey('tvs-08'), 'means');
  // tvs-01/02 (fee-only profit rules out exploitation); tvs-03/04 (the means show no free choice).
  assert.deepEqual(['tvs-01', 'tvs-02', 'tvs-03', 'tvs-04'].map(elementKey), ['exploitation', 'exploitation', 'means', 'means']);
  // tvs-05: the case states an illegal entry (smuggling first), not merely work without a work visa.
  assert.doesNotMatch(q('tvs-05').case!.en, /work visa/);
  assert.match(q('tvs-05').case!.en, /avoiding the checkpoint|forged|false papers/);
  assert.equal(classKey('tvs-05'), 'trafficking');
  // sd-03 is true only under the Protocol, and says so.
  assert.match(q('sd-03').stem.en, /Smuggling of Migrants Protocol/);
});

test('the baseline survey is always described as women aged 18–27, never "people"', () => {
  for (const course of courses)
    for (const t of courseTexts(course))
      for (const [lang, text] of [
        ['en', t.en],
        ['mn', t.mn],
      ] as const)
        if (/\b522\b/.test(text)) {
          assert.match(text, /18[–-]27/, `${t.where} (${lang}): say who the 522 respondents were`);
          assert.doesNotMatch(text, /522 (people|persons|Mongolians|хүн)/, `${t.where} (${lang})`);
        }
});

/** Claims that need a source: a percentage, an n=, a year, an article of a law, a phone number, a count. */
const CLAIMS: RegExp[] = [
  /\d+(\.\d+)?\s?%/,
  /\bn\s?=\s?\d/,
  /\b(19|20)\d{2}\b/,
  /\b(art\.|article|articles)\s?\d/i,
  /\d\S*\s+(дугаар\s+|дүгээр\s+)?зүйл/,
  /\b(102|108|1800-1903)\b/,
  /\b\d{2,}\b/,
];
const SOURCE = { en: /\bSources?:/, mn: /Эх сурвалж:/ } as const;
/** Numbered-list markers ("1. ") are not claims. */
const claimText = (text: string) => text.replace(/^\s*\d+\.\s/gm, '');

test('every lesson block with a factual claim carries its source, in both languages', () => {
  const problems: string[] = [];
  for (const course of courses)
    for (const { file, lesson } of course.lessons) {
      lesson.blocks.forEach((b, i) => {
        const claims = CLAIMS.some((re) => re.test(claimText(b.en)) || re.test(claimText(b.mn)));
        const sourced = { en: SOURCE.en.test(b.en), mn: SOURCE.mn.test(b.mn) };
        if (claims && !(sourced.en && sourced.mn))
          problems.push(`${course.slug}/lessons/${file}: blocks.${i} (${b.type}) states facts without "Source:"`);
        if (sourced.en !== sourced.mn)
          problems.push(`${course.slug}/lessons/${file}: blocks.${i}: the source is in one language only`);
      });
      if (!lesson.blocks.some((b) => SOURCE.en.test(b.en)))
        problems.push(`${course.slug}/lessons/${file}: no source anywhere in the lesson`);
    }
  assert.deepEqual(problems, []);
});

test('the unsourced claims the review listed are gone or softened', () => {
  const all = courses.flatMap(courseTexts);
  const en = all.map((t) => t.en).join('\n');
  for (const claim of [
    /Most irregular migrants are neither/i,
    /thousands returned/i,
    /experts say/i,
    /Mongolia ratified/i,
    /follows the same structure/i,
    /Your stories are where most people learn/i,
    /confidential advice, support and shelter referrals/i,
    /fully covered by the law/i,
  ])
    assert.doesNotMatch(en, claim);
  // Citizens abroad are not sent to a domestic toll-free number alone.
  const abroad = all.filter((t) => /citizens[^.]*abroad/i.test(t.en));
  for (const t of abroad.filter((t) => /1800-1903/.test(t.en)))
    assert.match(t.en, /embassy|consulate/, `${t.where}: point citizens abroad to the embassy or consulate`);
});
