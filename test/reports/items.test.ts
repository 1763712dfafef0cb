import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { itemAnalysis, type ItemStat } from '../../modules/reports/items';

/**
 * Item analysis on hand-built answers, no randomness. Trainee i has ability a = i % 5 and answers the
 * four "real" questions cumulatively (right on question j when a ≥ j), so they rank trainees; the
 * chance question is right for exactly half of each ability level, so it tells nothing about them.
 *
 * Post-test (read from test records): 30 trainees × [p1–p4 real, p5 chance]; the six of ability 0
 * retake it and get everything right. Counted in its own total, p5 correlated 0.33 with it; against
 * the rest score it is 0.
 *
 * Lesson quiz (read from attempts): 40 trainees × [l1–l4 real]; `rare` was drawn for two trainees
 * only (one at the top, one in the middle), `few` for six; the eight of ability 0 retake it.
 */
let t: TestApp;
const courseId = new Types.ObjectId();
const postId = new Types.ObjectId();
const lessonQuizId = new Types.ObjectId();
const cohorts = [new Types.ObjectId(), new Types.ObjectId()];
const close = (a: number | null | undefined, b: number, msg?: string) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9, `${msg ?? ''} expected ${b}, got ${a}`);

type Result = { qid: string; objective: string; correct: boolean; chosen: string[] };
const result = (qid: string, correct: boolean): Result => ({
  qid,
  objective: 'A',
  correct,
  chosen: [correct ? 'a' : 'b'],
});
const real = (prefix: string, a: number) => [1, 2, 3, 4].map((j) => result(`${prefix}${j}`, a >= j));

function attempt(userId: Types.ObjectId, quiz: { id: Types.ObjectId; key: string }, no: number, r: Result[]) {
  const score = Math.round((100 * r.filter((x) => x.correct).length) / r.length);
  const at = new Date(Date.UTC(2026, 1, no));
  return {
    quizId: quiz.id,
    quizKey: quiz.key,
    courseId,
    userId,
    attemptNo: no,
    status: 'submitted',
    startedAt: at,
    submittedAt: at,
    score,
    passed: score >= 50,
    results: r,
  };
}

const question = (qid: string) => ({
  courseId,
  qid,
  objective: 'A',
  type: 'single',
  stem: { en: `Question ${qid}`, mn: `Асуулт ${qid}` },
  options: [
    { id: 'a', text: { en: 'Right', mn: 'Зөв' }, correct: true },
    { id: 'b', text: { en: `Wrong ${qid}`, mn: `Буруу ${qid}` }, correct: false },
  ],
});

before(async () => {
  t = await buildTestApp();
  const db = t.ctx.db;
  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'items-course',
    title: { en: 'Items', mn: 'Асуултууд' },
    objectives: [{ id: 'A', label: { en: 'A', mn: 'А' } }],
    lessonIds: [],
  });
  await db.collection('quizzes').insertMany([
    {
      _id: postId,
      courseId,
      key: 'post',
      kind: 'post',
      title: { en: 'Post', mn: 'Эцсийн' },
      passingScore: 50,
    },
    {
      _id: lessonQuizId,
      courseId,
      key: 'lesson:one',
      kind: 'lesson',
      title: { en: 'Lesson quiz', mn: 'Хичээлийн сорил' },
      passingScore: 50,
    },
  ]);
  const qids = ['p1', 'p2', 'p3', 'p4', 'p5', 'l1', 'l2', 'l3', 'l4', 'rare', 'few'];
  await db.collection('questions').insertMany(qids.map(question));
  const users = Array.from({ length: 40 }, () => new Types.ObjectId());
  await db
    .collection('enrolments')
    .insertMany(
      users.map((userId, i) => ({ userId, courseId, cohortId: cohorts[i % 2], status: 'in_progress' })),
    );
  const post = { id: postId, key: 'post' };
  const lesson = { id: lessonQuizId, key: 'lesson:one' };
  const attempts = users.flatMap((u, i) => {
    const a = i % 5;
    const mine = [];
    if (i < 30) {
      mine.push(attempt(u, post, 1, [...real('p', a), result('p5', Math.floor(i / 5) % 2 === 0)]));
      if (a === 0) mine.push(attempt(u, post, 2, [...real('p', 4), result('p5', true)]));
    }
    const drawn = [
      ...real('l', a),
      ...(i === 4 ? [result('rare', true)] : i === 2 ? [result('rare', false)] : []),
      ...(i < 6 ? [result('few', a >= 2)] : []),
    ];
    mine.push(attempt(u, lesson, 1, drawn));
    if (a === 0) mine.push(attempt(u, lesson, 2, real('l', 4)));
    return mine;
  });
  await db.collection('attempts').insertMany(attempts);
});
after(async () => t.close());

const item = (items: ItemStat[], qid: string) => items.find((i) => i.qid === qid)!;

describe('item analysis', () => {
  test('a chance question correlates with the rest score, not with a total that holds it', async () => {
    const r = await itemAnalysis(t.ctx, { courseId, quizId: postId });
    const chance = item(r.items, 'p5');
    close(chance.facility, 0.5);
    close(chance.pointBiserial, 0, 'corrected item-total');
    // Groups ranked by rest score: upper = ability 4 (3 of 6 right) + 2 of ability 3 (half right).
    assert.equal(chance.groupN, 8);
    close(chance.discrimination, 0);
    assert.ok(item(r.items, 'p1').pointBiserial! > 0.4, 'a real question still discriminates');
    assert.ok(item(r.items, 'p1').discrimination! > 0.4);
  });

  test('pre/post: each trainee counted once, by their first submitted attempt', async () => {
    const r = await itemAnalysis(t.ctx, { courseId, quizId: postId });
    assert.equal(r.total, 30, 'people, not the 36 attempts');
    // Ability 0 got p1 wrong first; their all-right retake must not raise its facility.
    close(item(r.items, 'p1').facility, 24 / 30);
    assert.equal(item(r.items, 'p1').n, 30);
    const cohort = await itemAnalysis(t.ctx, { courseId, quizId: postId, cohortId: cohorts[0] });
    assert.equal(cohort.total, 15);
  });

  test('lesson quizzes: first submitted attempts too, also within a cohort', async () => {
    const r = await itemAnalysis(t.ctx, { courseId, quizId: lessonQuizId });
    assert.equal(r.total, 40, 'people, not the 48 attempts');
    close(item(r.items, 'l1').facility, 32 / 40);
    const cohort = await itemAnalysis(t.ctx, { courseId, quizId: lessonQuizId, cohortId: cohorts[1] });
    assert.equal(cohort.total, 20);
    close(item(cohort.items, 'l1').facility, 16 / 20);
  });

  test('discrimination needs answers in both groups; small groups are marked rough', async () => {
    const r = await itemAnalysis(t.ctx, { courseId, quizId: lessonQuizId });
    const rare = item(r.items, 'rare');
    assert.equal(rare.n, 2);
    assert.equal(rare.discrimination, null, 'two answers form no groups (never 1 − 0 from one answer)');
    assert.equal(rare.pointBiserial, null, 'nor a correlation from two points');
    assert.equal(rare.rough, false, 'nothing to mark: no value is shown');
    const few = item(r.items, 'few');
    assert.equal(few.groupN, 2);
    assert.equal(typeof few.discrimination, 'number');
    assert.equal(few.rough, true);
    const l1 = item(r.items, 'l1');
    assert.equal(l1.groupN, 11, '27 % of 40');
    assert.equal(l1.rough, false);
  });

  test('misconceptions rank only questions answered at least 5 times', async () => {
    const r = await itemAnalysis(t.ctx, { courseId, quizId: lessonQuizId });
    assert.ok(!r.misconceptions.some((m) => m.qid === 'rare'), '1 wrong of 2 is not a 50 % misconception');
    assert.deepEqual(
      r.misconceptions.map((m) => [m.qid, m.share]),
      [
        ['l4', 80],
        ['l3', 60],
        ['few', 50],
        ['l2', 40],
        ['l1', 20],
      ],
    );
  });

  test('the page counts trainees, shows "–" without groups and marks rough values (en and mn)', async () => {
    const en = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
    const page = await en.get(`/reports/items?course=items-course&quiz=${lessonQuizId}`).expect(200);
    assert.match(page.text, /40 trainees, each counted once by their first submitted attempt/);
    assert.match(page.text, /rough: 2 answers per group/);
    assert.match(page.text, /fewer than 10 answers/);
    assert.match(
      page.text,
      /<th scope="row">rare<br>[^<]*<span[^>]*>Question rare<\/span><\/th>\s*<td>A<\/td>\s*<td>2<\/td>\s*<td>0\.50<\/td>\s*<td>–<\/td>/,
    );
    const post = await en.get(`/reports/items?course=items-course&quiz=${postId}`).expect(200);
    assert.match(post.text, /30 trainees/);

    const mn = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: 'mn' }));
    const mnPage = await mn.get(`/reports/items?course=items-course&quiz=${lessonQuizId}`).expect(200);
    assert.match(mnPage.text, /40 суралцагч, тус бүрийг анх илгээсэн оролдлогоор нь/);
    assert.match(mnPage.text, /ойролцоо: бүлэг тус бүрд 2 хариулт/);
  });
});
