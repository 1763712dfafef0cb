/**
 * The answer sheet in pages (at most QUESTIONS_PER_PAGE questions, the survey items on their own):
 * Previous/Next save the page by a plain form post, the autosave saves the page it is on, answers on
 * other pages are never lost, Submit on the last page grades every page, and the unanswered summary
 * links to the pages that hold the questions.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { QUESTIONS_PER_PAGE, sheetPages } from '../../modules/quizzes/pages';
import type { Attempt } from '../../modules/quizzes/model';
import { encode, formFor, importRealCourse, models, quizByKey, readCourse } from './support';

const FORM_LENGTH = readCourse().preTest.questions.length;
const clock = fixedClock(new Date('2026-03-02T02:00:00Z'));
let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp({ clock });
  ({ courseId } = await importRealCourse(t.ctx, 'published', { timeLimitMinutes: 30 }));
});
after(() => t.close());

async function started(key = 'post') {
  const user = await buildUser(t.ctx, { locale: 'en' });
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const quiz = await quizByKey(t.ctx, courseId, key);
  const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  assert.equal(start.status, 303);
  const id = start.headers.location!.split('/').pop()!;
  const attempt = (await models(t.ctx).Attempts.findById(id).lean<Attempt>())!;
  return { user, agent, csrf, quiz, id, attempt, pages: sheetPages(attempt) };
}

/** The fields of a full answer form that belong to one page's questions. */
function fieldsOf(form: Record<string, string | string[]>, qids: string[]) {
  return Object.fromEntries(Object.entries(form).filter(([k]) => qids.includes(k.split('.')[1]!)));
}
const qidsOf = (p: { items: Array<{ qid: string }> }) => p.items.map((i) => i.qid);
const stored = async (id: string) => (await models(t.ctx).Attempts.findById(id).lean<Attempt>())!;

test('the pages: at most six questions each, evenly split, the survey items on their own', async () => {
  const { pages, attempt } = await started('post');
  const questionPages = pages.filter((p) => p.items.length);
  assert.equal(questionPages.length, Math.ceil(FORM_LENGTH / QUESTIONS_PER_PAGE));
  assert.ok(questionPages.every((p) => p.items.length <= QUESTIONS_PER_PAGE && !p.surveyItems.length));
  const sizes = questionPages.map((p) => p.items.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `even: ${sizes.join(', ')}`);
  assert.deepEqual(
    questionPages.flatMap(qidsOf),
    attempt.items.map((i) => i.qid),
    'in the attempt order',
  );
  const surveyPages = pages.slice(questionPages.length);
  assert.ok(surveyPages.length >= 1 && surveyPages.every((p) => !p.items.length && p.surveyItems.length));
  assert.equal(surveyPages.flatMap((p) => p.surveyItems).length, attempt.surveyItems!.length);
});

test('Next and Previous save the page without JavaScript; answers on other pages are kept', async () => {
  const { agent, csrf, id, pages } = await started('post');
  const right = await formFor(t.ctx, id, 'right');
  const page1 = fieldsOf(right, qidsOf(pages[0]!));
  const next = await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...page1, page: '1', go: '2' }, csrf));
  assert.equal(next.status, 303);
  assert.match(next.headers.location!, new RegExp(`/quizzes/attempts/${id}/pages/2$`));
  const page2 = await agent.get(next.headers.location!).expect(200);
  assert.match(page2.text, /Page 2 of \d+</);
  assert.match(page2.text, /data-focus/, 'a new page: the script focuses its first question');
  assert.doesNotMatch(page2.text, /Submit answers/);
  // Page 2 answered, then Previous: page 1 shows its answers again, page 2's are stored too.
  const page2Fields = fieldsOf(right, qidsOf(pages[1]!));
  const prev = await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...page2Fields, page: '2', go: '1' }, csrf));
  assert.match(prev.headers.location!, /\/pages\/1$/);
  const back = await agent.get(prev.headers.location!).expect(200);
  assert.equal((back.text.match(/ checked/g) ?? []).length >= pages[0]!.items.length, true);
  const answers = (await stored(id)).answers;
  for (const qid of [...qidsOf(pages[0]!), ...qidsOf(pages[1]!)]) assert.ok(answers[qid], `${qid} kept`);
  // Page 1 saved again with one question cleared: only that one goes, page 2 stays whole.
  const [cleared, ...rest] = qidsOf(pages[0]!);
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...fieldsOf(right, rest), page: '1' }, csrf))
    .expect(303)
    .expect('location', new RegExp(`/pages/1\\?saved=1$`));
  const after = (await stored(id)).answers;
  assert.equal(after[cleared!], undefined);
  for (const qid of [...rest, ...qidsOf(pages[1]!)]) assert.ok(after[qid], `${qid} kept`);
  // The page indicator names the pages that still have unanswered questions.
  const view = await agent.get(`/quizzes/attempts/${id}/pages/2`).expect(200);
  assert.match(view.text, /Unanswered questions on:/);
  assert.match(view.text, /name="go" value="1"[^>]*>Page 1</);
  assert.doesNotMatch(view.text, /class="link" name="go" value="2"/, 'page 2 is complete');
});

test('the autosave saves the page it is on; a field of another page is a 400 and changes nothing', async () => {
  const { agent, csrf, id, pages } = await started('post');
  const right = await formFor(t.ctx, id, 'right');
  const save = (body: Record<string, string | string[]>) =>
    agent
      .post(`/quizzes/attempts/${id}/save`)
      .set('accept', 'application/json')
      .set('x-csrf-token', csrf)
      .type('form')
      .send(encode(body));
  const json = await save({ ...fieldsOf(right, qidsOf(pages[2]!)), page: '3' });
  assert.equal(json.status, 200);
  assert.equal(json.body.saved, true);
  await save({ ...fieldsOf(right, qidsOf(pages[0]!)), page: '1' }).expect(200);
  const both = (await stored(id)).answers;
  assert.equal(Object.keys(both).length, pages[0]!.items.length + pages[2]!.items.length);
  // Page 2's question posted as page 1's: refused, nothing stored.
  const stray = await save({ ...fieldsOf(right, qidsOf(pages[1]!)), page: '1' });
  assert.equal(stray.status, 400);
  assert.deepEqual((await stored(id)).answers, both);
  // A survey answer only on a survey page.
  const sid = pages.at(-1)!.surveyItems[0]!.sid;
  assert.equal((await save({ [`s.${sid}`]: '4', page: '1' })).status, 400);
  await save({ [`s.${sid}`]: '4', page: String(pages.length) }).expect(200);
  assert.equal((await stored(id)).survey?.[sid], '4');
});

test('two tabs: saves of different pages both stay; on one page the last save wins', async () => {
  const { agent, csrf, id, pages } = await started('post');
  const right = await formFor(t.ctx, id, 'right');
  const wrong = await formFor(t.ctx, id, 'wrong');
  const post = (body: Record<string, string | string[]>) =>
    agent.post(`/quizzes/attempts/${id}/save`).type('form').send(encode(body, csrf)).expect(303);
  // Tab A opened page 1 long ago (nothing saved then); tab B saves page 2; tab A's stale page 1 saves.
  await agent.get(`/quizzes/attempts/${id}/pages/1`).expect(200);
  await post({ ...fieldsOf(right, qidsOf(pages[1]!)), page: '2' });
  await post({ ...fieldsOf(right, qidsOf(pages[0]!)), page: '1' });
  const a = (await stored(id)).answers;
  for (const qid of [...qidsOf(pages[0]!), ...qidsOf(pages[1]!)]) assert.ok(a[qid], `${qid} kept`);
  // Both tabs on page 2: the later save wins, as on the one-page sheet.
  await post({ ...fieldsOf(wrong, qidsOf(pages[1]!)), page: '2' });
  const b = (await stored(id)).answers;
  const q = pages[1]!.items.find((i) => i.type === 'single' || i.type === 'true-false')!.qid;
  assert.deepEqual(b[q], [wrong[`q.${q}`]].flat());
  assert.deepEqual(b[qidsOf(pages[0]!)[0]!], a[qidsOf(pages[0]!)[0]!]);
});

test('Submit on the last page grades every page; the unanswered summary links to their pages', async () => {
  const { agent, csrf, id, pages } = await started('post');
  const right = await formFor(t.ctx, id, 'right');
  const last = pages.length;
  // Every question page but the second saved by Next; the survey pages get one answer.
  for (const p of pages.filter((x) => x.items.length && x.n !== 2))
    await agent
      .post(`/quizzes/attempts/${id}/save`)
      .type('form')
      .send(encode({ ...fieldsOf(right, qidsOf(p)), page: String(p.n), go: String(p.n + 1) }, csrf))
      .expect(303);
  const sid = pages[last - 1]!.surveyItems[0]!.sid;
  const submit = await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode({ [`s.${sid}`]: '5', page: String(last) }, csrf));
  assert.equal(submit.status, 400);
  assert.match(submit.text, /id="error-summary"/);
  assert.match(submit.text, new RegExp(`Page ${last} of ${last}<`), 'the last page again');
  const links = [
    ...submit.text.matchAll(/<li><a href="([^"]+)">Question (\d+) of \d+: Answer this question/g),
  ];
  assert.equal(links.length, pages[1]!.items.length, 'only page 2 is unanswered');
  for (const [, href] of links) assert.match(href!, new RegExp(`^/quizzes/attempts/${id}/pages/2#f-`));
  assert.match(submit.text, /id="f-confirmBlank"/);
  // The link leads to page 2, where the target field exists.
  const target = links[0]![1]!.split('#')[1]!;
  assert.match(
    (await agent.get(links[0]![1]!.split('#')[0]!).expect(200)).text,
    new RegExp(`id="${target}"`),
  );
  assert.equal((await stored(id)).survey?.[sid], '5', 'the last page was saved');
  assert.equal((await stored(id)).status, 'started');
  // Page 2 answered (Next), then Submit from the last page: every page is graded.
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...fieldsOf(right, qidsOf(pages[1]!)), page: '2', go: '3' }, csrf))
    .expect(303);
  const done = await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode({ [`s.${sid}`]: '5', page: String(last) }, csrf));
  assert.equal(done.status, 303);
  assert.match(done.headers.location!, /\/result$/);
  const graded = await stored(id);
  assert.equal(graded.status, 'submitted');
  assert.equal(graded.results!.length, FORM_LENGTH);
  assert.equal(graded.score, 100);
  assert.equal(graded.surveyResults!.length, 1);
});

test('Submit with unanswered questions confirmed grades them as wrong', async () => {
  const { agent, csrf, id, pages } = await started('post');
  const right = await formFor(t.ctx, id, 'right');
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...fieldsOf(right, qidsOf(pages[0]!)), page: '1' }, csrf))
    .expect(303);
  const res = await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode({ page: String(pages.length), confirmBlank: 'on' }, csrf));
  assert.equal(res.status, 303);
  const graded = await stored(id);
  assert.equal(graded.results!.filter((r) => r.correct).length, pages[0]!.items.length);
});

test('a page the sheet does not have is a 404; so is another user’s attempt', async () => {
  const { agent, csrf, id, pages } = await started('post');
  for (const bad of ['0', String(pages.length + 1), '999', 'abc', '1.5', '-1'])
    await agent.get(`/quizzes/attempts/${id}/pages/${bad}`).expect(404);
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ page: String(pages.length + 1), go: '1' }, csrf))
    .expect(404);
  await agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode({ page: String(pages.length + 1) }, csrf))
    .expect(404);
  // A bad page number in a flag is a 400 (not a number at all) — never a save.
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ page: 'x' }, csrf))
    .expect(400);
  const other = await started('post');
  await other.agent.get(`/quizzes/attempts/${id}/pages/2`).expect(404);
  await other.agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ page: '2', go: '3' }, other.csrf))
    .expect(404);
  await other.agent
    .post(`/quizzes/attempts/${id}/submit`)
    .type('form')
    .send(encode({ page: String(pages.length), confirmBlank: 'on' }, other.csrf))
    .expect(404);
  assert.equal((await stored(id)).status, 'started');
});

test('the time limit spans the whole attempt: a page after it leads to the result', async () => {
  clock.set(new Date('2026-03-05T03:00:00Z'));
  const { agent, csrf, id, pages } = await started('post');
  const right = await formFor(t.ctx, id, 'right');
  const page2 = await agent.get(`/quizzes/attempts/${id}/pages/2`).expect(200);
  assert.match(page2.text, /Submit before/, 'every page shows the deadline');
  await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...fieldsOf(right, qidsOf(pages[0]!)), page: '1', go: '2' }, csrf))
    .expect(303);
  clock.set(new Date('2026-03-05T03:20:00Z'));
  await agent.get('/account').expect(200); // stay active: sessions time out when idle
  clock.set(new Date('2026-03-05T03:30:31Z'));
  // Next after the time (and its grace): not saved; the sheet sends the trainee to the graded result.
  const late = await agent
    .post(`/quizzes/attempts/${id}/save`)
    .type('form')
    .send(encode({ ...fieldsOf(right, qidsOf(pages[1]!)), page: '2', go: '3' }, csrf));
  assert.equal(late.status, 303);
  assert.match(late.headers.location!, new RegExp(`/quizzes/attempts/${id}$`));
  const open = await agent.get(`/quizzes/attempts/${id}/pages/3`);
  assert.equal(open.status, 303);
  assert.match(open.headers.location!, /\/result$/);
  const graded = await stored(id);
  assert.equal(graded.status, 'submitted');
  assert.equal(graded.results!.filter((r) => r.correct).length, pages[0]!.items.length);
});

test('a lesson quiz of six questions or fewer is one page: Submit, no page indicator', async () => {
  const { agent, id, pages } = await started('lesson:05-safe-interviews-and-referral');
  assert.equal(pages.length, 1);
  const html = (await agent.get(`/quizzes/attempts/${id}`).expect(200)).text;
  assert.doesNotMatch(html, /id="page-of"|Page 1 of 1/);
  assert.match(html, /formaction="[^"]+\/submit">Submit answers</);
  assert.doesNotMatch(html, /name="go"/);
  await agent.get(`/quizzes/attempts/${id}/pages/1`).expect(200);
  await agent.get(`/quizzes/attempts/${id}/pages/2`).expect(404);
});

test('Resume opens the first page left unanswered; with every question answered, the survey, then the last page', async () => {
  const { agent, csrf, id, pages } = await started('post');
  const sheet = `/quizzes/attempts/${id}`;
  const pageShown = async () =>
    Number(/Page (\d+) of \d+</.exec((await agent.get(sheet).expect(200)).text)?.[1]);
  assert.equal(await pageShown(), 1, 'nothing answered: page 1');

  const right = await formFor(t.ctx, id, 'right');
  const save = (n: number) =>
    agent
      .post(`${sheet}/save`)
      .type('form')
      .send(encode({ ...fieldsOf(right, qidsOf(pages[n - 1]!)), page: String(n) }, csrf))
      .expect(303);
  await save(1);
  assert.equal(await pageShown(), 2, 'page 1 done: page 2');
  // Page 3 answered before page 2: the gap on page 2 is where Resume goes.
  await save(3);
  assert.equal(await pageShown(), 2);

  const questionPages = pages.filter((p) => p.items.length);
  for (const p of questionPages) await save(p.n);
  const firstSurvey = pages.find((p) => p.surveyItems.length)!;
  assert.equal(await pageShown(), firstSurvey.n, 'questions done, survey open: the survey page');

  const survey = Object.fromEntries(
    pages.flatMap((p) => p.surveyItems).map((s) => [`s.${s.sid}`, s.optionOrder[0]!]),
  );
  for (const p of pages.filter((x) => x.surveyItems.length)) {
    const fields = Object.fromEntries(
      Object.entries(survey).filter(([k]) => p.surveyItems.some((s) => k === `s.${s.sid}`)),
    );
    await agent
      .post(`${sheet}/save`)
      .type('form')
      .send(encode({ ...fields, page: String(p.n) }, csrf))
      .expect(303);
  }
  assert.equal(await pageShown(), pages.length, 'everything answered: the last page, which submits');
  // An explicit page is still that page.
  assert.match((await agent.get(`${sheet}/pages/1`).expect(200)).text, /Page 1 of \d+</);
});
