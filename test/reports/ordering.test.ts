import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { itemAnalysis } from '../../modules/reports/items';

/**
 * An ordering question with three steps, right order s1, s2, s3, answered six times:
 *   A1 s1 s2 s3   right
 *   A2 s1 s2 s3   right
 *   A3 s2 s1 s3   s1 at 2, s2 at 1
 *   A4 s1 s3 s2   s2 at 3, s3 at 2
 *   A5 s2 s1 s3   s1 at 2, s2 at 1
 *   A6 (blank)    places no step
 * Placed: 5 answers place each step.
 *   s1 out of place in A3, A5      → 2/5 = 40 %, most often at 2
 *   s2 out of place in A3, A4, A5  → 3/5 = 60 %, at 1 twice and 3 once → most often at 1
 *   s3 out of place in A4          → 1/5 = 20 %, at 2
 * Misconceptions, largest first: s2 60, s1 40, s3 20 — never "100 %", never a step in its place.
 * (Before: every answer "chose" every step and steps carry no `correct`, so each step of the
 * question was listed as a misconception at 5/6 = 83 %, the right answers included.)
 */
let t: TestApp;
const courseId = new Types.ObjectId();
const quizId = new Types.ObjectId();
before(async () => {
  t = await buildTestApp();
  const db = t.ctx.db;
  const lessonId = new Types.ObjectId();
  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'order-course',
    title: { en: 'Ordering', mn: 'Дараалал' },
    objectives: [{ id: 'consent-do-no-harm', label: { en: 'Consent', mn: 'Зөвшөөрөл' } }],
    lessonIds: [lessonId],
  });
  await db.collection('lessons').insertOne({
    _id: lessonId,
    courseId,
    slug: 'safe-interviews',
    title: { en: 'Safe interviews', mn: 'Аюулгүй ярилцлага' },
    objectives: ['consent-do-no-harm'],
  });
  await db.collection('quizzes').insertOne({
    _id: quizId,
    courseId,
    key: 'lesson:safe-interviews',
    kind: 'lesson',
    lessonId,
    title: { en: 'Quiz', mn: 'Сорил' },
    passingScore: 70,
  });
  const step = (id: string, en: string, mn: string) => ({
    id,
    text: { en, mn },
    feedback: { en: '', mn: '' },
  });
  await db.collection('questions').insertOne({
    courseId,
    qid: 'ord-1',
    objective: 'consent-do-no-harm',
    type: 'ordering',
    stem: { en: 'Put the steps of a safe interview in order', mn: 'Аюулгүй ярилцлагын алхмуудыг эрэмбэл' },
    options: [
      step('s1', 'Prepare referral information', 'Холбон зуучлах мэдээлэл бэлтгэх'),
      step('s2', 'Explain the purpose and get consent', 'Зорилгоо тайлбарлаж зөвшөөрөл авах'),
      step('s3', 'Interview, stopping at signs of distress', 'Ярилцах, сэтгэл зовнивол зогсох'),
    ],
  });
  const answers = [
    ['s1', 's2', 's3'],
    ['s1', 's2', 's3'],
    ['s2', 's1', 's3'],
    ['s1', 's3', 's2'],
    ['s2', 's1', 's3'],
    [],
  ];
  for (const [i, chosen] of answers.entries()) {
    const user = await buildUser(t.ctx);
    const correct = chosen.join() === 's1,s2,s3';
    await db.collection('attempts').insertOne({
      quizId,
      quizKey: 'lesson:safe-interviews',
      courseId,
      userId: user._id,
      attemptNo: 1,
      status: 'submitted',
      startedAt: new Date(Date.UTC(2026, 0, 1 + i)),
      submittedAt: new Date(Date.UTC(2026, 0, 1 + i)),
      score: correct ? 100 : 0,
      passed: correct,
      results: [{ qid: 'ord-1', objective: 'consent-do-no-harm', correct, chosen }],
    });
  }
});
after(async () => t.close());

test('ordering items: position errors per step; misconceptions only for misplaced steps', async () => {
  const r = await itemAnalysis(t.ctx, { courseId, quizId });
  assert.equal(r.total, 6);
  const [item] = r.items;
  assert.equal(item?.type, 'ordering');
  assert.equal(item?.facility, 2 / 6);
  assert.deepEqual(item?.options, [], 'no option counts: every answer uses every step');
  assert.deepEqual(
    item?.steps?.map((s) => [s.id, s.position, s.placed, s.misplaced, s.share, s.commonPosition]),
    [
      ['s1', 1, 5, 2, 40, 2],
      ['s2', 2, 5, 3, 60, 1],
      ['s3', 3, 5, 1, 20, 2],
    ],
  );
  assert.deepEqual(
    r.misconceptions.map((m) => [m.kind, m.option.en, m.share, m.position, m.placedAt]),
    [
      ['position', 'Explain the purpose and get consent', 60, 2, 1],
      ['position', 'Prepare referral information', 40, 1, 2],
      ['position', 'Interview, stopping at signs of distress', 20, 3, 2],
    ],
  );
  assert.ok(r.misconceptions.every((m) => m.share < 100));
  assert.deepEqual(
    r.misconceptions[0]?.lessons.map((l) => l.slug),
    ['safe-interviews'],
  );
});

test('the items page and the misconceptions CSV say which step is misplaced (en and mn)', async () => {
  const en = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  const page = await en.get(`/reports/items?course=order-course&quiz=${quizId}`).expect(200);
  assert.match(
    page.text,
    /60% put step 2, “Explain the purpose and get consent”, out of place in “Put the steps of a safe interview in order” \(most often at position 1\)/,
  );
  assert.match(page.text, /Step 1: Prepare referral information — out of place in 40%/);
  const csv = await en.get(`/reports/export/misconceptions?course=order-course&quiz=${quizId}`).expect(200);
  const lines = csv.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n');
  assert.match(lines[0]!, /Step's right place,Most often put at,/);
  assert.match(lines[1]!, /Explain the purpose and get consent,2,1,60/);

  const mn = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: 'mn' }));
  const mnPage = await mn.get(`/reports/items?course=order-course&quiz=${quizId}`).expect(200);
  assert.match(
    mnPage.text,
    /60% нь 2-р алхмыг \(“Зорилгоо тайлбарлаж зөвшөөрөл авах”\) буруу байранд тавьсан/,
  );
});
