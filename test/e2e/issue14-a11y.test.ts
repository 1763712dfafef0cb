/**
 * Pages issue 14 added, checked with axe (WCAG 2.x A/AA) at 360 px in Mongolian and 1280 px in
 * English: the question editor (list, editor with errors, preview, history) and the recovery codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { generateSync } from 'otplib';
import { buildUser, PASSWORD } from '../factories';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
import { importCourses } from '../../modules/learning';

let b: BrowserApp;
before(async () => {
  b = await startBrowserApp();
  await importCourses(b.ctx);
});
after(() => b?.closeAll());

async function clean(page: Page, name: string) {
  const violations = await checkA11y(page);
  await screenshot(page, name);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name} (${page.url()}):\n${describeViolations(violations)}`,
  );
}

for (const [width, locale] of [
  [360, 'mn'],
  [1280, 'en'],
] as const) {
  test(`question editor and recovery codes: no axe violations (${locale}, ${width} px)`, async () => {
    const trainer = await buildUser(b.ctx, { role: 'trainer', locale });
    const page = await b.newPage({ width, locale });
    await page.goto('/login');
    await page.locator('#f-email').fill(trainer.email);
    await page.locator('#f-password').fill(PASSWORD);
    await Promise.all([page.waitForURL(/\/login\/2fa$/), page.locator('#f-password').press('Enter')]);
    await page.locator('details.recovery > summary').click();
    await clean(page, `issue14-totp-${locale}-${width}`);
    await page.locator('#f-code').fill(generateSync({ secret: trainer.totpSecret! }));
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('#f-code').press('Enter')]);

    await page.goto('/trainer/courses/tip-reporting/questions');
    await clean(page, `issue14-questions-${locale}-${width}`);
    await Promise.all([page.waitForURL(/\/edit$/), page.locator('main a[href$="/edit"]').first().click()]);
    await clean(page, `issue14-question-edit-${locale}-${width}`);
    await page.locator('#f-stemMn').fill('');
    await Promise.all([
      page.waitForURL(/saved=1/),
      page.locator('form[action$="/edit"] .row-actions button[value=save]').click(),
    ]);
    await Promise.all([
      page.waitForLoadState('load'),
      page.locator('form[action$="/publish"] button').click(),
    ]);
    assert.equal(await page.locator('#f-stemMn').getAttribute('aria-invalid'), 'true');
    await clean(page, `issue14-question-errors-${locale}-${width}`);
    await page.goto(page.url().replace(/\/publish$/, '/preview'));
    await clean(page, `issue14-question-preview-${locale}-${width}`);
    await page.goto(page.url().replace(/\/preview$/, '/history'));
    await clean(page, `issue14-question-history-${locale}-${width}`);

    await page.goto('/account');
    await clean(page, `issue14-account-${locale}-${width}`);
    await Promise.all([
      page.waitForLoadState('load'),
      page.locator('form[action$="/account/recovery-codes"] button').click(),
    ]);
    await page.locator('#f-stepUpSecret').fill(PASSWORD);
    await Promise.all([page.waitForLoadState('load'), page.locator('#f-stepUpSecret').press('Enter')]);
    assert.equal(await page.locator('ol.codes li').count(), 10);
    await clean(page, `issue14-codes-${locale}-${width}`);
  });
}
