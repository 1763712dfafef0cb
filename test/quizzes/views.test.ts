import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { listAudit } from '../../modules/audit';
import { loadResources } from '../../server/i18n';
import { encode, formFor, importRealCourse, quizByKey, readCourse } from './support';

/** Items per form of the shipped pre- and post-test (two per objective). */
const FORM_LENGTH = readCourse().preTest.questions.length;

let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp();
  ({ courseId } = await importRealCourse(t.ctx));
});
after(() => t.close());

async function attemptFor(locale: 'en' | 'mn', key = 'post') {
  const user = await buildUser(t.ctx, { locale });
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const quiz = await quizByKey(t.ctx, courseId, key);
  const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  return { user, agent, csrf, quiz, id: start.headers.location!.split('/').pop()! };
}

/** Every page of an attempt's sheet (page 1 is what the sheet's own address shows). */
async function sheetPages(agent: Awaited<ReturnType<typeof attemptFor>>['agent'], id: string) {
  const first = await agent.get(`/quizzes/attempts/${id}`).expect(200);
  const count = Number(/id="page-of">[^<]*?(\d+)<\/span>/.exec(first.text)![1]);
  assert.ok(count >= 4, `pages: ${count}`);
  const pages = [first.text];
  for (let n = 2; n <= count; n++)
    pages.push((await agent.get(`/quizzes/attempts/${id}/pages/${n}`).expect(200)).text);
  // Page 1 by its own address too.
  assert.match(
    (await agent.get(`/quizzes/attempts/${id}/pages/1`).expect(200)).text,
    /Question 1 of|Асуулт 1\//,
  );
  return pages;
}

function assertAccessibleSheet(pages: string[]) {
  const html = pages.join('\n');
  // Every answer control has a label: a choice sits inside its label, a select is labelled by id.
  const controls = [...html.matchAll(/<input type="(?:radio|checkbox)"[^>]*>/g)].map((m) => m[0]);
  assert.ok(controls.length > 20);
  const wrapped = html.match(/<label class="check"><input type="(?:radio|checkbox)"/g) ?? [];
  assert.equal(wrapped.length, controls.length - (html.match(/id="f-confirmBlank"/g) ?? []).length);
  for (const [, id] of html.matchAll(/<select id="([^"]+)"/g))
    assert.ok(html.includes(`<label for="${id}"`), `no label for ${id}`);
  assert.equal((html.match(/<fieldset class="question/g) ?? []).length, FORM_LENGTH);
  for (const page of pages) {
    assert.ok((page.match(/<fieldset class="question/g) ?? []).length <= 6, 'at most 6 questions a page');
    assert.match(page, /name="viewport" content="width=device-width/);
    assert.match(page, /<script nonce="[^"]+">/);
    assert.doesNotMatch(page, /correct/i, 'no answer key in the sheet');
  }
  assert.ok((html.match(/<legend>/g) ?? []).length >= FORM_LENGTH);
  assert.match(html, /type="radio"/);
  assert.match(html, /type="checkbox"/);
  // Either parallel form: cd-01 (form A) or cd-02 (form B) is the ordering question.
  assert.match(html, /<select id="f-(cd-0[12])-o-a" name="o\.\1\.a">/);
  assert.match(html, /<blockquote>/);
  // Next on every page but the last; Submit on the last only; Previous from the second page on.
  pages.forEach((page, i) => {
    const last = i === pages.length - 1;
    assert.equal(
      /<button type="submit" formaction="[^"]+\/submit">/.test(page),
      last,
      `submit on page ${i + 1}`,
    );
    assert.equal(page.includes(`name="go" value="${i + 2}"`), !last, `next on page ${i + 1}`);
    assert.equal(
      page.includes(`class="secondary" name="go" value="${i}"`),
      i > 0,
      `previous on page ${i + 1}`,
    );
  });
}

test('the answer sheet renders in pages in English and Mongolian, accessibly, with lang attributes', async () => {
  const en = await attemptFor('en');
  const enPages = await sheetPages(en.agent, en.id);
  assert.match(enPages[0]!, /<html lang="en">/);
  assert.match(enPages[0]!, new RegExp(`Question 1 of ${FORM_LENGTH}\\b`));
  assert.match(enPages[1]!, new RegExp(`Question 7 of ${FORM_LENGTH}\\b`));
  assert.match(enPages[0]!, new RegExp(`Page 1 of ${enPages.length}<`));
  assert.match(enPages.at(-1)!, /Submit answers/);
  assert.match(enPages.at(-1)!, /Your views and practice/, 'the survey on its own last page');
  assert.doesNotMatch(enPages.at(-1)!, /<fieldset class="question/);
  assertAccessibleSheet(enPages);
  const mn = await attemptFor('mn');
  const mnPages = await sheetPages(mn.agent, mn.id);
  assert.match(mnPages[0]!, /<html lang="mn">/);
  // No case suffix glued to a number (22-аас breaks vowel harmony): "Асуулт 1/22".
  assert.match(mnPages[0]!, new RegExp(`Асуулт 1/${FORM_LENGTH}<`));
  assert.match(mnPages[0]!, new RegExp(`Хуудас 1/${mnPages.length}<`));
  assert.doesNotMatch(mnPages.join(''), /\d-(?!р\b)\p{Script=Cyrillic}/u, 'no case suffix after a number');
  assert.match(mnPages.at(-1)!, /Хариултаа илгээх/);
  assert.match(mnPages[0]!, /Эцсийн сорил/);
  assertAccessibleSheet(mnPages);
  const intro = await mn.agent.get(`/quizzes/${mn.quiz._id}`).expect(200);
  assert.match(intro.text, /<html lang="mn">/);
  assert.match(intro.text, /Хугацааны хязгааргүй/, 'no timer unless the course sets one');
});

test('the result shows score, each answer with its feedback, the correct answer and explanation', async () => {
  const { agent, csrf, id } = await attemptFor('en', 'lesson:05-safe-interviews-and-referral');
  const form = await formFor(t.ctx, id, 'wrong');
  await agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(form, csrf)).expect(303);
  const page = await agent.get(`/quizzes/attempts/${id}/result`).expect(200);
  assert.match(page.text, /Your score: 0%/);
  assert.match(page.text, /Not passed yet/);
  assert.match(page.text, /Passing score: 70%/);
  assert.equal((page.text.match(/✗ Incorrect/g) ?? []).length, 5);
  // A compact summary first; the question-by-question review folds (open while not passed).
  assert.match(
    page.text,
    /<details class="review" open>\s*<summary>Review each question \(0 of 5 correct\)<\/summary>/,
  );
  assert.match(page.text, /Your answer|Your order/);
  assert.match(page.text, /Correct answer|Correct order/);
  assert.ok((page.text.match(/class="feedback"/g) ?? []).length >= 10);
  const intro = await agent.get(page.text.match(/href="([^"]*\/quizzes\/[a-f0-9]{24})"/)![1]!).expect(200);
  assert.match(intro.text, /Attempts left: 2 of 3/);
  assert.match(intro.text, /See the result of attempt 1/);
});

test('in Mongolian the result uses Mongolian feedback', async () => {
  const { agent, csrf, id } = await attemptFor('mn', 'lesson:03-words-and-images');
  await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode(await formFor(t.ctx, id, 'right'), csrf))
    .expect(303);
  const page = await agent.get(`/quizzes/attempts/${id}/result`).expect(200);
  assert.match(page.text, /<html lang="mn">/);
  assert.match(page.text, /Таны оноо: 100%/);
  assert.match(page.text, /Зөв\./);
});

test('trainers read a trainee result read-only and the view is audited', async () => {
  const { user, agent, csrf, id } = await attemptFor('en', 'lesson:07-mongolia-and-dream-umbrella');
  await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode(await formFor(t.ctx, id, 'right'), csrf))
    .expect(303);
  await agent.get(`/quizzes/attempts/${id}/result`).expect(200);
  assert.equal((await listAudit(t.ctx, { action: 'attempt.viewed', targetId: id })).length, 0);
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const trainerAgent = await signIn(t.app, trainer);
  const page = await trainerAgent.get(`/quizzes/attempts/${id}/result`).expect(200);
  assert.match(page.text, /read-only/);
  assert.doesNotMatch(page.text, /<form method="post" action="[^"]*\/quizzes/);
  const events = await listAudit(t.ctx, { action: 'attempt.viewed', targetId: id });
  assert.equal(events.length, 1);
  assert.equal(String(events[0]!.actorId), String(trainer._id));
  assert.equal((events[0]!.meta as { traineeId: string }).traineeId, String(user._id));
  // Staff cannot open or answer someone else's sheet.
  await trainerAgent.get(`/quizzes/attempts/${id}`).expect(404);
});

test('quizzes locales: en and mn have the same keys, none empty', () => {
  const { en, mn } = loadResources();
  const keys = (tree: unknown, prefix = ''): string[] =>
    typeof tree === 'object' && tree
      ? Object.entries(tree).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
      : [typeof tree === 'string' && tree ? prefix : `EMPTY:${prefix}`];
  const a = keys(en.quizzes).sort();
  assert.deepEqual(a, keys(mn.quizzes).sort());
  assert.ok(a.every((k) => !k.startsWith('EMPTY:')));
});
