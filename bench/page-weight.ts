/**
 * Page weight of the trainee's pages, as a phone on a slow mobile network receives them (issue 20):
 * bytes on the wire (response headers + compressed body) for the HTML and the CSS and JS it links, on a
 * first visit (empty cache) and a repeat visit the next day (assets cached for longer are not asked
 * for again; the page itself is never stored), plus first contentful paint of the heaviest lesson
 * page in Chromium under slow-3G emulation.
 *
 * `node --import tsx bench/page-weight.ts` runs it alone; `npm run bench` runs it last.
 */
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import type { AppContext } from '../server/context';
import { hashPassword } from '../server/auth/passwords';
import { startEmbeddedMongo } from '../server/db/embedded';
import { connectDatabase } from '../server/db/connect';
import { createUmbrella } from '../server/plugin';
import { seedCourses } from '../modules/learning/jobs';
import { userModel } from '../modules/accounts/model';
import { launchChromium } from '../test/support/browser';
import { listen } from './measure';

export const BUDGET = { firstVisit: 15 * 1024, repeatVisit: 6 * 1024, fcpMs: 2000 };
/** Slow 3G as issue 20 defines it: 400 kbit/s each way, 400 ms added to every request. */
export const SLOW_3G = { latency: 400, downloadThroughput: 50_000, uploadThroughput: 50_000 };
/** What Chromium offers (over HTTPS, and to localhost), and what an old client or a proxy offers. */
const ENCODINGS = { br: 'gzip, deflate, br, zstd', gzip: 'gzip' } as const;

export interface Transfer {
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Status line and headers as sent. */
  headerBytes: number;
  /** Body as sent (compressed when Content-Encoding says so). */
  bodyBytes: number;
  /** Body after decoding. */
  body: Buffer;
}

/** One GET over a fresh connection, counting the bytes as they arrive (node does not decode them). */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        let headerBytes = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n\r\n`.length;
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          headerBytes += Buffer.byteLength(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
        const enc = res.headers['content-encoding'];
        const body =
          enc === 'gzip' ? zlib.gunzipSync(raw) : enc === 'br' ? zlib.brotliDecompressSync(raw) : raw;
        resolve({
          url,
          status: res.statusCode!,
          headers: res.headers,
          headerBytes,
          bodyBytes: raw.length,
          body,
        });
      });
    });
    req.on('error', reject);
  });
}

const DAY = 24 * 3600;
const wire = (t: Transfer) => t.headerBytes + t.bodyBytes;
const maxAge = (t: Transfer) =>
  Number(/max-age=(\d+)/.exec(String(t.headers['cache-control'] ?? ''))?.[1] ?? 0);

/** Stylesheets and scripts a page loads (inline scripts travel inside the HTML). */
export function linkedAssets(html: string): string[] {
  const found = [
    ...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g),
    ...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g),
  ];
  return found.map((m) => m[1]!.replace(/&amp;/g, '&'));
}

export interface PageWeight {
  name: string;
  path: string;
  status: number;
  encoding: string;
  htmlBytes: number;
  htmlWire: number;
  assets: Array<{ url: string; wire: number; cacheControl: string }>;
  firstVisit: number;
  repeatVisit: number;
  /** Assets asked for again on the repeat visit (their cached copy was no longer fresh). */
  revalidated: number;
  /** @font-face rules and font files: the budget allows none. */
  fonts: number;
}

/**
 * A first visit fetches the page and every stylesheet and script it links. A repeat visit, the next
 * day, fetches the page again (it is never stored) and, with a conditional request, every asset whose
 * cached copy is no longer fresh by then.
 */
export async function pageWeight(
  base: string,
  page: { name: string; path: string },
  cookie: string,
  encoding: keyof typeof ENCODINGS = 'gzip',
): Promise<PageWeight> {
  const headers = { cookie, 'accept-encoding': ENCODINGS[encoding] };
  const html = await rawGet(base + page.path, headers);
  const text = html.body.toString('utf8');
  const assets = await Promise.all(
    linkedAssets(text).map((u) => rawGet(new URL(u, base + page.path).href, headers)),
  );
  let repeatVisit = wire(await rawGet(base + page.path, headers));
  let revalidated = 0;
  for (const a of assets) {
    if (maxAge(a) > DAY) continue;
    revalidated += 1;
    const validators: Record<string, string> = {};
    if (a.headers.etag) validators['if-none-match'] = a.headers.etag;
    if (a.headers['last-modified']) validators['if-modified-since'] = a.headers['last-modified'];
    repeatVisit += wire(await rawGet(a.url, { ...headers, ...validators }));
  }
  const css = assets.map((a) => a.body.toString('utf8')).join('\n');
  return {
    ...page,
    status: html.status,
    encoding: String(html.headers['content-encoding'] ?? 'identity'),
    htmlBytes: html.body.length,
    htmlWire: wire(html),
    assets: assets.map((a) => ({
      url: a.url,
      wire: wire(a),
      cacheControl: String(a.headers['cache-control']),
    })),
    firstVisit: wire(html) + assets.reduce((n, a) => n + wire(a), 0),
    repeatVisit,
    revalidated,
    fonts: (css.match(/@font-face/g) ?? []).length + (text.match(/\.(woff2?|ttf|otf)\b/g) ?? []).length,
  };
}

export interface Paint {
  fcpMs: number;
  /** Bytes Chromium received (headers + body), as its network panel counts them. */
  transferred: number;
  /** Requests finished, and how many of them the browser's cache answered without asking. */
  requests: number;
  fromCache: number;
}

/**
 * Loads a page in a fresh browser context under slow-3G emulation, then again with the cache warm:
 * first contentful paint and what crossed the (emulated) network each time.
 */
export async function paintOver3g(browser: Browser, base: string, pagePath: string, cookie: string) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 360, height: 740 } });
  try {
    const [name, ...rest] = cookie.split('=');
    await context.addCookies([{ name: name!, value: rest.join('='), url: base }]);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_3G });
    let transferred = 0;
    let requests = 0;
    let fromCache = 0;
    cdp.on('Network.loadingFinished', (e) => {
      transferred += e.encodedDataLength;
      requests += 1;
    });
    cdp.on('Network.requestServedFromCache', () => {
      fromCache += 1;
    });
    const visit = async (): Promise<Paint> => {
      transferred = 0;
      requests = 0;
      fromCache = 0;
      const res = await page.goto(pagePath, { waitUntil: 'load' });
      if (res?.status() !== 200) throw new Error(`${pagePath} answered ${res?.status()}`);
      // Paint entries can arrive after `load`: wait for the buffered one.
      const fcpMs = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const fcp = list.getEntriesByName('first-contentful-paint')[0];
              if (fcp) resolve(fcp.startTime);
            }).observe({ type: 'paint', buffered: true });
            setTimeout(() => resolve(Number.NaN), 10_000);
          }),
      );
      return { fcpMs: Math.round(fcpMs), transferred, requests, fromCache };
    };
    return { first: await visit(), repeat: await visit() };
  } finally {
    await context.close();
  }
}

/** Signs in over HTTP as a browser would; returns the session cookie ("name=value"). */
export async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const form = await rawGet(`${base}/login`);
  const cookieOf = (t: Transfer) => {
    const set = (t.headers['set-cookie'] ?? []).find((c) => c.includes('.sid='));
    if (!set) throw new Error(`no session cookie from ${t.url} (${t.status})`);
    return set.split(';')[0]!;
  };
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body.toString())![1]!;
  const body = new URLSearchParams({ _csrf: csrf, email, password }).toString();
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieOf(form), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  if (res.status !== 303) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  const set = res.headers.getSetCookie().find((c) => c.includes('.sid='));
  if (!set) throw new Error('no session cookie after sign-in');
  return set.split(';')[0]!;
}

/** Starts an attempt of a quiz (by key) as a trainee would; returns the answer sheet's path. */
async function startQuiz(ctx: AppContext, base: string, cookie: string, courseId: unknown, key: string) {
  const quiz = await ctx.db.collection('quizzes').findOne({ courseId, key });
  if (!quiz) throw new Error(`no quiz ${key}`);
  const intro = await rawGet(`${base}/quizzes/${String(quiz._id)}`, { cookie });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(intro.body.toString())?.[1] ?? '';
  const start = await fetch(`${base}/quizzes/${String(quiz._id)}/attempts`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }).toString(),
  });
  const sheet = start.headers.get('location');
  if (start.status !== 303 || !sheet) throw new Error(`quiz ${key} did not start: ${start.status}`);
  return new URL(sheet, base).pathname;
}

export interface TraineePages {
  cookie: string;
  dashboard: { name: string; path: string };
  /** The lesson the throughput bench measures (the course's second). */
  lesson: { name: string; path: string };
  lessons: Array<{ name: string; path: string }>;
  lessonQuiz: { name: string; path: string };
  preTest: { name: string; path: string };
}

/**
 * A trainee (Mongolian, the default language) on the shipped course, enrolled, with the pre-test and
 * the second lesson's quiz started: the dashboard, every lesson, both answer sheets.
 */
export async function traineePages(ctx: AppContext, base: string): Promise<TraineePages> {
  await seedCourses(ctx);
  const password = 'page-weight-password-2026';
  const email = `weight-${Date.now()}@example.org`;
  await userModel(ctx.db).create({
    email,
    name: 'Page Weight',
    role: 'journalist',
    status: 'active',
    locale: 'mn',
    passwordHash: await hashPassword(password),
  });
  const cookie = await signInCookie(base, email, password);
  const course = (await ctx.db.collection('courses').findOne({ slug: 'tip-reporting' }))!;
  const ids: string[] = course.lessonIds.map(String);
  const lessons = (
    await ctx.db
      .collection('lessons')
      .find({ _id: { $in: course.lessonIds } }, { projection: { slug: 1 } })
      .toArray()
  ).sort((a, b) => ids.indexOf(String(a._id)) - ids.indexOf(String(b._id)));
  await rawGet(`${base}/learn/tip-reporting`, { cookie }); // enrols
  const pages = lessons.map((l) => ({ name: `lesson ${l.slug}`, path: `/learn/tip-reporting/${l.slug}` }));
  const second = lessons[1] ?? lessons[0]!;
  return {
    cookie,
    dashboard: { name: 'dashboard', path: '/learn' },
    lesson: pages[lessons.indexOf(second)]!,
    lessons: pages,
    lessonQuiz: {
      name: `quiz sheet, ${second.slug}`,
      path: await startQuiz(ctx, base, cookie, course._id, `lesson:${second.slug}`),
    },
    preTest: { name: 'quiz sheet, pre-test', path: await startQuiz(ctx, base, cookie, course._id, 'pre') },
  };
}

export interface PageWeightResult {
  /** Dashboard, the bench's lesson, the heaviest lesson, a lesson quiz's sheet, the pre-test's sheet. */
  pages: Array<{ br: PageWeight; gzip: PageWeight }>;
  paint?: { first: Paint; repeat: Paint; path: string };
  paintError?: string;
}

export const withinBudget = (p: PageWeight) =>
  p.firstVisit <= BUDGET.firstVisit && p.repeatVisit <= BUDGET.repeatVisit && p.fonts === 0;

/**
 * Measures the pages as Chromium on a phone gets them over HTTPS (brotli offered) and as an older
 * client or proxy does (gzip only), and the heaviest lesson's paint over slow 3G.
 */
export async function measurePageWeights(ctx: AppContext, base: string): Promise<PageWeightResult> {
  const t = await traineePages(ctx, base);
  const lessons = await Promise.all(t.lessons.map((l) => pageWeight(base, l, t.cookie, 'br')));
  const heaviest = lessons.reduce((a, b) => (b.firstVisit > a.firstVisit ? b : a));
  const chosen = [
    t.dashboard,
    t.lesson,
    ...(heaviest.path === t.lesson.path ? [] : [heaviest]),
    t.lessonQuiz,
    t.preTest,
  ];
  const pages = [];
  for (const p of chosen)
    pages.push({
      br: await pageWeight(base, p, t.cookie, 'br'),
      gzip: await pageWeight(base, p, t.cookie, 'gzip'),
    });
  const result: PageWeightResult = { pages };
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    result.paint = { ...(await paintOver3g(browser, base, heaviest.path, t.cookie)), path: heaviest.path };
  } catch (err) {
    result.paintError = err instanceof Error ? err.message : String(err);
  } finally {
    await browser?.close();
  }
  return result;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const verdict = (ok: boolean) => (ok ? 'pass' : 'FAIL');

export function printPageWeights(r: PageWeightResult): void {
  console.log(
    '\npage weight: HTML + CSS + JS on the wire (headers included), brotli as a phone over HTTPS gets it;\n' +
      'budget 15 KB first visit, 6 KB repeat visit the next day, no web fonts. gzip alone for comparison:',
  );
  console.table(
    r.pages.map(({ br, gzip }) => ({
      page: br.name,
      html: `${kb(br.htmlBytes)} → ${kb(br.htmlWire)} ${br.encoding}`,
      'css+js': kb(br.firstVisit - br.htmlWire),
      'first visit': `${kb(br.firstVisit)} ${verdict(br.firstVisit <= BUDGET.firstVisit)}`,
      'repeat visit': `${kb(br.repeatVisit)} ${verdict(br.repeatVisit <= BUDGET.repeatVisit)}`,
      'gzip first / repeat': `${kb(gzip.firstVisit)} / ${kb(gzip.repeatVisit)}`,
      fonts: `${br.fonts} ${verdict(br.fonts === 0)}`,
    })),
  );
  if (!r.paint) return void console.log(`lesson page over slow 3G: not measured (${r.paintError})`);
  console.log(`heaviest lesson page over slow 3G (400 kbit/s, 400 ms), Chromium, 360 px: ${r.paint.path}`);
  console.table(
    (['first', 'repeat'] as const).map((visit) => ({
      visit,
      'first contentful paint': `${r.paint![visit].fcpMs} ms`,
      target: `< ${BUDGET.fcpMs} ms`,
      result: verdict(r.paint![visit].fcpMs < BUDGET.fcpMs),
      transferred: kb(r.paint![visit].transferred),
      requests: `${r.paint![visit].requests} (${r.paint![visit].fromCache} from cache)`,
    })),
  );
}

/** Starts the app as `npm start` configures it (production settings) on a memory database, measures, stops. */
export async function runPageWeight(): Promise<PageWeightResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-weight-'));
  const mongo = await startEmbeddedMongo({ backend: 'memory', dataDir: path.join(dataDir, 'db') });
  const db = await connectDatabase(mongo.uri, 'umbrella_weight');
  let server: http.Server | undefined;
  try {
    const { app, ctx } = createUmbrella({
      connection: db,
      passUnknownErrors: false,
      jobs: 'none',
      config: {
        env: 'production',
        sessionSecret: 'bench-secret-0123456789-0123456789',
        secureCookies: false,
        logLevel: 'silent',
        uploadsDir: path.join(dataDir, 'uploads'),
      },
    });
    const listening = await listen(app);
    server = listening.server;
    const result = await measurePageWeights(ctx, listening.url);
    printPageWeights(result);
    const out = path.join(import.meta.dirname, 'results', 'page-weight.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), budget: BUDGET, ...result }, null, 2));
    console.log(`page weights written to ${out}`);
    return result;
  } finally {
    server?.closeAllConnections();
    server?.close();
    await db.close();
    await mongo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // As `npm run bench`: the table says pass or FAIL; the exit code says whether it ran.
  runPageWeight().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
