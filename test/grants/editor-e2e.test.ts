import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildCall, PASSWORD } from '../factories';
import { checkA11y, describeViolations, startBrowserApp, type BrowserApp } from '../support/browser';
import { pitchModel } from '../../modules/grants/model';
import { trainedJournalist } from './helpers';

let b: BrowserApp;
before(async () => {
  b = await startBrowserApp();
});
after(() => b?.closeAll());

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || performance.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/**
 * Form POSTs go through the context's request API (same cookies as the page): under
 * `Referrer-Policy: no-referrer` Chromium sends `Origin: null` on form submissions, which
 * server/http/security.ts (sameOriginOnly) currently refuses. The editor's own fetch is unaffected.
 */
async function postForm(page: Page, path: string, from: string, form: Record<string, string> = {}) {
  const api = page.context().request;
  const html = await (await api.get(from)).text();
  return api.post(path, { form: { _csrf: csrfOf(html), ...form }, maxRedirects: 0 });
}

async function signInAs(page: Page, email: string) {
  const res = await postForm(page, '/login', '/login', { email, password: PASSWORD });
  assert.equal(res.status(), 303);
}

test('the pitch editor autosaves, survives a lost connection, and has no axe violations on a phone', async () => {
  const call = await buildCall(b.ctx);
  const user = await trainedJournalist(b.ctx);
  const page = await b.newPage({ width: 360 });
  await signInAs(page, user.email);
  await page.goto(`/grants/${String(call._id)}`);
  await expectNoViolations(page, 'call page');
  const started = await postForm(page, `/grants/${String(call._id)}/pitches`, `/grants/${String(call._id)}`);
  const pitchId = started.headers().location!.split('/').pop()!;
  await page.goto(`/grants/pitches/${pitchId}`);
  await expectNoViolations(page, 'pitch editor');

  await page.fill('#f-title', 'Autosaved title');
  const saved = await until(
    () => pitchModel(b.ctx.db).findById(pitchId).lean(),
    (p) => p?.title === 'Autosaved title',
  );
  assert.equal(saved?.title, 'Autosaved title');
  await page.waitForFunction(() =>
    /saved/i.test(document.getElementById('autosave-status')?.textContent ?? ''),
  );

  // Offline: the text stays on the device and goes out when the connection is back.
  await page.context().setOffline(true);
  await page.fill('#f-angle', 'Written on a bus without signal');
  await page.waitForFunction(() =>
    /no connection/i.test(document.getElementById('autosave-status')?.textContent ?? ''),
  );
  const kept = await page.evaluate((id) => localStorage.getItem(`umbrella:pitch:${id}`), pitchId);
  assert.match(kept ?? '', /Written on a bus/);
  await page.context().setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  const after = await until(
    () => pitchModel(b.ctx.db).findById(pitchId).lean(),
    (p) => p?.angle === 'Written on a bus without signal',
  );
  assert.equal(after?.angle, 'Written on a bus without signal');
  await until(
    () => page.evaluate((id) => localStorage.getItem(`umbrella:pitch:${id}`), pitchId),
    (v) => v === null,
  );

  // A stored copy that was never sent comes back after a reload.
  await page.context().setOffline(true);
  await page.fill('#f-audience', 'Parents in Darkhan');
  await page.waitForFunction(() =>
    /no connection/i.test(document.getElementById('autosave-status')?.textContent ?? ''),
  );
  await page.context().setOffline(false);
  await page.reload();
  assert.equal(await page.inputValue('#f-audience'), 'Parents in Darkhan');
  await until(
    () => pitchModel(b.ctx.db).findById(pitchId).lean(),
    (p) => p?.audience === 'Parents in Darkhan',
  );
  assert.equal((await pitchModel(b.ctx.db).findById(pitchId).lean())?.audience, 'Parents in Darkhan');
});

async function expectNoViolations(page: Page, name: string) {
  const violations = await checkA11y(page);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name}:\n${describeViolations(violations)}`,
  );
}
