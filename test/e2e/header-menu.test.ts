/**
 * Issue 14, at 360 px: the header is one line with a menu (a <details> disclosure that needs no
 * script, opened from the keyboard), lesson tables scroll sideways with a cue and can be reached by
 * keyboard. At 1280 px the menu's links show inline and the summary is gone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBrowserApp, checkA11y, type BrowserApp } from '../support/browser';
import { traineePages, type TraineePages } from '../../bench/page-weight';

let b: BrowserApp;
let pages: TraineePages;
before(async () => {
  b = await startBrowserApp();
  pages = await traineePages(b.ctx, b.baseUrl);
});
after(() => b?.closeAll());

async function trainee(width: number, locale: 'en' | 'mn', javaScriptEnabled = true) {
  const context = await b.browser.newContext({
    viewport: { width, height: 740 },
    locale,
    extraHTTPHeaders: { 'Accept-Language': locale },
    baseURL: b.baseUrl,
    javaScriptEnabled,
  });
  const [name, ...value] = pages.cookie.split('=');
  await context.addCookies([{ name: name!, value: value.join('='), url: b.baseUrl }]);
  return { context, page: await context.newPage() };
}

test('360 px: one header line, a menu that opens from the keyboard without JavaScript', async () => {
  const { context, page } = await trainee(360, 'mn', false);
  try {
    await page.goto('/learn');
    const header = page.locator('header.site');
    const summary = header.locator('details.menu > summary');
    assert.equal((await summary.textContent())?.trim(), 'Цэс');
    assert.equal(await summary.evaluate((el) => getComputedStyle(el, '::before').content), '"☰ " / ""');
    // One line: brand, menu and language switch share a row no taller than a button and its padding.
    const box = (await header.boundingBox())!;
    assert.ok(box.height < 64, `header is ${box.height}px tall`);
    const tops = await Promise.all(
      ['.brand', 'details.menu > summary', 'form.lang button'].map(
        async (s) => (await header.locator(s).boundingBox())!,
      ),
    );
    for (const t of tops)
      assert.ok(t.y + t.height <= box.y + box.height && t.x + t.width <= 360, 'inside the line');
    const account = header.locator('nav a[href="/account"]');
    assert.equal(await account.isVisible(), false, 'links hidden until the menu opens');

    await summary.focus();
    await page.keyboard.press('Enter');
    assert.equal(await header.locator('details.menu').getAttribute('open'), '');
    assert.ok(await account.isVisible(), 'links shown once opened');
    // The panel covers the page below the header, inside the viewport, with room to tap.
    const link = (await account.boundingBox())!;
    assert.ok(link.y >= box.y + box.height - 1 && link.x + link.width <= 360);
    assert.ok(link.height >= 24, `tap target ${link.height}px`);
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.closest('nav')?.getAttribute('aria-label')),
      'Үндсэн цэс',
    );
    await summary.focus();
    await page.keyboard.press('Space');
    assert.equal(await account.isVisible(), false, 'closes again');
  } finally {
    await context.close();
  }
});

test('1280 px: the links show inline and the summary is hidden', async () => {
  const { context, page } = await trainee(1280, 'en');
  try {
    await page.goto('/learn');
    const header = page.locator('header.site');
    assert.equal(await header.locator('details.menu > summary').isVisible(), false);
    const account = header.locator('nav a[href="/account"]');
    assert.ok(await account.isVisible());
    const box = (await header.boundingBox())!;
    assert.ok(box.height < 64, `header is ${box.height}px tall`);
    const violations = await checkA11y(page);
    assert.deepEqual(
      violations.map((v) => v.id),
      [],
    );
  } finally {
    await context.close();
  }
});

test('360 px: a wide lesson table scrolls sideways, says so, and takes keyboard focus', async () => {
  const { context, page } = await trainee(360, 'mn');
  try {
    const lesson = pages.lessons.find((l) => l.name.includes('02-smuggling-vs-trafficking'))!;
    await page.goto(lesson.path);
    const wrap = page.locator('.block .table-wrap').first();
    const { scrollWidth, clientWidth } = await wrap.evaluate((el) => ({
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
    }));
    assert.ok(scrollWidth > clientWidth + 50, `table ${scrollWidth}px in ${clientWidth}px`);
    assert.ok(clientWidth <= 360);
    // The page itself does not scroll sideways: only the table does.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360));
    const hint = page.locator('.block .scroll-hint').first();
    assert.ok(await hint.isVisible());
    assert.match((await hint.textContent())!, /хажуу тийш гүйлгэнэ/);
    // The shadow cue on the edge that has more columns.
    assert.match(await wrap.evaluate((el) => getComputedStyle(el).backgroundImage), /radial-gradient/);
    assert.equal(await wrap.getAttribute('role'), 'region');
    assert.equal(await wrap.getAttribute('aria-label'), 'Хүснэгт');
    await wrap.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    // Keyboard scrolling is animated: wait for it to move rather than reading it at once.
    const moved = await page
      .waitForFunction((el) => (el as HTMLElement).scrollLeft > 0, await wrap.elementHandle(), {
        timeout: 5000,
      })
      .then(() => true)
      .catch(() => false);
    assert.ok(moved, 'arrow keys scroll it');

    const wide = await trainee(1280, 'en');
    try {
      await wide.page.goto(lesson.path);
      assert.equal(await wide.page.locator('.block .scroll-hint').first().isVisible(), false);
    } finally {
      await wide.context.close();
    }
  } finally {
    await context.close();
  }
});
