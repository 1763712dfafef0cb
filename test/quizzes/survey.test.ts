import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { encode, formFor, importRealCourse, models, quizByKey, readCourse } from './support';

/** Items per form of the shipped pre- and post-test (two per objective). */
const FORM_LENGTH = readCourse().preTest.questions.length;

/**
 * Attitude and practice items in the player: shown in the pre-test and the first post-test attempt,
 * optional, checked like any answer, stored per attempt beside (never inside) the graded results.
 */
let t: TestApp;
let courseId: Awaited<ReturnType<typeof importRealCourse>>['courseId'];
before(async () => {
  t = await buildTestApp();
  ({ courseId } = await importRealCourse(t.ctx));
});
after(() => t.close());

async function started(
  key: string,
  locale: 'en' | 'mn' = 'en',
  user?: Awaited<ReturnType<typeof buildUser>>,
) {
  user ??= await buildUser(t.ctx, { locale });
  const agent = await signIn(t.app, user);
  const csrf = await tokenFor(agent);
  const quiz = await quizByKey(t.ctx, courseId, key);
  const start = await agent.post(`/quizzes/${quiz._id}/attempts`).type('form').send(encode({}, csrf));
  assert.equal(start.status, 303);
  return { user, agent, csrf, quiz, id: start.headers.location!.split('/').pop()! };
}

const SURVEY = {
  's.at-blame': '5', // reversed: strongly agrees with blaming → keyed 1, "agreeing"
  's.at-identity-first': '4', // direct: agrees → keyed 4
  's.pr-consent': 'explain', // level 3 of 3: the safest practice
  's.pr-child-photo': 'publish', // level 1
  's.pr-check-details': '2', // frequency "rarely" → 2
};

/** Every page of an attempt's sheet, in order (the page count from "Page 1 of N" / "Хуудас 1/N"). */
async function allPages(agent: Awaited<ReturnType<typeof started>>['agent'], id: string) {
  const first = (await agent.get(`/quizzes/attempts/${id}`).expect(200)).text;
  const count = Number(/id="page-of">[^<]*?(\d+)<\/span>/.exec(first)![1]);
  const pages = [first];
  for (let n = 2; n <= count; n++)
    pages.push((await agent.get(`/quizzes/attempts/${id}/pages/${n}`).expect(200)).text);
  return pages;
}

test('the pre-test shows the survey on its own pages after its questions, labelled, in English and Mongolian', async () => {
  for (const locale of ['en', 'mn'] as const) {
    const { agent, id } = await started('pre', locale);
    const pages = await allPages(agent, id);
    const html = pages.join('\n');
    assert.equal(
      (html.match(/<fieldset class="question/g) ?? []).length,
      FORM_LENGTH,
      'the questions as before',
    );
    assert.equal(
      (html.match(/<fieldset class="survey-item/g) ?? []).length,
      10,
      '6 statements + 4 situations',
    );
    const firstSurvey = pages.findIndex((p) => p.includes('id="survey-heading"'));
    assert.ok(firstSurvey > 0, 'after the questions');
    for (const page of pages.slice(firstSurvey)) {
      assert.match(page, /id="survey-heading"/);
      assert.doesNotMatch(page, /<fieldset class="question/, 'survey items on their own pages');
    }
    // Each choice inside its label: the label's text names it.
    const inputs = [
      ...html.matchAll(
        /<label class="check"><input type="radio" name="s\.[^"]+" value="[^"]+"> [^<]+<\/label>/g,
      ),
    ];
    assert.ok(inputs.length >= 6 * 5 + 11);
    assert.doesNotMatch(html, /level|correct|reversed/i, 'no practice level, key or direction in the page');
    if (locale === 'en') {
      assert.match(html, /Your views and practice/);
      assert.match(html, /not scored/);
      assert.match(html, /Statement 6<\/span>/);
      assert.match(html, /Situation 4<\/span>/);
      assert.match(html, /name="s\.at-blame" value="1"> Strongly disagree<\/label>/);
      assert.match(html, /name="s\.pr-check-details" value="5"> Always<\/label>/);
    } else {
      assert.match(html, /Таны хандлага, ажлын арга барил/);
      assert.match(html, /name="s\.at-blame" value="5"> Бүрэн санал нийлнэ<\/label>/);
      assert.match(html, /Ийм үед та юу хийх вэ\?/);
      assert.match(html, /Хүн худалдаалах гэмт хэргийн хохирогч ярилцлагаа бичүүлсний дараа/);
    }
  }
});

test('survey answers are stored per attempt and never change the score; a blank survey does not hold up a submit', async () => {
  const { Attempts } = models(t.ctx);
  const a = await started('pre');
  const right = await formFor(t.ctx, a.id, 'right');
  await a.agent
    .post(`/quizzes/attempts/${a.id}/submit`)
    .type('form')
    .send(encode({ ...right, ...SURVEY }, a.csrf))
    .expect(303);
  const withSurvey = (await Attempts.findById(a.id).lean())!;
  assert.equal(withSurvey.score, 100);
  assert.equal(withSurvey.results!.length, FORM_LENGTH, 'the survey is not among the graded results');
  assert.ok(withSurvey.results!.every((r) => !r.qid.startsWith('at-') && !r.qid.startsWith('pr-')));
  assert.equal(withSurvey.surveyItems!.length, 10);
  assert.deepEqual(withSurvey.survey, {
    'at-blame': '5',
    'at-identity-first': '4',
    'pr-consent': 'explain',
    'pr-child-photo': 'publish',
    'pr-check-details': '2',
  });
  const bySid = Object.fromEntries(withSurvey.surveyResults!.map((r) => [r.sid, r]));
  assert.equal(withSurvey.surveyResults!.length, 5, 'unanswered items are left out');
  assert.deepEqual(bySid['at-blame'], {
    sid: 'at-blame',
    kind: 'attitude',
    choice: '5',
    value: 5,
    keyed: 1,
    high: true,
  });
  assert.deepEqual([bySid['at-identity-first']!.keyed, bySid['at-identity-first']!.high], [4, true]);
  assert.deepEqual([bySid['pr-consent']!.value, bySid['pr-consent']!.high], [3, true]);
  assert.deepEqual([bySid['pr-child-photo']!.value, bySid['pr-child-photo']!.high], [1, false]);
  assert.deepEqual([bySid['pr-check-details']!.keyed, bySid['pr-check-details']!.high], [2, false]);

  // The same knowledge answers with no survey answers: the same score, submitted at once.
  const b = await started('pre');
  await b.agent
    .post(`/quizzes/attempts/${b.id}/submit`)
    .type('form')
    .send(encode(await formFor(t.ctx, b.id, 'right'), b.csrf))
    .expect(303);
  const blank = (await Attempts.findById(b.id).lean())!;
  assert.equal(blank.status, 'submitted');
  assert.equal(blank.score, 100);
  assert.deepEqual(blank.surveyResults, []);

  // Wrong knowledge answers with the "best" survey answers still score 0 and fail the post-test.
  const c = await started('post');
  const best = { 's.at-blame': '1', 's.at-withdraw': '5', 's.pr-consent': 'explain' };
  await c.agent
    .post(`/quizzes/attempts/${c.id}/submit`)
    .type('form')
    .send(encode({ ...(await formFor(t.ctx, c.id, 'wrong')), ...best }, c.csrf))
    .expect(303);
  const failed = (await Attempts.findById(c.id).lean())!;
  assert.equal(failed.score, 0);
  assert.equal(failed.passed, false);
  assert.equal(failed.surveyResults!.length, 3);
  const result = await c.agent.get(`/quizzes/attempts/${c.id}/result`).expect(200);
  assert.match(result.text, /Survey answers recorded \(3 of 10\)\. They are not scored\./);
});

test("survey answers that are not one of the item's choices are a 400 and change nothing", async () => {
  const { Attempts } = models(t.ctx);
  const a = await started('pre');
  await a.agent
    .post(`/quizzes/attempts/${a.id}/save`)
    .type('form')
    .send(encode({ 's.at-blame': '2' }, a.csrf))
    .expect(303);
  for (const bad of [
    { 's.at-blame': '6' },
    { 's.at-blame': '0' },
    { 's.pr-consent': '3' }, // a level is not an option id
    { 's.pr-consent': 'nothing-like-it' },
    { 's.at-unknown': '3' },
    { 's.at-blame': ['1', '2'] },
    { 's.td-01': '1' }, // a question's id is not a survey item
  ]) {
    for (const action of ['save', 'submit'])
      await a.agent
        .post(`/quizzes/attempts/${a.id}/${action}`)
        .type('form')
        .send(encode(bad, a.csrf))
        .expect(400);
  }
  const after = (await Attempts.findById(a.id).lean())!;
  assert.equal(after.status, 'started');
  assert.deepEqual(after.survey, { 'at-blame': '2' });
  const html = (await allPages(a.agent, a.id)).join('\n');
  assert.match(html, /name="s\.at-blame" value="2" checked/);
});

test('an incomplete submit shows the sheet again with the survey answers kept', async () => {
  const a = await started('pre', 'mn');
  const right = await formFor(t.ctx, a.id, 'right');
  const [firstKey] = Object.keys(right);
  delete right[firstKey!];
  const res = await a.agent
    .post(`/quizzes/attempts/${a.id}/submit`)
    .type('form')
    .send(encode({ ...right, 's.pr-referral': 'referral-info' }, a.csrf))
    .expect(400);
  // A whole-sheet post comes back on the last page: the survey's, with the answer kept.
  assert.match(res.text, /name="s\.pr-referral" value="referral-info" checked/);
  assert.match(res.text, /id="error-summary"/);
});

test('a post-test retake and lesson quizzes show no survey', async () => {
  const { Attempts } = models(t.ctx);
  const first = await started('post');
  assert.equal((await Attempts.findById(first.id).lean())!.surveyItems!.length, 10);
  await first.agent
    .post(`/quizzes/attempts/${first.id}/submit`)
    .type('form')
    .send(encode(await formFor(t.ctx, first.id, 'wrong'), first.csrf))
    .expect(303);
  const retake = await started('post', 'en', first.user);
  assert.notEqual(retake.id, first.id);
  const again = (await Attempts.findById(retake.id).lean())!;
  assert.equal(again.attemptNo, 2);
  assert.equal(again.surveyItems, undefined);
  const html = (await retake.agent.get(`/quizzes/attempts/${retake.id}`).expect(200)).text;
  assert.doesNotMatch(html, /survey-item/);
  const lesson = await started('lesson:01-what-is-trafficking');
  assert.equal((await Attempts.findById(lesson.id).lean())!.surveyItems, undefined);
});
