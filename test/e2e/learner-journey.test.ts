/**
 * The "done when": a journalist takes the whole course in a real browser, by keyboard, in
 * Mongolian (and again in English) — pre-test, every lesson and its quiz, post-test — then downloads the
 * certificate and a stranger verifies it on the public page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { buildUser } from '../factories';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
import { getOutlineBySlug, importCourses, type CourseOutline } from '../../modules/learning';
import { enrolmentModel } from '../../modules/learning/model';
import { translator } from '../../server/i18n';
import { activate, follow, keyboardSignIn, passQuizFromIntro, pathOf } from './support/learner';

let b: BrowserApp;
let course: CourseOutline;
before(async () => {
  b = await startBrowserApp();
  const [imported] = await importCourses(b.ctx);
  assert.ok(imported, 'the course imports');
  const outline = await getOutlineBySlug(b.ctx, imported.slug);
  assert.ok(outline);
  course = outline;
});
after(() => b?.closeAll());

type Lang = 'en' | 'mn';

/** Checks each page type once per journey (zero axe violations) and saves a screenshot of it. */
function auditor(page: Page, name: string) {
  const seen = new Set<string>();
  return async (kind: string) => {
    if (seen.has(kind)) return;
    seen.add(kind);
    const violations = await checkA11y(page);
    await screenshot(page, `${name}-${kind}`);
    assert.deepEqual(
      violations.map((v) => v.id),
      [],
      `${kind} (${page.url()}):\n${describeViolations(violations)}`,
    );
  };
}

async function journey(lang: Lang, width: number) {
  const t = translator(lang);
  const name = `learner-${lang}-${width}`;
  const user = await buildUser(b.ctx, {
    locale: lang,
    name: lang === 'mn' ? 'Батбаяр Дорж' : 'Alice Reporter',
    outlet: 'Daily News',
    region: 'Ulaanbaatar',
  });
  const page = await b.newPage({ width, locale: lang });
  const audit = auditor(page, name);
  const courseLink = () => page.locator(`main a[href="/learn/${course.slug}"]`).first();

  // Sign in with the keyboard and land on the dashboard, where the course is offered.
  await keyboardSignIn(page, user.email, { next: '/learn' });
  assert.equal(pathOf(page), '/learn');
  assert.equal(await page.getAttribute('html', 'lang'), lang);
  await audit('dashboard');
  await follow(page, courseLink(), new RegExp(`^/learn/${course.slug}$`));
  assert.equal((await page.locator('h1').innerText()).trim(), course.title[lang]);
  await audit('course');

  // Pre-test (passing score 0: counts once taken).
  await follow(page, page.locator('ol.steps a').first(), /^\/quizzes\/[0-9a-f]{24}$/);
  await passQuizFromIntro(page, b.ctx, { visit: (kind) => audit(`quiz-${kind}`) });

  // Every lesson, read in the journalist's language, then its quiz.
  for (const lesson of course.lessons) {
    await page.goto(`/learn/${course.slug}`);
    const href = `/learn/${course.slug}/${lesson.slug}`;
    await follow(page, page.locator(`ol.steps a[href="${href}"]`), new RegExp(`^${href}$`));
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    const article = page.locator('main article');
    assert.equal(await article.getAttribute('lang'), lang, `${lesson.slug} content is in ${lang}`);
    assert.equal((await article.locator('h1').innerText()).trim(), lesson.title[lang]);
    assert.ok((await article.innerText()).length > 500, `${lesson.slug} has its text`);
    // The article's own text, leaving out the parts marked as another language ("read in …" links).
    const own = await article.evaluate((el, l) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelectorAll(`[lang]:not([lang="${l}"])`).forEach((n) => n.remove());
      return copy.textContent ?? '';
    }, lang);
    const cyrillic = (own.match(/[А-Яа-яӨөҮүЁё]/g)?.length ?? 0) / (own.match(/\p{L}/gu)?.length ?? 1);
    // English text may name the campaign in Mongolian ("Dream Umbrella (Мөрөөдлийн шүхэр)").
    if (lang === 'mn') assert.ok(cyrillic > 0.9, `${lesson.slug} reads in Mongolian (${cyrillic})`);
    else assert.ok(cyrillic < 0.02, `${lesson.slug} reads in English (${cyrillic})`);
    assert.equal(
      await page.locator('main p.alert.success[role=status]').count(),
      1,
      'the reading is recorded',
    );
    await audit('lesson');
    if (!lesson.hasQuiz) continue;
    await follow(page, page.locator(`main a.button[href="${href}/quiz"]`), /^\/quizzes\/[0-9a-f]{24}$/);
    await passQuizFromIntro(page, b.ctx);
  }

  // Post-test: the last step of the outline.
  await page.goto(`/learn/${course.slug}`);
  await follow(page, page.locator('ol.steps > li:last-child a'), /^\/quizzes\/[0-9a-f]{24}$/);
  const post = await passQuizFromIntro(page, b.ctx);
  assert.match(post.score, /100/);

  // The dashboard shows the course completed, with the way to the certificate.
  await page.goto('/learn');
  const enrolment = await enrolmentModel(b.ctx.db).findOne({ userId: user._id }).lean();
  assert.ok(enrolment?.completedAt, 'the enrolment is complete');
  const card = page.locator('main section.course-card', {
    has: page.locator(`h2 a[href="/learn/${course.slug}"]`),
  });
  const [before, afterDate] = t('learning.dashboard.completed', { date: 'DATEMARK' }).split('DATEMARK');
  const cardText = await card.innerText();
  assert.ok(
    cardText.includes(before!.trim()) && cardText.includes(afterDate!.trim()),
    `completed: ${cardText}`,
  );
  await audit('dashboard-completed');
  await follow(page, card.locator(`a[href="/certificates"]`), /^\/certificates$/);
  await audit('certificates');

  // Download the PDF and read the verification code.
  const cert = page.locator('main section.callout').filter({ hasText: course.title[lang] });
  assert.equal(await cert.count(), 1);
  const code = (await cert.locator('dd code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    activate(cert.locator('a[download]')),
  ]);
  assert.equal(download.suggestedFilename(), `certificate-${code}.pdf`);
  const pdf = await readFile((await download.path())!);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.length > 2_000, `a real PDF (${pdf.length} bytes)`);

  // A stranger verifies the code on the public page: valid, course shown, holder's name hidden.
  const stranger = await b.newPage({ width, locale: lang });
  const check = auditor(stranger, `${name}-anon`);
  await stranger.goto('/verify');
  await check('verify-form');
  await stranger.locator('#f-code').focus();
  await stranger.keyboard.type(code);
  await Promise.all([
    stranger.waitForURL((u) => u.pathname === '/verify' && u.search.includes('code=')),
    stranger.keyboard.press('Enter'),
  ]);
  const status = stranger.locator('main [data-status]');
  assert.equal(await status.getAttribute('data-status'), 'valid');
  const text = await stranger.locator('main').innerText();
  assert.ok(text.includes(course.title[lang]), 'the course title is shown');
  assert.ok(text.includes(code));
  assert.ok(!text.includes(user.name), 'the holder name is hidden by default');
  assert.ok(text.includes(t('certificates.verify.nameHidden')));
  await check('verify-result');
  assert.equal(await stranger.locator('a[href="/logout"], form[action="/logout"]').count(), 0, 'anonymous');
}

test('a journalist completes the course in Mongolian and a stranger verifies the certificate (360 px)', async () => {
  await journey('mn', 360);
});

test('a journalist completes the course in English and a stranger verifies the certificate (desktop)', async () => {
  await journey('en', 1280);
});
