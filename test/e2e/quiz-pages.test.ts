/**
 * The paged pre-test in Chromium at 360 px, in Mongolian, with JavaScript on: the autosave saves the
 * page it is on, Next moves focus to the new page's first question, Submit on the last page with
 * questions left shows the error summary (focused) with links to their pages, and every page passes axe.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkA11y, describeViolations, startBrowserApp, type BrowserApp } from '../support/browser';
import { traineePages, type TraineePages } from '../../bench/page-weight';
import { attemptModel, type Attempt } from '../../modules/quizzes/model';

let b: BrowserApp;
let pages: TraineePages;
before(async () => {
  b = await startBrowserApp();
  pages = await traineePages(b.ctx, b.baseUrl);
});
after(() => b?.closeAll());

const stored = async (path: string) =>
  (await attemptModel(b.ctx.db).findById(path.split('/').pop()).lean<Attempt>())!;

test('the paged pre-test: autosave per page, focus on the new page, summary across pages (360 px, mn)', async () => {
  const context = await b.browser.newContext({ viewport: { width: 360, height: 740 }, baseURL: b.baseUrl });
  try {
    const [name, ...value] = pages.cookie.split('=');
    await context.addCookies([{ name: name!, value: value.join('='), url: b.baseUrl }]);
    const page = await context.newPage();
    await page.goto(`${pages.preTest.path}/pages/2`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'no sideways scroll');
    assert.equal(await page.locator('#page-of').innerText(), `Хуудас 2/${pages.preTestPages.length}`);
    // The autosave: one choice on page 2, saved without a button; page 1 stays as it was.
    const radio = page.locator('#quiz-form input[type=radio][name^="q."]').first();
    const qid = (await radio.getAttribute('name'))!.split('.')[1]!;
    await radio.focus();
    await page.keyboard.press('Space');
    await page.locator('#autosave-status', { hasText: 'Хариултууд хадгалагдлаа.' }).waitFor();
    const saved = await stored(pages.preTest.path);
    assert.deepEqual(Object.keys(saved.answers), [qid]);
    // Next with the keyboard: page 3, its first question focused (where a screen reader starts).
    const next = page.locator('#quiz-form p.actions button[name=go]:not(.secondary)');
    await next.focus();
    await Promise.all([page.waitForURL(/\/pages\/3$/), page.keyboard.press('Enter')]);
    const focused = await page.evaluate(() => document.activeElement?.querySelector('legend')?.textContent);
    assert.match(focused ?? '', /^Асуулт \d+\/\d+/, 'focus on the first question of the new page');
    const violations = await checkA11y(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    // The last page: Submit with questions left; the summary is focused and links to their pages.
    await page.goto(pages.preTestPages.at(-1)!.path);
    const submit = page.locator('#quiz-form p.actions button[formaction$="/submit"]');
    await Promise.all([page.waitForLoadState('load'), submit.click()]);
    await page.locator('#error-summary').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary');
    const links = await page
      .locator('#error-summary a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length > 1);
    assert.ok(
      links.every((h) => /\/pages\/\d+#f-/.test(h ?? '')),
      links.join(' '),
    );
    assert.ok(!links.some((h) => h!.includes(`#f-${qid}-`)), 'the autosaved question is answered');
    const summary = await checkA11y(page);
    assert.deepEqual(summary, [], describeViolations(summary));
    // A summary link leads to the question's page, the field in view.
    await Promise.all([page.waitForURL(/\/pages\/1#f-/), page.locator('#error-summary a').first().click()]);
    const target = links[0]!.split('#')[1]!;
    assert.ok(await page.locator(`[id="${target}"]`).isVisible());
    assert.equal((await stored(pages.preTest.path)).status, 'started');
  } finally {
    await context.close();
  }
});
