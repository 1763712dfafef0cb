import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { binary } from '../support/binary';
import { pdfText } from '../programme/pdf-text';
import { learningGain } from '../../modules/reports/gain';
import { changeShown, kr20, pairedInterval, tQuantile } from '../../modules/reports/stats';
import { groupStats } from '../../modules/reports/gain-fold';
import { buildMissingTestRecords, refreshTestRecord } from '../../modules/quizzes/test-records';

/**
 * Two parallel forms, counterbalanced; everything below is computed by hand.
 *
 * Objectives X and Y, two items each per form, in this order: X1 X2 Y1 Y2.
 *   form A: a1 a2 (X) a3 a4 (Y)        form B: b1 b2 (X) b3 b4 (Y)
 * Four trainees, first attempts only (1 = right):
 *   t1  pre A 0 0 1 0   post B 1 1 1 0
 *   t2  pre A 1 0 0 0   post B 1 1 0 1
 *   t3  pre B 0 0 0 1   post A 1 0 1 1
 *   t4  pre B 0 1 1 1   post A 1 1 1 1
 * (t1 also retakes the post-test with form A, all right: a retake never counts.)
 *
 * Objective X, share right per trainee (pre → post, change d):
 *   t1 0 → 100 (100)   t2 50 → 100 (50)   t3 0 → 50 (50)   t4 50 → 100 (50)
 *   n = 4, mean pre 25, mean post 87.5, mean d = 250/4 = 62.5
 *   Σd² = 100² + 3·50² = 17500; s² = (17500 − 4·62.5²)/3 = 1875/3 = 625, s = 25, s/√n = 12.5
 *   t(0.975, 3) = 3.182446305284263 → half-width 39.78057881605329
 *   95 % CI [22.71942118394671, 102.28057881605329]: excludes 0 → shown
 *   normalised (Hake) = (87.5 − 25)/(100 − 25) = 0.8333…
 * Objective Y:
 *   t1 50 → 50 (0)   t2 0 → 50 (50)   t3 50 → 100 (50)   t4 100 → 100 (0)
 *   n = 4, mean pre 50, mean post 75, mean d = 25
 *   Σd² = 2·50² = 5000; s² = (5000 − 4·25²)/3 = 2500/3, s/√n = 14.433756729740644
 *   half-width 3.182446305284263 · 14.433756729740644 = 45.93466…
 *   95 % CI [−20.93466…, 70.93466…]: includes 0 → "not shown"
 *   normalised = (75 − 50)/(100 − 50) = 0.5
 * KR-20 = k/(k − 1) · (1 − Σpq/σ²), σ² of the totals divided by N:
 *   form A (t1 pre, t2 pre, t3 post, t4 post): totals 1 1 3 4, mean 2.25, σ² = 6.75/4 = 1.6875
 *     p = .75 .25 .75 .5 → Σpq = 3·.1875 + .25 = .8125 → 4/3 · (1 − .8125/1.6875) = 56/81 = 0.69136
 *   form B (t1 post, t2 post, t3 pre, t4 pre): totals 3 3 1 3, mean 2.5, σ² = 3/4 = .75
 *     p = .5 .75 .5 .75 → Σpq = .875 → 4/3 · (1 − .875/.75) = −2/9 (a negative KR-20 is possible)
 */
const pattern = {
  t1: { pre: ['A', [0, 0, 1, 0]], post: ['B', [1, 1, 1, 0]] },
  t2: { pre: ['A', [1, 0, 0, 0]], post: ['B', [1, 1, 0, 1]] },
  t3: { pre: ['B', [0, 0, 0, 1]], post: ['A', [1, 0, 1, 1]] },
  t4: { pre: ['B', [0, 1, 1, 1]], post: ['A', [1, 1, 1, 1]] },
} as const;

let t: TestApp;
const courseId = new Types.ObjectId();
const quiz = { pre: new Types.ObjectId(), post: new Types.ObjectId() };
const close = (a: number | null | undefined, b: number, msg = '', eps = 1e-9) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) < eps, `${msg} expected ${b}, got ${a}`);

before(async () => {
  t = await buildTestApp();
  const db = t.ctx.db;
  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'forms-course',
    title: { en: 'Forms', mn: 'Хувилбарууд' },
    objectives: [
      { id: 'X', label: { en: 'Objective X', mn: 'Зорилт X' } },
      { id: 'Y', label: { en: 'Objective Y', mn: 'Зорилт Y' } },
    ],
    lessonIds: [],
  });
  const forms = [
    { id: 'A', questionIds: ['a1', 'a2', 'a3', 'a4'] },
    { id: 'B', questionIds: ['b1', 'b2', 'b3', 'b4'] },
  ];
  await db.collection('quizzes').insertMany(
    (['pre', 'post'] as const).map((key) => ({
      _id: quiz[key],
      courseId,
      key,
      kind: key,
      title: { en: key, mn: key },
      questionIds: forms[key === 'pre' ? 0 : 1]!.questionIds,
      forms,
      counterbalance: true,
      passingScore: key === 'pre' ? 0 : 70,
    })),
  );
  const objectiveOf = (i: number) => (i < 2 ? 'X' : 'Y');
  let day = 1;
  const attempt = (
    userId: Types.ObjectId,
    key: 'pre' | 'post',
    no: number,
    form: string,
    right: readonly number[],
  ) => {
    const results = right.map((r, i) => ({
      qid: `${form.toLowerCase()}${i + 1}`,
      objective: objectiveOf(i),
      correct: r === 1,
      chosen: ['x'],
    }));
    const score = (100 * right.reduce((s, v) => s + v, 0)) / right.length;
    const at = new Date(Date.UTC(2026, 1, day++));
    return {
      quizId: quiz[key],
      quizKey: key,
      courseId,
      userId,
      attemptNo: no,
      form,
      status: 'submitted',
      startedAt: at,
      submittedAt: at,
      score,
      passed: key === 'pre' || score >= 70,
      results,
    };
  };
  for (const [name, p] of Object.entries(pattern)) {
    const user = await buildUser(t.ctx, { name });
    await db
      .collection('attempts')
      .insertMany([
        attempt(user._id, 'pre', 1, p.pre[0], p.pre[1]),
        attempt(user._id, 'post', 1, p.post[0], p.post[1]),
        ...(name === 't1' ? [attempt(user._id, 'post', 2, 'A', [1, 1, 1, 1])] : []),
      ]);
  }
  // The trainees' test records, as the start-up job builds them for attempts stored before records.
  await buildMissingTestRecords(t.ctx);
});
after(async () => t.close());

describe('measurement that holds up', () => {
  test('the statistics by themselves', () => {
    close(tQuantile(0.975, 3), 3.182446305284263, 't(0.975, 3)');
    close(tQuantile(0.975, 10), 2.228138851986274, 't(0.975, 10)');
    const ci = pairedInterval(4, 250, 17500)!;
    close(ci[0], 62.5 - 39.78057881605329, 'X low');
    close(ci[1], 62.5 + 39.78057881605329, 'X high');
    assert.equal(pairedInterval(1, 10, 100), null);
    // Two trainees who both gained exactly 10: no spread, so no interval (not a zero-width one).
    assert.equal(pairedInterval(2, 20, 200), null);
    assert.equal(pairedInterval(30, 300, 3000), null);
    // Shown needs six pairs: five of five moving the same way is p = 0.0625 by a sign test.
    assert.equal(changeShown(5, [1, 2]), false);
    assert.equal(changeShown(6, [1, 2]), true);
    assert.equal(changeShown(6, [-1, 2]), false);
    assert.equal(changeShown(60, null), false);
    // The class normalised gain is Hake's, on the means: (50→75, 50→75, 95→80) is +0.33, where the
    // mean of the trainees' own ratios (0.5, 0.5, −3) would say −0.67.
    const row = (pre: number, post: number) => ({
      userId: new Types.ObjectId(),
      name: '',
      pre,
      post,
      gain: post - pre,
      normGain: (post - pre) / (100 - pre),
    });
    const [cls] = groupStats([row(50, 75), row(50, 75), row(95, 80)]);
    close(cls?.meanNormGain, (76.66666666666667 - 65) / 35, 'Hake on the means');
    close(
      kr20([
        [0, 0, 1, 0],
        [1, 0, 0, 0],
        [1, 0, 1, 1],
        [1, 1, 1, 1],
      ]),
      56 / 81,
      'KR-20 A',
    );
    assert.equal(
      kr20([
        [1, 1],
        [1, 1],
      ]),
      null,
      'no variance',
    );
  });

  test('two counterbalanced forms: gain per objective with its interval, normalised gain, KR-20', async () => {
    const g = await learningGain(t.ctx, { courseId });
    assert.equal(g.summary?.n, 4);
    const [x, y] = g.objectives;
    assert.equal(x?.objective, 'X');
    assert.equal(x.n, 4);
    close(x.preShare, 25);
    close(x.postShare, 87.5);
    close(x.gain, 62.5);
    close(x.ci?.[0], 22.71942118394671, 'X CI low', 1e-8);
    close(x.ci?.[1], 102.28057881605329, 'X CI high', 1e-8);
    close(x.normGain, 62.5 / 75);
    assert.equal(x.shown, false, 'the interval leaves out zero, but four trainees are too few to call it');

    assert.equal(y?.objective, 'Y');
    close(y.gain, 25);
    const half = 3.182446305284263 * Math.sqrt(2500 / 3 / 4);
    close(y.ci?.[0], 25 - half, 'Y CI low', 1e-8);
    close(y.ci?.[1], 25 + half, 'Y CI high', 1e-8);
    close(y.normGain, 0.5);
    assert.equal(y.shown, false, 'the interval includes zero');

    const forms = Object.fromEntries(g.forms.map((f) => [f.form, f]));
    assert.deepEqual([forms.A?.attempts, forms.A?.items], [4, 4]);
    close(forms.A?.kr20, 56 / 81, 'KR-20 form A');
    close(forms.B?.kr20, -2 / 9, 'KR-20 form B');
  });

  test('a trainee with only a pre-test is counted, not paired', async () => {
    const dropout = await buildUser(t.ctx, { name: 'dropout' });
    const at = new Date(Date.UTC(2026, 1, 20));
    await t.ctx.db.collection('attempts').insertOne({
      quizId: quiz.pre,
      quizKey: 'pre',
      courseId,
      userId: dropout._id,
      attemptNo: 1,
      form: 'A',
      status: 'submitted',
      startedAt: at,
      submittedAt: at,
      score: 0,
      passed: true,
      results: [{ qid: 'a1', objective: 'X', correct: false, chosen: ['x'] }],
    });
    await refreshTestRecord(t.ctx, dropout._id, courseId);
    const g = await learningGain(t.ctx, { courseId });
    assert.equal(g.summary?.n, 4, 'the figures stay paired');
    assert.deepEqual(g.unpaired, { preOnly: 1, postOnly: 0 });
    const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
    const page = await admin.get('/reports/gain?course=forms-course').expect(200);
    assert.match(page.text, /trainees who took only the pre-test \(1\) or only the post-test \(0\)/);
    await t.ctx.db.collection('attempts').deleteMany({ userId: dropout._id });
    await t.ctx.db.collection('testrecords').deleteMany({ userId: dropout._id });
  });

  test('the gain page states the method and marks "not shown" (en and mn)', async () => {
    const en = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
    const page = await en.get('/reports/gain?course=forms-course').expect(200);
    assert.match(page.text, /95 % confidence interval/);
    assert.match(page.text, /paired t/);
    assert.match(page.text, /<th scope="row">Objective Y<\/th>[\s\S]*?Not shown/);
    assert.match(page.text, /\+62\.5[\s\S]*?22\.7 to 102\.3/);
    assert.match(page.text, /KR-20/);
    assert.match(page.text, /0\.69/);
    const csv = await en.get('/reports/export/gain-objectives?course=forms-course').expect(200);
    assert.match(csv.text, /^\uFEFF?Learning objective,Paired trainees,/);
    assert.match(csv.text, /\nObjective X,4,25,87\.5,62\.5,22\.7,102\.3,0\.833,no,8/);
    assert.match(csv.text, /\nObjective Y,4,50,75,25,-20\.9,70\.9,0\.5,no,8/);

    // The cohort PDF lists every paired trainee (it asks for all of them at once).
    const pdf = await en
      .get('/reports/cohort-summary?course=forms-course')
      .buffer(true)
      .parse(binary)
      .expect(200);
    const text = pdfText(pdf.body as Buffer).join('\n');
    for (const name of Object.keys(pattern))
      assert.match(text, new RegExp(`\\b${name}\\b`), `${name} in the PDF`);

    const mn = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: 'mn' }));
    const mnPage = await mn.get('/reports/gain?course=forms-course').expect(200);
    assert.match(mnPage.text, /Батлагдаагүй/);
    assert.match(mnPage.text, /95 %-ийн итгэх интервал/);
  });
});
