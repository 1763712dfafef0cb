/**
 * Issue 14's "done when": a journalist goes pre-test → lessons → post-test → certificate by following
 * only the page's forward control (Continue, the lesson's quiz, "next lesson") — never typing a URL —
 * so any dead end fails the test. Then the trainer, by links only, finds the self-registered learner
 * in the reports, adds them to a cohort and sees them there as completed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { generateSync } from 'otplib';
import { buildUser, PASSWORD } from '../factories';
import { startBrowserApp, type BrowserApp } from '../support/browser';
import { getOutlineBySlug, importCourses, type CourseOutline } from '../../modules/learning';
import { cohortModel, enrolmentModel } from '../../modules/learning/model';
import { quizModel } from '../../modules/quizzes/model';
import { activate, follow, keyboardSignIn, passQuizFromIntro, pathOf } from './support/learner';

let b: BrowserApp;
let course: CourseOutline;
before(async () => {
  b = await startBrowserApp();
  const [imported] = await importCourses(b.ctx);
  course = (await getOutlineBySlug(b.ctx, imported!.slug))!;
});
after(() => b?.closeAll());

const QUIZ_INTRO = /^\/quizzes\/[0-9a-f]{24}$/;

/** The one control a page offers to go on; fails (a dead end) when there is none. */
async function forward(page: Page): Promise<string> {
  const path = pathOf(page);
  const candidates = [
    'main a.button[href$="/quiz"]', // a lesson with a quiz: take it
    'main a.button', // Continue (quiz result, course page, dashboard) or the certificate
    'main a[rel="next"]', // a lesson without a quiz: the next lesson
    `main a[href="/certificates"]`, // a completed course
  ];
  for (const sel of candidates) {
    const link = page.locator(sel).first();
    if (await link.count()) return (await link.getAttribute('href'))!;
  }
  assert.fail(`dead end at ${path}: ${(await page.locator('main').innerText()).slice(0, 400)}`);
}

test('pre-test → lessons by Continue → post-test → certificate with no dead end; the trainer then sees the learner', async () => {
  const trainer = await buildUser(b.ctx, { role: 'trainer', locale: 'en', name: 'Tsetseg Trainer' });
  await cohortModel(b.ctx.db).create({
    name: 'Darkhan spring',
    courseId: course.id,
    trainerIds: [trainer._id],
  });
  const learner = await buildUser(b.ctx, { locale: 'mn', name: 'Батбаяр Дорж', region: 'Дархан' });
  const quizzes = await quizModel(b.ctx.db).find({ courseId: course.id }).lean();
  const keyOf = new Map(quizzes.map((q) => [`/quizzes/${String(q._id)}`, q.key]));

  const page = await b.newPage({ width: 360, locale: 'mn' });
  await keyboardSignIn(page, learner.email, { next: '/learn' }); // the dashboard offers the course
  await follow(page, page.locator(`main a[href="/learn/${course.slug}"]`).first(), /^\/learn\/[a-z0-9-]+$/);

  const taken: string[] = [];
  const read: string[] = [];
  for (let step = 0; step < 80 && pathOf(page) !== '/certificates'; step++) {
    const here = pathOf(page);
    if (QUIZ_INTRO.test(here)) {
      taken.push(keyOf.get(here)!);
      await passQuizFromIntro(page, b.ctx);
    } else if (here.startsWith(`/learn/${course.slug}/`)) {
      read.push(here.split('/').pop()!);
    }
    const href = await forward(page);
    await follow(page, page.locator(`main a[href="${href}"]`).first(), /./);
    assert.notEqual(pathOf(page), here, `the forward control on ${here} leads elsewhere`);
  }
  assert.equal(pathOf(page), '/certificates', 'the journey ends at the certificate');

  // In course order: the pre-test first, every lesson (each quiz after its lesson), the post-test last.
  const lessonQuizzes = course.lessons.filter((l) => l.hasQuiz).map((l) => `lesson:${l.slug}`);
  assert.deepEqual(taken, ['pre', ...lessonQuizzes, 'post']);
  assert.deepEqual(
    [...new Set(read)],
    course.lessons.map((l) => l.slug),
  );
  const cert = page.locator('main section.callout').filter({ hasText: course.title.mn });
  assert.match((await cert.locator('dd code').innerText()).trim(), /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.ok((await enrolmentModel(b.ctx.db).findOne({ userId: learner._id }).lean())?.completedAt);

  // The trainer: reports → why it is empty → the learner in no cohort → added → in the report.
  const staff = await b.newPage({ width: 1280, locale: 'en' });
  await staff.goto('/login?next=%2Freports');
  await staff.locator('#f-email').fill(trainer.email);
  await staff.locator('#f-password').fill(PASSWORD);
  await Promise.all([staff.waitForURL(/\/login\/2fa$/), staff.locator('#f-password').press('Enter')]);
  await staff.locator('#f-code').fill(generateSync({ secret: trainer.totpSecret! }));
  await Promise.all([
    staff.waitForURL((u) => u.pathname === '/reports'),
    staff.locator('#f-code').press('Enter'),
  ]);
  await follow(staff, staff.locator('main a[href="/reports/completion"]'), /^\/reports\/completion$/);
  if (!(await staff.locator('main a[href="/trainer/cohorts#unassigned"]').count())) {
    // More than one course: choose this one in the filter.
    await staff.locator('main select[name=course]').selectOption(course.slug);
    await Promise.all([
      staff.waitForURL(/course=/),
      staff.locator('main form button[type=submit]').first().click(),
    ]);
  }
  assert.match(await staff.locator('main').innerText(), /in no cohort: 1/);
  await follow(staff, staff.locator('main a[href="/trainer/cohorts#unassigned"]'), /^\/trainer\/cohorts$/);
  const row = staff.locator('#unassigned ~ div tr', { hasText: learner.name });
  assert.equal(await row.count(), 1, 'the learner is listed in no cohort');
  await Promise.all([
    staff.waitForURL((u) => u.search === '?claimed=1'),
    activate(row.locator('button[type=submit]')),
  ]);
  await staff.goto('/reports');
  await follow(staff, staff.locator('main a[href="/reports/completion"]'), /^\/reports\/completion$/);
  const learnerRow = staff.locator('main table tbody tr', { hasText: learner.name });
  assert.equal(await learnerRow.count(), 1, 'the learner is in the report');
  assert.match(await learnerRow.innerText(), /Completed/);
});
