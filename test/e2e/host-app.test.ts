/**
 * The "Plugin": the example host app mounts Umbrella Newsroom under /training; in a real browser
 * a journalist signs in there and completes a lesson (reads it, passes its quiz), and every link, form
 * and asset of every page stays under /training.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Express } from 'express';
import { connectDatabase } from '../../server/db/connect';
import { buildHostApp } from '../../examples/host-app';
import { getOutlineBySlug, importCourses } from '../../modules/learning';
import { enrolmentModel } from '../../modules/learning/model';
import { buildUser } from '../factories';
import { TEST_SECRET } from '../support/app';
import { closeServer, launchChromium, screenshot } from '../support/browser';
import { follow, keyboardSignIn, ownPaths, passQuizFromIntro, pathOf } from './support/learner';

const PREFIX = '/training';
let db: Connection;
let host: Awaited<ReturnType<typeof buildHostApp>>;
let server: http.Server;
let origin: string;
let browser: Browser;
let context: BrowserContext;

before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_host_${randomUUID().slice(0, 8)}`);
  // The port is known only once listening; the plugin's baseUrl must be that address + /training.
  const holder: { app?: Express } = {};
  server = http.createServer((req, res) => {
    if (!holder.app) return void res.writeHead(503).end();
    holder.app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  host = await buildHostApp(db, TEST_SECRET, {
    baseUrl: `${origin}${PREFIX}`,
    config: { logLevel: 'silent' },
  });
  holder.app = host.host;
  await importCourses(host.umbrella.ctx);
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'en',
    baseURL: origin,
  });
});

after(async () => {
  await host?.umbrella.stop();
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (server) await closeServer(server);
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

/** The page is inside the prefix and everything it links to, posts to or loads is too. */
async function staysUnderPrefix(page: Page, what: string) {
  const at = new URL(page.url()).pathname;
  assert.ok(at.startsWith(`${PREFIX}/`), `${what}: the page ${at} is under ${PREFIX}`);
  const paths = await ownPaths(page);
  assert.ok(paths.length > 5, `${what}: links found`);
  const outside = paths.filter((p) => !p.startsWith(`${PREFIX}/`) && p !== PREFIX);
  assert.deepEqual(outside, [], `${what}: every link stays under ${PREFIX}`);
}

test('mounted under /training, a journalist signs in and completes a lesson; every link stays under the prefix', async () => {
  const ctx = host.umbrella.ctx;
  const user = await buildUser(ctx, { locale: 'en', name: 'Host Journalist' });
  const course = (await getOutlineBySlug(ctx, 'tip-reporting'))!;
  assert.ok(course, 'the course is imported through the plugin');
  const lesson = course.lessons.find((l) => l.hasQuiz)!;
  const page = await context.newPage();

  // The host's own page links into the plugin.
  await page.goto('/');
  assert.equal(await page.title(), 'Host');
  await follow(page, page.locator(`a[href="${PREFIX}/"]`), /^\/training\//);
  await staysUnderPrefix(page, 'home');

  await keyboardSignIn(page, user.email, { prefix: PREFIX, next: '/learn' });
  assert.equal(pathOf(page), `${PREFIX}/learn`);
  await staysUnderPrefix(page, 'dashboard');
  await screenshot(page, 'host-training-dashboard');

  await follow(
    page,
    page.locator(`main a[href="${PREFIX}/learn/${course.slug}"]`).first(),
    /\/learn\/tip-reporting$/,
  );
  assert.equal(pathOf(page, PREFIX), `/learn/${course.slug}`);
  await staysUnderPrefix(page, 'course');

  const href = `${PREFIX}/learn/${course.slug}/${lesson.slug}`;
  await follow(page, page.locator(`ol.steps a[href="${href}"]`), new RegExp(`^${href}$`));
  assert.equal((await page.locator('main article h1').innerText()).trim(), lesson.title.en);
  assert.equal(await page.locator('main p.alert.success[role=status]').count(), 1, 'the reading is recorded');
  await staysUnderPrefix(page, 'lesson');
  await screenshot(page, 'host-training-lesson');

  await follow(
    page,
    page.locator(`main a.button[href="${href}/quiz"]`),
    /^\/training\/quizzes\/[0-9a-f]{24}$/,
  );
  const { score } = await passQuizFromIntro(page, ctx, {
    prefix: PREFIX,
    visit: (kind) => staysUnderPrefix(page, `quiz ${kind}`),
  });
  assert.match(score, /100/);
  await screenshot(page, 'host-training-quiz-result');

  // The lesson and its quiz are done, in the database and on the course outline.
  const enrolment = await enrolmentModel(ctx.db).findOne({ userId: user._id }).lean();
  assert.ok(enrolment);
  assert.ok(enrolment.lessonsViewed.some((v) => String(v.lessonId) === lesson.id));
  assert.ok(enrolment.quizzesPassed.includes(`lesson:${lesson.slug}`));
  await page.goto(`${PREFIX}/learn/${course.slug}`);
  const steps = page.locator('ol.steps > li');
  const lessonStep = steps.filter({ has: page.locator(`a[href="${href}"]`) });
  assert.match((await lessonStep.locator('span[class^=status]').getAttribute('class')) ?? '', /status-done/);
  const quizStep = lessonStep.locator('xpath=following-sibling::li[1]');
  assert.match((await quizStep.locator('span[class^=status]').getAttribute('class')) ?? '', /status-done/);
  await staysUnderPrefix(page, 'course after');

  // Signing out goes back to a page under the prefix.
  await follow(page, page.locator('header form[action$="/logout"] button'), /^\/training\//);
  await staysUnderPrefix(page, 'signed out');
});
