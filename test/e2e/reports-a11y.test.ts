/**
 * The "Reports" issue's done-when: with a small data set (the imported course, a trainer's cohort with
 * submitted pre/post attempts, one grant call), a trainer opens every training report (completion, one
 * trainee, gain, items) and an admin the grant pipeline, in English and then in Mongolian (switched with
 * the language button). Every page passes axe with zero violations; every chart has an accessible name.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
import { translator } from '../../server/i18n';
import { buildUser } from '../factories';
import { pathOf, signInAs } from './support-grants/browser-helpers';
import { buildReportsData } from './support-grants/reports-data';

let b: BrowserApp;
let data: Awaited<ReturnType<typeof buildReportsData>>;
before(async () => {
  b = await startBrowserApp();
  data = await buildReportsData(b.ctx);
});
after(() => b?.closeAll());

type Lang = 'en' | 'mn';

async function expectAccessible(page: Page, name: string) {
  const violations = await checkA11y(page);
  await screenshot(page, name);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name} (${page.url()}):\n${describeViolations(violations)}`,
  );
}

/** Every chart is an image with a non-empty accessible name (its <title>) and a description. */
async function chartsAreNamed(page: Page, expected: string[]) {
  const charts = await page.locator('svg[role=img]').evaluateAll((svgs) =>
    svgs.map((svg) => {
      const ids = (svg.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean);
      const parts = ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? '');
      return { ids: ids.length, parts };
    }),
  );
  assert.equal(charts.length, expected.length, `${expected.length} chart(s) on ${page.url()}`);
  for (const [i, c] of charts.entries()) {
    assert.ok(c.ids >= 1 && c.parts.every((p) => p.length > 0), `chart ${i + 1} has a name and description`);
    assert.equal(c.parts[0], expected[i]);
  }
}

/** Switches the interface language with the header button (saved to the profile when signed in). */
async function switchTo(page: Page, lang: Lang) {
  if ((await page.getAttribute('html', 'lang')) === lang) return;
  const [posted] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/lang'),
    page.locator(`form.lang button[value=${lang}]`).click(),
  ]);
  // A refused switch (CSRF, 503) would otherwise surface only as a timeout on the page's language.
  if (posted.status() !== 303)
    assert.fail(`POST /lang answered ${posted.status()}: ${(await posted.text()).slice(0, 300)}`);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

async function open(page: Page, path: string, lang: Lang): Promise<void> {
  const res = await page.goto(path);
  assert.equal(res?.status(), 200, path);
  assert.equal(await page.getAttribute('html', 'lang'), lang);
}

test('a trainer opens every training report in English and Mongolian: zero axe violations', async () => {
  const page = await b.newPage();
  await signInAs(page, data.trainer, '/reports');
  assert.equal(pathOf(page), '/reports');
  for (const lang of ['en', 'mn'] as const) {
    const t = translator(lang);
    await page.goto('/reports');
    await switchTo(page, lang);
    await expectAccessible(page, `reports-index-${lang}`);

    await open(page, '/reports/completion', lang);
    const main = (await page.textContent('main'))!;
    for (const u of data.trainees) assert.ok(main.includes(u.name), `${u.name} is in the trainer's cohort`);
    await expectAccessible(page, `reports-completion-${lang}`);

    // The per-trainee page, reached from the matrix.
    const trainee = data.trainees[0]!;
    const link = page.locator(`main a[href="/reports/trainees/${String(trainee._id)}"]`).first();
    if (await link.count()) {
      await Promise.all([page.waitForURL(/\/reports\/trainees\//), link.click()]);
    } else {
      await open(page, `/reports/trainees/${String(trainee._id)}`, lang);
    }
    assert.ok((await page.textContent('h1'))!.includes(trainee.name));
    await expectAccessible(page, `reports-trainee-${lang}`);

    await open(page, '/reports/gain', lang);
    assert.ok((await page.textContent('main'))!.includes(t('reports.gain.paired', { count: 3 })));
    await chartsAreNamed(page, [t('reports.gain.chartTitle')]);
    await expectAccessible(page, `reports-gain-${lang}`);

    await open(page, '/reports/items', lang);
    assert.ok((await page.locator('main table').count()) >= 1, 'item statistics are shown');
    await expectAccessible(page, `reports-items-${lang}`);

    await open(page, '/reports/items?quiz=pre', lang);
    await expectAccessible(page, `reports-items-pre-${lang}`);
  }
});

test('an admin opens the grant pipeline in English and Mongolian: zero axe violations', async () => {
  const page = await b.newPage();
  await signInAs(page, data.admin, '/reports/pipeline');
  for (const lang of ['en', 'mn'] as const) {
    const t = translator(lang);
    await page.goto('/reports/pipeline');
    await switchTo(page, lang);
    await open(page, `/reports/pipeline?call=${String(data.callId)}`, lang);
    await chartsAreNamed(page, [t('reports.pipeline.funnelTitle'), t('reports.pipeline.scoresTitle')]);
    await expectAccessible(page, `reports-pipeline-${lang}`);
    // Admins see every cohort's training reports too.
    await open(page, '/reports/completion', lang);
    await expectAccessible(page, `reports-completion-admin-${lang}`);
  }
});

test('trainers may not open the grant pipeline', async () => {
  const page = await b.newPage({ locale: 'mn' });
  const trainer = await buildUser(b.ctx, { role: 'trainer', locale: 'mn' });
  await signInAs(page, trainer, '/reports');
  const res = await page.goto('/reports/pipeline');
  assert.equal(res?.status(), 403);
  await expectAccessible(page, 'reports-pipeline-forbidden-mn');
});
