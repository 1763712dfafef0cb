import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { seedCourses } from '../../modules/learning/jobs';

/**
 * A lesson's blocks follow each reader's content language, interface language and mount path: the
 * links to the other language stay under the path the app is mounted at, and draft marks speak the
 * reader's interface language.
 */
let t: TestApp;
let host: express.Express;
before(async () => {
  t = await buildTestApp();
  await seedCourses(t.ctx);
  host = express();
  host.use('/training', t.app);
  host.use(t.app);
});
after(() => t.close());

const LESSON = '/learn/tip-reporting/05-safe-interviews-and-referral';
const article = (html: string) => /<article[\s\S]*<\/article>/.exec(html)?.[0] ?? '';

test('the same lesson under two mount paths links within its own path', async () => {
  const agent = await signIn(host, await buildUser(t.ctx, { locale: 'en' }));
  const direct = article((await agent.get(`${LESSON}?lang=en`).expect(200)).text);
  const mounted = article((await agent.get(`/training${LESSON}?lang=en`).expect(200)).text);
  assert.match(direct, new RegExp(`href="${LESSON}\\?lang=mn#block-`));
  assert.match(mounted, new RegExp(`href="/training${LESSON}\\?lang=mn#block-`));
  assert.doesNotMatch(mounted, new RegExp(`href="${LESSON}`), 'no link of the other mount');
  assert.match(
    (await agent.get(`${LESSON}?lang=en`).expect(200)).text,
    new RegExp(`href="${LESSON}\\?lang=mn#`),
  );
});

test('content and interface languages each get their own blocks', async () => {
  const english = await signIn(host, await buildUser(t.ctx, { locale: 'en' }));
  const mongolian = await signIn(host, await buildUser(t.ctx, { locale: 'mn' }));
  const mnForEnglishReader = article((await english.get(`${LESSON}?lang=mn`).expect(200)).text);
  const mnForMongolianReader = article((await mongolian.get(`${LESSON}?lang=mn`).expect(200)).text);
  const enForEnglishReader = article((await english.get(`${LESSON}?lang=en`).expect(200)).text);
  // The Mongolian text, with its draft marks in each reader's interface language.
  assert.match(
    mnForEnglishReader,
    /<section class="block[^"]*" id="block-b1" lang="mn">\s*<p class="hint" lang="en">/,
  );
  assert.match(
    mnForMongolianReader,
    /<section class="block[^"]*" id="block-b1" lang="mn">\s*<p class="hint" lang="mn">/,
  );
  assert.match(mnForMongolianReader, /ДЭМБ-ын арван зарчим/);
  // The English text has no draft marks and links to the Mongolian.
  assert.match(enForEnglishReader, /<section class="block[^"]*" id="block-b1" lang="en">/);
  assert.doesNotMatch(enForEnglishReader, /ДЭМБ-ын арван зарчим|class="hint" lang=/);
  assert.match(enForEnglishReader, /\?lang=mn#block-b1" lang="mn"/);
});
