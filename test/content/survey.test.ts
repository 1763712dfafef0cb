import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSurvey } from '../../modules/quizzes/survey-import';
import { readCourses } from './support';

/**
 * The shipped course's attitude and practice instrument (content/courses/tip-reporting/survey.yaml):
 * about six attitude statements with balanced direction and four practice scenarios, bilingual, and
 * each practice item with one safest action. (Glossary terms: test/content/glossary.test.ts reads the
 * survey with the rest of the course.)
 */
const course = readCourses().find((c) => c.slug === 'tip-reporting')!;
const survey = loadSurvey(course.dir, new Set(course.questions.map((q) => q.id)))!;

test('the course has a survey: at least six attitude statements and four practice scenarios', () => {
  assert.ok(survey, 'content/courses/tip-reporting/survey.yaml');
  const attitudes = survey.filter((s) => s.kind === 'attitude');
  const practices = survey.filter((s) => s.kind === 'practice');
  assert.ok(attitudes.length >= 6, `${attitudes.length} attitude statements`);
  assert.ok(practices.length >= 4, `${practices.length} practice scenarios`);
  assert.ok(practices.some((p) => p.scale === 'choice') && practices.some((p) => p.scale === 'frequency'));
});

test('attitude statements run both ways: between a third and two thirds are reversed', () => {
  const attitudes = survey.filter((s) => s.kind === 'attitude');
  const reversed = attitudes.filter((s) => s.reversed).length;
  assert.ok(
    reversed / attitudes.length >= 1 / 3 && reversed / attitudes.length <= 2 / 3,
    `${reversed} of ${attitudes.length} reversed`,
  );
});

test('the campaign-style dimensions are all measured, attitudes and practices on the key ones', () => {
  const dims = new Set(survey.map((s) => s.dimension));
  for (const d of ['victim-blaming', 'identification', 'consent', 'referral']) assert.ok(dims.has(d), d);
  const practiced = new Set(survey.filter((s) => s.kind === 'practice').map((s) => s.dimension));
  for (const d of ['consent', 'identification', 'referral']) assert.ok(practiced.has(d), `practice: ${d}`);
});

test('each "what would you do" item has exactly one safest action, and bilingual text in Cyrillic', () => {
  for (const s of survey) {
    assert.match(s.text.mn, /[А-Яа-яӨөҮүЁё]{3}/, `${s.sid}: Mongolian in Cyrillic`);
    assert.notEqual(s.text.mn, s.text.en, `${s.sid}: translated`);
    if (s.scale !== 'choice') continue;
    const top = Math.max(...s.options!.map((o) => o.level));
    assert.equal(s.options!.filter((o) => o.level === top).length, 1, `${s.sid}: one safest action`);
    for (const o of s.options!) assert.match(o.text.mn, /[А-Яа-яӨөҮүЁё]{3}/, `${s.sid}.${o.id}`);
  }
});
