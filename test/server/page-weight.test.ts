/**
 * Issue 20's page-weight budget in bytes on the wire (headers included), on the shipped course in
 * Mongolian: ≤ 15 KB of HTML + CSS + JS on a first visit, ≤ 6 KB on a repeat visit, no web fonts —
 * for every page of the paged pre-test sheet too.
 * bench/page-weight.ts prints the same figures, and the paint time over slow 3G.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { buildTestApp, type TestApp } from '../support/app';
import { closeServer } from '../support/browser';
import { listen } from '../../bench/measure';
import { traineePages, type TraineePages } from '../../bench/page-weight';
import { BUDGET, pageWeight } from '../../bench/page-weight-measure';

let t: TestApp;
let server: Server;
let base: string;
let pages: TraineePages;
before(async () => {
  t = await buildTestApp();
  ({ server, url: base } = await listen(t.app));
  pages = await traineePages(t.ctx, base);
});
after(async () => {
  await closeServer(server);
  await t.close();
});

const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;

test('dashboard, a lesson and its quiz sheet: ≤ 15 KB first visit, ≤ 6 KB repeat, brotli or gzip', async (c) => {
  for (const page of [pages.dashboard, pages.lesson, pages.lessonQuiz]) {
    for (const encoding of ['br', 'gzip'] as const) {
      const w = await pageWeight(base, page, pages.cookie, encoding);
      c.diagnostic(`${page.name} (${encoding}): first ${kb(w.firstVisit)}, repeat ${kb(w.repeatVisit)}`);
      assert.equal(w.status, 200, page.path);
      assert.equal(w.encoding, encoding, `${page.name} compressed`);
      assert.ok(
        w.firstVisit <= BUDGET.firstVisit,
        `${page.name} first visit ${kb(w.firstVisit)} (${encoding})`,
      );
      assert.ok(
        w.repeatVisit <= BUDGET.repeatVisit,
        `${page.name} repeat ${kb(w.repeatVisit)} (${encoding})`,
      );
      assert.equal(w.fonts, 0, 'no web fonts');
      // One stylesheet, content-hashed and kept a year; scripts (the sheet's autosave) are inline.
      assert.equal(w.assets.length, 1, `${page.name} loads ${w.assets.map((a) => a.url).join(', ')}`);
      assert.match(w.assets[0]!.url, /\/assets\/app\.[0-9a-f]{10}\.css$/);
      assert.match(w.assets[0]!.cacheControl, /max-age=31536000, immutable/);
      assert.equal(w.revalidated, 0, 'repeat visit: the page only');
    }
  }
});

test('the pre-test sheet comes in pages: questions, then the survey items on their own', () => {
  // 22 questions (two parallel forms, two items per objective) and 10 survey items: 6, 6, 5, 5 and 5, 5.
  assert.ok(pages.preTestPages.length >= 5, pages.preTestPages.map((p) => p.name).join(', '));
  assert.equal(pages.preTestPages[0]!.path, `${pages.preTest.path}/pages/1`);
  assert.match(pages.preTestPages.at(-1)!.name, /\(survey\)$/);
});

test('every shipped lesson and every page of the pre-test sheet stay ≤ 15 KB on a first visit', async (c) => {
  for (const page of [...pages.lessons, pages.preTest, ...pages.preTestPages]) {
    const w = await pageWeight(base, page, pages.cookie, 'br');
    c.diagnostic(`${page.name}: first ${kb(w.firstVisit)}, repeat ${kb(w.repeatVisit)}`);
    assert.ok(w.firstVisit <= BUDGET.firstVisit, `${page.name} first visit ${kb(w.firstVisit)}`);
  }
});

test('every shipped lesson and every page of the pre-test sheet stay ≤ 6 KB on a repeat visit', async () => {
  for (const page of [...pages.lessons, pages.preTest, ...pages.preTestPages]) {
    const w = await pageWeight(base, page, pages.cookie, 'br');
    assert.equal(w.status, 200, page.path);
    assert.ok(w.repeatVisit <= BUDGET.repeatVisit, `${page.name} repeat ${kb(w.repeatVisit)}`);
  }
});
