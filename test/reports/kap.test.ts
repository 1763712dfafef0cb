import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { kapShifts } from '../../modules/reports/kap';
import { learningGain } from '../../modules/reports/gain';
import { buildMissingTestRecords } from '../../modules/quizzes/test-records';

/**
 * Attitudes and practices: the paired shift per survey item, computed by hand.
 *
 * Items (values keyed in the course's direction; a reversed statement counts 6 − agreement):
 *   a-rev  attitude, reversed      a-dir  attitude, direct
 *   p-act  practice, choice, levels 1–3 (3 the safest)      p-none  practice nobody answered
 * Four paired trainees, first pre-test → first post-test (raw answer → keyed):
 *          a-rev (raw)        a-dir        p-act (level)
 *   t1     5 → 2 (1 → 4)     3 → 4        1 → 3
 *   t2     4 → 1 (2 → 5)     4 → 5        2 → 3
 *   t3     2 → 2 (4 → 4)     2 → 3        3 → 3
 *   t4     3 → 1 (3 → 5)     3 → 5        2 → (blank: not paired on p-act)
 * t1 also retakes the post-test (all answers the other way): a retake never counts. t5 took only the
 * pre-test: not paired. t1 and t2 are in cohort K (trainer T), t3 and t4 in no cohort.
 *
 * a-rev: d = 3, 3, 0, 2; n = 4; mean before (1+2+4+3)/4 = 2.5, after (4+5+4+5)/4 = 4.5; mean d = 2
 *   Σd² = 9+9+0+4 = 22; s² = (22 − 4·2²)/3 = 2; s/√n = √2/2 = 0.7071067811865476
 *   t(0.975, 3) = 3.182446305284263 → half-width 2.2503289... → CI [−0.2503…, 4.2503…]: includes 0 →
 *   "not shown" (a mean shift of 2 points from four trainees is not enough)
 *   agreeing with the statement as worded (raw 4 or 5): before t1, t2 = 50 %; after none = 0 %
 *   pairs: both 0, before only 2, after only 0, neither 2; Wilson 2/4 15.0–85.0, 0/4 0.0–49.0;
 *   change −50.0 points, Newcombe (method 10, φ̂ = 0: a margin is empty) −85.0 to 10.2 → not shown
 * a-dir: d = 1, 1, 1, 2; mean before (3+4+2+3)/4 = 3, after (4+5+3+5)/4 = 4.25; mean d = 1.25
 *   Σd² = 7; s² = (7 − 4·1.5625)/3 = 0.25; s/√n = 0.25 → half-width 0.7956115763210658
 *   CI [0.4543884236789342, 2.045611576321066]: excludes 0, but four trainees are fewer than
 *   MIN_PAIRS_SHOWN (6): "too few to tell", not shown
 *   agreeing: before t2 = 25 %; after t1, t2, t4 = 75 %; pairs both 1, before only 0, after only 2,
 *   neither 1; change +50.0, −13.5 to 78.9 → not shown
 * p-act: t1, t2, t3 only; d = 2, 1, 0; n = 3; before 2, after 3; mean d = 1
 *   Σd² = 5; s² = (5 − 3·1)/2 = 1; s/√n = 1/√3; t(0.975, 2) = 4.302652729911275
 *   half-width 4.302652729911275/√3 = 2.48413771… → CI [−1.4841…, 3.4841…] → not shown
 *   safest practice (level 3): before t3 = 33.3 %; after all three = 100 %; pairs both 1, after only 2
 * p-none: n = 0, no means, no interval, not shown.
 */
let t: TestApp;
const courseId = new Types.ObjectId();
const cohort = new Types.ObjectId();
let trainer: Awaited<ReturnType<typeof buildUser>>;
const close = (a: number | null | undefined, b: number, msg = '', eps = 1e-9) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) < eps, `${msg} expected ${b}, got ${a}`);

const answers: Record<
  string,
  { pre: [number, number, number | null]; post: [number, number, number | null] }
> = {
  t1: { pre: [5, 3, 1], post: [2, 4, 3] },
  t2: { pre: [4, 4, 2], post: [1, 5, 3] },
  t3: { pre: [2, 2, 3], post: [2, 3, 3] },
  t4: { pre: [3, 3, 2], post: [1, 5, null] },
};

before(async () => {
  t = await buildTestApp();
  const db = t.ctx.db;
  const quiz = { pre: new Types.ObjectId(), post: new Types.ObjectId() };
  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'kap-course',
    title: { en: 'KAP', mn: 'KAP' },
    objectives: [{ id: 'X', label: { en: 'Objective X', mn: 'Зорилт X' } }],
    lessonIds: [],
  });
  await db.collection('quizzes').insertMany(
    (['pre', 'post'] as const).map((key) => ({
      _id: quiz[key],
      courseId,
      key,
      kind: key,
      title: { en: key, mn: key },
      questionIds: ['x1'],
      survey: ['a-rev', 'a-dir', 'p-act', 'p-none'],
      passingScore: key === 'pre' ? 0 : 70,
    })),
  );
  const item = (sid: string, kind: string, scale: string, reversed: boolean, position: number) => ({
    courseId,
    sid,
    kind,
    scale,
    reversed,
    position,
    dimension: kind === 'attitude' ? 'blame' : 'consent',
    dimensionLabel:
      kind === 'attitude' ? { en: 'Blame', mn: 'Буруутгах' } : { en: 'Consent', mn: 'Зөвшөөрөл' },
    text: { en: `Item ${sid}`, mn: `Зүйл ${sid}` },
    ...(scale === 'choice'
      ? {
          options: [1, 2, 3].map((level) => ({
            id: `l${level}`,
            level,
            text: { en: `L${level}`, mn: `Т${level}` },
          })),
        }
      : {}),
    version: 1,
    contentHash: sid,
  });
  await db
    .collection('surveyitems')
    .insertMany([
      item('a-rev', 'attitude', 'agreement', true, 1),
      item('a-dir', 'attitude', 'agreement', false, 2),
      item('p-act', 'practice', 'choice', false, 3),
      item('p-none', 'practice', 'frequency', false, 4),
    ]);
  trainer = await buildUser(t.ctx, { role: 'trainer' });
  await db.collection('cohorts').insertOne({ _id: cohort, name: 'K', courseId, trainerIds: [trainer._id] });

  let day = 1;
  // What the quizzes module stores at submit (see scoreSurvey): value, keyed, high.
  const results = ([rev, dir, act]: readonly (number | null)[]) => [
    { sid: 'a-rev', kind: 'attitude', choice: String(rev), value: rev, keyed: 6 - rev!, high: rev! >= 4 },
    { sid: 'a-dir', kind: 'attitude', choice: String(dir), value: dir, keyed: dir, high: dir! >= 4 },
    ...(act === null
      ? []
      : [{ sid: 'p-act', kind: 'practice', choice: `l${act}`, value: act, keyed: act, high: act === 3 }]),
  ];
  const attempt = (
    userId: Types.ObjectId,
    key: 'pre' | 'post',
    no: number,
    survey: readonly (number | null)[],
  ) => {
    const at = new Date(Date.UTC(2026, 2, day++));
    return {
      quizId: quiz[key],
      quizKey: key,
      courseId,
      userId,
      attemptNo: no,
      status: 'submitted',
      startedAt: at,
      submittedAt: at,
      score: 100,
      passed: true,
      results: [{ qid: 'x1', objective: 'X', correct: true, chosen: ['a'] }],
      surveyResults: results(survey),
    };
  };
  for (const [name, a] of Object.entries(answers)) {
    const user = await buildUser(t.ctx, { name });
    if (name === 't1' || name === 't2')
      await db
        .collection('enrolments')
        .insertOne({ userId: user._id, courseId, cohortId: cohort, status: 'completed' });
    await db
      .collection('attempts')
      .insertMany([
        attempt(user._id, 'pre', 1, a.pre),
        attempt(user._id, 'post', 1, a.post),
        ...(name === 't1' ? [attempt(user._id, 'post', 2, [5, 1, 1])] : []),
      ]);
  }
  const t5 = await buildUser(t.ctx, { name: 't5' });
  await db.collection('attempts').insertOne(attempt(t5._id, 'pre', 1, [1, 5, 3]));
  // The trainees' test records, as the start-up job builds them for attempts stored before records.
  await buildMissingTestRecords(t.ctx);
});
after(async () => t.close());

describe('attitudes and practices: paired shift per item', () => {
  test('shift, interval, n and share agreeing per item, against the hand computation', async () => {
    const rows = await kapShifts(t.ctx, { courseId });
    assert.deepEqual(
      rows.map((r) => r.sid),
      ['a-rev', 'a-dir', 'p-act', 'p-none'],
      "the survey's order",
    );
    const [rev, dir, act, none] = rows as [
      (typeof rows)[0],
      (typeof rows)[0],
      (typeof rows)[0],
      (typeof rows)[0],
    ];
    assert.equal(rev.n, 4);
    close(rev.preMean, 2.5);
    close(rev.postMean, 4.5);
    close(rev.shift, 2);
    const halfRev = 3.182446305284263 * Math.SQRT1_2;
    close(rev.ci?.[0], 2 - halfRev, 'a-rev low', 1e-8);
    close(rev.ci?.[1], 2 + halfRev, 'a-rev high', 1e-8);
    assert.equal(rev.shown, false, 'the interval includes zero');
    close(rev.preHigh, 50);
    close(rev.postHigh, 0);
    assert.equal(rev.reversed, true);
    assert.equal(rev.fewerIsBetter, true, 'agreeing as worded: not reversed a second time');
    assert.deepEqual(rev.highPairs, { both: 0, beforeOnly: 2, afterOnly: 0, neither: 2 });
    close(rev.preHighCi?.[0], 15.003898915214947, 'a-rev before low', 1e-8);
    close(rev.postHighCi?.[1], 48.98908364545973, 'a-rev after high', 1e-8);
    close(rev.highChange, -50);
    close(rev.highChangeCi?.[0], -84.99610108478505, 'a-rev share low', 1e-8);
    close(rev.highChangeCi?.[1], 10.20512775136636, 'a-rev share high', 1e-8);
    assert.equal(rev.highShown, false);

    assert.equal(dir.n, 4);
    close(dir.preMean, 3);
    close(dir.postMean, 4.25);
    close(dir.shift, 1.25);
    close(dir.ci?.[0], 0.4543884236789342, 'a-dir low', 1e-8);
    close(dir.ci?.[1], 2.045611576321066, 'a-dir high', 1e-8);
    assert.equal(dir.shown, false, 'the interval excludes zero, but four trainees are too few');
    assert.equal(dir.fewPairs, true);
    close(dir.preHigh, 25);
    close(dir.postHigh, 75);
    assert.deepEqual(dir.highPairs, { both: 1, beforeOnly: 0, afterOnly: 2, neither: 1 });
    close(dir.highChange, 50);
    close(dir.highChangeCi?.[0], -13.548840058295152, 'a-dir share low', 1e-8);
    close(dir.highChangeCi?.[1], 78.90832680847556, 'a-dir share high', 1e-8);
    assert.equal(dir.highShown, false);

    assert.equal(act.n, 3, 't4 left p-act blank after: not paired on it');
    close(act.preMean, 2);
    close(act.postMean, 3);
    close(act.shift, 1);
    close(act.ci?.[0], 1 - 4.302652729911275 / Math.sqrt(3), 'p-act low', 1e-8);
    close(act.ci?.[1], 1 + 4.302652729911275 / Math.sqrt(3), 'p-act high', 1e-8);
    assert.equal(act.shown, false);
    close(act.preHigh, 100 / 3);
    close(act.postHigh, 100);
    assert.deepEqual(act.highPairs, { both: 1, beforeOnly: 0, afterOnly: 2, neither: 0 });
    assert.equal(act.fewerIsBetter, false);

    assert.deepEqual(
      [
        none.n,
        none.shift,
        none.ci,
        none.shown,
        none.highChange,
        none.highChangeCi,
        none.highShown,
        none.fewPairs,
      ],
      [0, null, null, false, null, null, false, false],
    );
  });

  test('the knowledge report never sees a survey answer: one objective, one item per form', async () => {
    const g = await learningGain(t.ctx, { courseId });
    assert.equal(g.summary?.n, 4);
    assert.deepEqual(
      g.objectives.map((o) => o.objective),
      ['X'],
    );
    assert.ok(g.forms.every((f) => f.items === 1));
  });

  test("a trainer's shifts count only their cohort's trainees", async () => {
    const [, dir] = await kapShifts(t.ctx, { courseId, scope: [cohort] });
    // t1 (3 → 4) and t2 (4 → 5): n = 2, d = 1, 1, mean 1, s = 0 → no spread, no interval, not shown.
    assert.equal(dir?.n, 2);
    close(dir?.shift, 1);
    assert.equal(dir?.ci, null);
    assert.equal(dir?.shown, false);
  });

  test('the gain page shows the section in English and Mongolian, and the CSV has every item', async () => {
    const en = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
    const page = (await en.get('/reports/gain?course=kap-course').expect(200)).text;
    assert.match(page, /<h2 id="kap-title">Attitudes and practices<\/h2>/);
    assert.match(
      page,
      /Item a-rev<br><span class="muted">Blame · reversed<\/span><\/th><td>4<br><span class="muted">too few to tell<\/span><\/td><td>2\.50 → 4\.50<\/td><td><strong>\+2\.00<\/strong><br>-0\.25 to 4\.25<\/td><td>Too few to tell<\/td><td>50\.0 → 0\.0<br><span class="muted">95 %: 15\.0–85\.0 → 0\.0–49\.0<\/span><\/td><td><strong>-50\.0<\/strong><br>-85\.0 to 10\.2<br><span class="muted">0 came to agree, 2 stopped agreeing · fewer is better<\/span><\/td><td>Too few to tell<\/td>/,
    );
    assert.match(
      page,
      /Item a-dir<br>[\s\S]*?<td>3\.00 → 4\.25<\/td><td><strong>\+1\.25<\/strong><br>0\.45 to 2\.05<\/td><td>Too few to tell<\/td><td>25\.0 → 75\.0<br>[\s\S]*?<strong>\+50\.0<\/strong><br>-13\.5 to 78\.9<br><span class="muted">2 came to agree, 0 stopped agreeing<\/span><\/td><td>Too few to tell<\/td>/,
    );
    assert.match(
      page,
      /Item p-none<br>[\s\S]*?<td>0<\/td><td>– → –<\/td><td><strong>–<\/strong><br>–<\/td><td>Not shown<\/td><td>– → –<\/td><td><strong>–<\/strong><br>–<\/td><td>Not shown<\/td>/,
    );
    assert.match(page, /Item p-act<br>[\s\S]*?2 moved to the safest, 0 moved away from it/);
    assert.match(page, /paired t interval/);

    const mn = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: 'mn' }));
    const mnPage = (await mn.get('/reports/gain?course=kap-course').expect(200)).text;
    assert.match(mnPage, /Хандлага, арга барил/);
    assert.match(
      mnPage,
      /Зүйл a-rev<br><span class="muted">Буруутгах · урвуу<\/span>[\s\S]*?Дүгнэхэд хэт цөөн/,
    );
    assert.match(mnPage, /Зүйл p-none<br>[\s\S]*?Батлагдаагүй/);

    const csv = (await en.get('/reports/export/kap?course=kap-course').expect(200)).text;
    assert.match(csv, /^\uFEFF?Dimension,Kind,Item,Reversed,Paired trainees,Mean before,Mean after,Shift,/);
    assert.match(
      csv,
      // Four pairs: the CSV says what the page says, not a bare "no".
      /\nBlame,attitude,Item a-rev,yes,4,2\.5,4\.5,2,-0\.25,4\.25,50,0,Too few to tell,15,85,0,49,0,2,0,2,-50,-85,10\.2,Too few to tell\r?\n/,
    );
    assert.match(
      csv,
      /\nBlame,attitude,Item a-dir,no,4,3,4\.25,1\.25,0\.45,2\.05,25,75,Too few to tell,[^\n]*,1,0,2,1,50,-13\.5,78\.9,Too few to tell\r?\n/,
    );
    assert.match(
      csv,
      /\nConsent,practice,Item p-act,no,3,2,3,1,-1\.48,3\.48,33\.3,100,Too few to tell,[^\n]*,1,0,2,0,66\.7,/,
    );
    assert.match(csv, /\nConsent,practice,Item p-none,no,0,,,,,,,,no,,,,,0,0,0,0,,,,no/);
    const mnCsv = (await mn.get('/reports/export/kap?course=kap-course').expect(200)).text;
    assert.match(mnCsv, /\nБуруутгах,хандлага,Зүйл a-rev,тийм,4,/);
  });
});
