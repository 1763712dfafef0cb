import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildCall, PASSWORD } from '../factories';
import {
  checkA11y,
  describeViolations,
  SCREENSHOTS,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
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
  const kept = await localCopies(page, pitchId);
  assert.match(kept ?? '', /Written on a bus/);
  await page.context().setOffline(false);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  const after = await until(
    () => pitchModel(b.ctx.db).findById(pitchId).lean(),
    (p) => p?.angle === 'Written on a bus without signal',
  );
  assert.equal(after?.angle, 'Written on a bus without signal');
  await until(
    () => localCopies(page, pitchId),
    (v) => v === '',
  );

  // A stored copy that was never sent comes back after a reload.
  await page.context().setOffline(true);
  await page.fill('#f-audience', 'Parents in Darkhan');
  await page.waitForFunction(() =>
    /no connection/i.test(document.getElementById('autosave-status')?.textContent ?? ''),
  );
  // Reload only once the copy is on the device (under load the status can show first).
  const stored = await until(
    () => localCopies(page, pitchId),
    (v) => v.includes('Parents in Darkhan'),
  );
  assert.match(stored, /Parents in Darkhan/);
  await page.context().setOffline(false);
  await page.reload();
  assert.equal(await page.inputValue('#f-audience'), 'Parents in Darkhan');
  await until(
    () => pitchModel(b.ctx.db).findById(pitchId).lean(),
    (p) => p?.audience === 'Parents in Darkhan',
  );
  assert.equal((await pitchModel(b.ctx.db).findById(pitchId).lean())?.audience, 'Parents in Darkhan');
});

/** Every unsent copy of a pitch this browser keeps (one per tab), as one string. */
function localCopies(page: Page, pitchId: string): Promise<string> {
  return page.evaluate((id) => {
    const out: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i)!;
      if (k.startsWith(`umbrella:pitch:${id}`)) out.push(localStorage.getItem(k) ?? '');
    }
    return out.join('\n');
  }, pitchId);
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

async function expectNoViolations(page: Page, name: string) {
  const violations = await checkA11y(page);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name}:\n${describeViolations(violations)}`,
  );
}

test('two tabs on one draft: the conflict shows both versions, survives a reload, and merges by field', async () => {
  const call = await buildCall(b.ctx);
  const user = await trainedJournalist(b.ctx);
  const tab1 = await b.newPage({ width: 1366 });
  await signInAs(tab1, user.email);
  const started = await postForm(tab1, `/grants/${String(call._id)}/pitches`, `/grants/${String(call._id)}`);
  const pitchId = started.headers().location!.split('/').pop()!;
  const tab2 = await tab1.context().newPage();
  await tab1.goto(`/grants/pitches/${pitchId}`);
  await tab2.goto(`/grants/pitches/${pitchId}`);
  const stored = () => pitchModel(b.ctx.db).findById(pitchId).lean();

  await tab2.fill('#f-angle', 'Angle written in tab 2');
  await until(stored, (p) => p?.angle === 'Angle written in tab 2');
  await tab1.fill('#f-timeline', 'Timeline written in tab 1');
  await tab1.waitForSelector('#conflict');
  const panel = (await tab1.textContent('#conflict'))!;
  assert.match(panel, /Saved by you, in another tab or device/);
  assert.ok(panel.includes('Angle written in tab 2') && panel.includes('Timeline written in tab 1'));
  assert.doesNotMatch(panel, /Someone else/);
  await expectNoViolations(tab1, 'conflict panel');

  // Tab 2 keeps typing: it must not overwrite or delete tab 1's copy.
  await tab2.fill('#f-audience', 'Audience from tab 2');
  await until(stored, (p) => p?.audience === 'Audience from tab 2');

  // A reload keeps tab 1's text and asks again.
  await tab1.reload();
  await tab1.waitForSelector('#conflict');
  assert.ok((await tab1.textContent('#conflict'))!.includes('Timeline written in tab 1'));
  await tab1.setViewportSize({ width: 360, height: 740 });
  await shot(tab1, 'pitch-conflict-360');
  await tab1.setViewportSize({ width: 1366, height: 900 });
  // Merge: the saved angle and audience, this tab's timeline (each side changed its own parts).
  // The merge saves, then loads the page again (same URL): wait for that load, not for the URL.
  const reloaded = tab1.waitForEvent('load');
  await tab1.click('#conflict button[data-keep="merge"]');
  await reloaded;
  const merged = await until(stored, (p) => p?.timeline === 'Timeline written in tab 1');
  assert.equal(merged?.angle, 'Angle written in tab 2');
  assert.equal(merged?.audience, 'Audience from tab 2');
  assert.equal(merged?.timeline, 'Timeline written in tab 1');
  assert.equal(await localCopies(tab1, pitchId), '');
});

test('the race: a stale tab that presses Enter (the Save button) can no longer overwrite the other tab silently', async () => {
  const call = await buildCall(b.ctx);
  const user = await trainedJournalist(b.ctx);
  const tab1 = await b.newPage({ width: 1366 });
  await signInAs(tab1, user.email);
  const started = await postForm(tab1, `/grants/${String(call._id)}/pitches`, `/grants/${String(call._id)}`);
  const pitchId = started.headers().location!.split('/').pop()!;
  const tab2 = await tab1.context().newPage();
  await tab1.goto(`/grants/pitches/${pitchId}`);
  await tab2.goto(`/grants/pitches/${pitchId}`);
  const stored = () => pitchModel(b.ctx.db).findById(pitchId).lean();
  await tab2.fill('#f-angle', 'Angle that must survive');
  await until(stored, (p) => p?.angle === 'Angle that must survive');

  // Tab 1 (still on the old version) types a title and presses Enter: the form posts at once.
  await tab1.fill('#f-title', 'Title from tab 1');
  await Promise.all([tab1.waitForNavigation(), tab1.press('#f-title', 'Enter')]);
  // Then keeps typing on the page that came back.
  // (With the fix the form waits for a choice, so typing is refused; before it, autosave went out.)
  await tab1.fill('#f-timeline', 'More typing in tab 1', { timeout: 2000 }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal((await stored())?.angle, 'Angle that must survive');
  await tab1.waitForSelector('#conflict');
});
