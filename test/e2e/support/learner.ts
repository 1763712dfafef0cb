/**
 * Browser helpers for learner journeys: keyboard sign-in, keyboard activation of links and buttons,
 * and answering a quiz sheet correctly from the question bank in the database.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import type { AppContext } from '../../../server/context';
import { attemptModel, questionModel } from '../../../modules/quizzes/model';
import { PASSWORD } from '../../factories';

/** Path of the page's URL with the mount prefix (if any) removed. */
export const pathOf = (page: Page, prefix = '') => {
  const p = new URL(page.url()).pathname;
  return prefix && p.startsWith(prefix) ? p.slice(prefix.length) || '/' : p;
};

/**
 * Activates a link or button the way a keyboard user does: focus it, press Enter. A click handler on
 * something that is not a real control would not react, so this also proves the control is one.
 */
export async function activate(target: Locator): Promise<void> {
  await target.focus();
  const focused = await target.evaluate((el) => el === document.activeElement);
  assert.ok(focused, 'the control takes keyboard focus');
  await target.press('Enter');
}

/** Activates and waits until the URL path matches (after any redirects). */
export async function follow(page: Page, target: Locator, to: RegExp): Promise<void> {
  await Promise.all([page.waitForURL((u) => to.test(u.pathname)), activate(target)]);
  await page.waitForLoadState('domcontentloaded');
}

/** Signs in with the keyboard only: Tab to the e-mail field, type, Tab, type, Enter. */
export async function keyboardSignIn(
  page: Page,
  email: string,
  { prefix = '', next = '/learn' }: { prefix?: string; next?: string } = {},
): Promise<void> {
  await page.goto(`${prefix}/login?next=${encodeURIComponent(next)}`);
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  let steps = 0;
  while ((await focused()) !== 'f-email' && steps++ < 30) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'f-email', 'the e-mail field is reachable with Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'f-password');
  await page.keyboard.type(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith(`${prefix}/login`)),
    page.keyboard.press('Enter'),
  ]);
}

/** An answer control by its field name and value (choices sit inside their labels, without ids). */
const choice = (page: Page, name: string, value: string) =>
  page.locator(`#quiz-form input[name="${name}"][value="${value}"]`);

/** Checks a radio button or checkbox with the Space key. */
async function tick(page: Page, name: string, value: string): Promise<void> {
  const input = choice(page, name, value);
  await input.focus();
  if (!(await input.isChecked())) await page.keyboard.press('Space');
  assert.ok(await input.isChecked(), `${name}=${value} is checked`);
}

const SHEET = /\/quizzes\/attempts\/([0-9a-f]{24})(?:\/pages\/\d+)?$/;

/**
 * On an answer sheet (/quizzes/attempts/:id), answers every item correctly, reading the right answers
 * from the question bank (each option's `correct`; ordering = the bank's option order), page by page:
 * the questions of the page shown, then Next (keyboard), until the last page, which has Submit.
 */
export async function answerSheetCorrectly(page: Page, ctx: AppContext, prefix = ''): Promise<number> {
  const m = SHEET.exec(pathOf(page, prefix));
  assert.ok(m, `on an answer sheet: ${page.url()}`);
  const attempt = await attemptModel(ctx.db).findById(m[1]).lean();
  assert.ok(attempt, 'the attempt exists');
  const bank = await questionModel(ctx.db).find({ courseId: attempt.courseId }).lean();
  const byQid = new Map(bank.map((q) => [q.qid, q]));
  const done = new Set<string>();
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 20, 'the sheet ends');
    for (const item of attempt.items) {
      const q = byQid.get(item.qid);
      assert.ok(q, `question ${item.qid} in the bank`);
      const field =
        q.type === 'case'
          ? `c.${q.qid}`
          : q.type === 'ordering'
            ? `o.${q.qid}.${q.options[0]!.id}`
            : `q.${q.qid}`;
      if (done.has(q.qid) || !(await page.locator(`#quiz-form [name="${field}"]`).count())) continue;
      done.add(q.qid);
      const right = q.options.filter((o) => o.correct === true).map((o) => o.id);
      switch (q.type) {
        case 'single':
        case 'true-false':
        case 'multiple':
        case 'spot-harm':
          for (const id of right) await tick(page, `q.${q.qid}`, id);
          break;
        case 'case': {
          const element = (q.elements ?? []).find((o) => o.correct === true);
          assert.ok(right[0] && element, `case ${q.qid} has a right classification and element`);
          await tick(page, `c.${q.qid}`, right[0]);
          await tick(page, `e.${q.qid}`, element.id);
          break;
        }
        case 'ordering':
          for (const [i, o] of q.options.entries()) {
            const select = page.locator(`#quiz-form select[name="o.${q.qid}.${o.id}"]`);
            await select.focus();
            await select.selectOption(String(i + 1));
          }
          break;
      }
    }
    const next = page.locator('#quiz-form p.actions button[name=go]:not(.secondary)');
    if (!(await next.count())) break;
    const to = Number(await next.getAttribute('value'));
    await follow(page, next, new RegExp(`/pages/${to}$`));
  }
  assert.equal(done.size, attempt.items.length, 'every question was on some page');
  return attempt.items.length;
}

/**
 * From a quiz intro page: start an attempt, answer every question right (page by page), submit on the
 * last page, and land on the result. `visit` is called on the intro, the sheet's first page and the
 * result (for a11y checks and screenshots).
 */
export async function passQuizFromIntro(
  page: Page,
  ctx: AppContext,
  {
    prefix = '',
    visit,
  }: { prefix?: string; visit?: (kind: 'intro' | 'sheet' | 'result') => Promise<void> } = {},
): Promise<{ score: string }> {
  assert.match(pathOf(page, prefix), /^\/quizzes\/[0-9a-f]{24}$/, `on a quiz intro: ${page.url()}`);
  await visit?.('intro');
  await follow(
    page,
    page.locator(`main form[action$="/attempts"] button[type=submit]`),
    /\/quizzes\/attempts\/[0-9a-f]{24}$/,
  );
  await visit?.('sheet');
  await answerSheetCorrectly(page, ctx, prefix);
  await follow(page, page.locator('#quiz-form p.actions button[formaction$="/submit"]'), /\/result$/);
  const status = page.locator('main .alert[role=status]');
  assert.match((await status.getAttribute('class')) ?? '', /success/, await status.innerText());
  await visit?.('result');
  return { score: (await status.locator('strong').innerText()).trim() };
}

/** Every same-origin link, form action, stylesheet and script of the page (as paths). */
export async function ownPaths(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const attrs: Array<[string, string]> = [
      ['a[href]', 'href'],
      ['link[href]', 'href'],
      ['form[action]', 'action'],
      ['script[src]', 'src'],
      ['img[src]', 'src'],
      ['[formaction]', 'formAction'],
    ];
    const out: string[] = [];
    for (const [sel, prop] of attrs) {
      for (const el of Array.from(document.querySelectorAll(sel))) {
        const raw = (el as unknown as Record<string, string>)[prop];
        if (!raw) continue;
        const u = new URL(raw, location.href);
        if (u.origin === location.origin) out.push(u.pathname);
      }
    }
    return out;
  });
}
