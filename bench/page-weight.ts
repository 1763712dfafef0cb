/**
 * Page weight of the trainee's pages, as a phone on a slow mobile network receives them (issue 20):
 * bytes on the wire (response headers + compressed body) for the HTML and the CSS and JS it links, on a
 * first visit (empty cache) and a repeat visit the next day (assets cached for longer are not asked
 * for again; the page itself is never stored), plus first contentful paint of the heaviest lesson
 * page in Chromium under slow-3G emulation.
 *
 * `node --import tsx bench/page-weight.ts` runs it alone; `npm run bench` runs it last.
 */
import type http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { AppContext } from '../server/context';
import { hashPassword } from '../server/auth/passwords';
import { startEmbeddedMongo } from '../server/db/embedded';
import { connectDatabase } from '../server/db/connect';
import { createUmbrella } from '../server/plugin';
import { seedCourses } from '../modules/learning/jobs';
import { userModel } from '../modules/accounts/model';
import { attemptModel, type Attempt } from '../modules/quizzes/model';
import { sheetPages } from '../modules/quizzes/pages';
import { launchChromium } from '../test/support/browser';
import { listen } from './measure';
import {
  BUDGET,
  pageWeight,
  paintOver3g,
  rawGet,
  type PageWeight,
  type Paint,
  type Transfer,
} from './page-weight-measure';

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
  /** The pre-test sheet's first page (the path the start leads to). */
  preTest: { name: string; path: string };
  /** Every page of the pre-test sheet (questions, then the survey items), each measured alone. */
  preTestPages: Array<{ name: string; path: string }>;
}

/** The pages of a started attempt's sheet, from the attempt as stored (its items decide the paging). */
async function sheetPagePaths(ctx: AppContext, sheet: string, label: string) {
  const id = sheet.split('/').pop()!;
  const attempt = await attemptModel(ctx.db).findById(id).lean<Attempt>();
  if (!attempt) throw new Error(`no attempt ${id}`);
  const pages = sheetPages(attempt);
  return pages.map((p) => ({
    name: `${label}, page ${p.n} of ${pages.length}${p.surveyItems.length ? ' (survey)' : ''}`,
    path: `${sheet}/pages/${p.n}`,
  }));
}

/**
 * A trainee (Mongolian, the default language) on the shipped course, enrolled, with the pre-test and
 * the second lesson's quiz started: the dashboard, every lesson, both answer sheets (the pre-test's
 * page by page).
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
  const preTest = await startQuiz(ctx, base, cookie, course._id, 'pre');
  return {
    cookie,
    dashboard: { name: 'dashboard', path: '/learn' },
    lesson: pages[lessons.indexOf(second)]!,
    lessons: pages,
    lessonQuiz: {
      name: `quiz sheet, ${second.slug}`,
      path: await startQuiz(ctx, base, cookie, course._id, `lesson:${second.slug}`),
    },
    preTest: { name: 'quiz sheet, pre-test', path: preTest },
    preTestPages: await sheetPagePaths(ctx, preTest, 'quiz sheet, pre-test'),
  };
}

export interface PageWeightResult {
  /** Dashboard, the bench's lesson, the heaviest lesson, a lesson quiz's sheet, each pre-test page. */
  pages: Array<{ br: PageWeight; gzip: PageWeight }>;
  paint?: { first: Paint; repeat: Paint; path: string };
  paintError?: string;
}

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
    ...t.preTestPages,
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
        baseUrl: 'http://localhost:3000',
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
