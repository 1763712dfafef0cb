/**
 * The Chromium that `npm test` falls back to on a machine without one (shipped inside the
 * @sparticuz/chromium devDependency) is tried on every machine, whichever browser the other browser
 * tests found: it launches, drives the app, and draws Mongolian Cyrillic as real glyphs, not as the
 * boxes a missing font gives (every missing letter is the same box, so equal widths give them away).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, startBrowserApp, type BrowserApp } from '../support/browser';
import { npmChromium } from '../support/chromium-path';

let b: BrowserApp | undefined;
before(async () => {
  const chromium = await npmChromium();
  assert.equal(chromium.source, 'npm');
  b = await startBrowserApp({}, { chromium });
});
after(() => b?.closeAll());

test('the npm-shipped Chromium shows the Mongolian sign-in page with Cyrillic glyphs', async () => {
  const page = await b!.newPage({ locale: 'mn', width: 360 });
  const res = await page.goto('/login');
  assert.equal(res?.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'mn');
  const heading = page.locator('h1').first();
  assert.match(await heading.innerText(), /[\u0400-\u04ff]/, 'the heading is in Cyrillic');
  const letters = [...'өүшлжМЯ'];
  const widths = await heading.evaluate((h1, chars) => {
    const style = getComputedStyle(h1);
    const ctx = document.createElement('canvas').getContext('2d')!;
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return chars.map((c) => ctx.measureText(c).width);
  }, letters);
  assert.ok(
    widths.every((w) => w > 0),
    `every letter is drawn: ${widths.join(', ')}`,
  );
  assert.ok(new Set(widths).size > 2, `letters have their own widths, not one box's: ${widths.join(', ')}`);
  await screenshot(page, 'npm-chromium-login-mn-360');
});
