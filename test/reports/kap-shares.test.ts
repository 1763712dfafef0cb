import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { kapShifts } from '../../modules/reports/kap';
import { buildMissingTestRecords } from '../../modules/quizzes/test-records';

/**
 * The share agreeing with a statement, before and after, judged on the same trainees' pairs of
 * answers: Wilson intervals per share, Newcombe's paired interval (method 10) for the change.
 *
 * Twelve trainees, first pre-test → first post-test, raw agreement 1–5 ("agree" = 4 or 5):
 *   b-up   direct    agree both 3, after only 7, before only 0, neither 2
 *          25.0 % (Wilson 8.9–53.2) → 83.3 % (55.2–95.3); change +58.3, Newcombe 18.5 to 78.4: shown
 *          (exact McNemar on the 7 discordant pairs, all one way: p = 2 · 0.5⁷ = 0.016, agreeing)
 *   b-same direct    agree both 6, neither 6: nobody changed side, although every answer moved up one
 *          or two points (mean shift +1.17, shown). 50.0 → 50.0 (25.4–74.6 both); change +0.0,
 *          −14.2 to 14.2: not shown — no discordant pair, no evidence of a change in the share
 *   b-rev  reversed  agree both 1, before only 7, neither 4: agreeing as worded falls (fewer is better)
 *          66.7 % (39.1–86.2) → 8.3 % (1.5–35.4); change −58.3, −79.0 to −19.7: shown, and negative:
 *          the share is not reversed a second time, while the keyed mean shift is positive.
 */
let t: TestApp;
const courseId = new Types.ObjectId();
const close = (a: number | null | undefined, b: number, eps = 0.05) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) < eps, `expected ${b}, got ${a}`);

const ITEMS = [
  { sid: 'b-up', reversed: false },
  { sid: 'b-same', reversed: false },
  { sid: 'b-rev', reversed: true },
];
/** Raw answers per item, trainee by trainee. */
const RAW: Record<string, { pre: number[]; post: number[] }> = {
  'b-up': { pre: [4, 5, 4, 2, 2, 3, 1, 2, 3, 2, 1, 2], post: [5, 5, 4, 4, 5, 4, 4, 5, 4, 4, 2, 3] },
  'b-same': { pre: [4, 4, 4, 4, 4, 4, 1, 1, 2, 1, 2, 1], post: [5, 5, 5, 5, 5, 5, 2, 3, 3, 2, 3, 3] },
  'b-rev': { pre: [4, 5, 4, 5, 4, 4, 5, 4, 2, 1, 2, 3], post: [4, 2, 1, 2, 1, 2, 1, 2, 1, 1, 2, 2] },
};

before(async () => {
  t = await buildTestApp();
  const db = t.ctx.db;
  const quiz = { pre: new Types.ObjectId(), post: new Types.ObjectId() };
  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'kap-shares',
    title: { en: 'KAP shares', mn: 'KAP хувь' },
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
      survey: ITEMS.map((i) => i.sid),
      passingScore: 0,
    })),
  );
  await db.collection('surveyitems').insertMany(
    ITEMS.map((i, position) => ({
      courseId,
      sid: i.sid,
      kind: 'attitude',
      scale: 'agreement',
      reversed: i.reversed,
      position,
      dimension: 'blame',
      dimensionLabel: { en: 'Blame', mn: 'Буруутгах' },
      text: { en: `Item ${i.sid}`, mn: `Зүйл ${i.sid}` },
      version: 1,
      contentHash: i.sid,
    })),
  );
  // What the quizzes module stores at submit (see scoreSurvey): agreeing is on the raw value.
  const results = (k: 'pre' | 'post', who: number) =>
    ITEMS.map(({ sid, reversed }) => {
      const value = RAW[sid]![k][who]!;
      return {
        sid,
        kind: 'attitude',
        choice: String(value),
        value,
        keyed: reversed ? 6 - value : value,
        high: value >= 4,
      };
    });
  for (let who = 0; who < 12; who++) {
    const user = await buildUser(t.ctx, { name: `s${who + 1}` });
    await db.collection('attempts').insertMany(
      (['pre', 'post'] as const).map((key) => {
        const at = new Date(Date.UTC(2026, 3, key === 'pre' ? 1 : 20, who));
        return {
          quizId: quiz[key],
          quizKey: key,
          courseId,
          userId: user._id,
          attemptNo: 1,
          status: 'submitted',
          startedAt: at,
          submittedAt: at,
          score: 100,
          passed: true,
          results: [{ qid: 'x1', objective: 'X', correct: true, chosen: ['a'] }],
          surveyResults: results(key, who),
        };
      }),
    );
  }
  await buildMissingTestRecords(t.ctx);
});
after(async () => t.close());

describe('attitudes: the change in the share agreeing is paired', () => {
  test('pairs, Wilson intervals and the Newcombe interval per item', async () => {
    const [up, same, rev] = (await kapShifts(t.ctx, { courseId })) as [
      Awaited<ReturnType<typeof kapShifts>>[0],
      Awaited<ReturnType<typeof kapShifts>>[0],
      Awaited<ReturnType<typeof kapShifts>>[0],
    ];
    assert.deepEqual(up.highPairs, { both: 3, beforeOnly: 0, afterOnly: 7, neither: 2 });
    close(up.preHighCi?.[0], 8.89);
    close(up.preHighCi?.[1], 53.23);
    close(up.postHighCi?.[0], 55.2);
    close(up.postHighCi?.[1], 95.3);
    close(up.highChange, 58.33);
    close(up.highChangeCi?.[0], 18.48);
    close(up.highChangeCi?.[1], 78.4);
    assert.equal(up.highShown, true);
    assert.equal(up.fewPairs, false);

    assert.deepEqual(same.highPairs, { both: 6, beforeOnly: 0, afterOnly: 0, neither: 6 });
    assert.equal(same.highChange, 0);
    assert.equal(same.highShown, false, 'nobody changed side: no change in the share is claimed');
    assert.equal(same.shown, true, 'while the mean shift, with spread and twelve pairs, is shown');

    assert.deepEqual(rev.highPairs, { both: 1, beforeOnly: 7, afterOnly: 0, neither: 4 });
    close(rev.highChange, -58.33);
    close(rev.highChangeCi?.[0], -79.02);
    close(rev.highChangeCi?.[1], -19.68);
    assert.equal(rev.highShown, true);
    assert.equal(rev.fewerIsBetter, true);
    assert.ok(rev.shift! > 0, 'the keyed shift runs the course’s way');
  });

  test('the gain page and the CSV show the intervals, the pairs and the verdicts', async () => {
    const en = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
    const page = (await en.get('/reports/gain?course=kap-shares').expect(200)).text;
    assert.match(
      page,
      /Item b-up<br>[\s\S]*?<td>25\.0 → 83\.3<br><span class="muted">95 %: 8\.9–53\.2 → 55\.2–95\.3<\/span><\/td><td><strong>\+58\.3<\/strong><br>18\.5 to 78\.4<br><span class="muted">7 came to agree, 0 stopped agreeing<\/span><\/td><td>Shown<\/td>/,
    );
    assert.match(
      page,
      /Item b-same<br>[\s\S]*?<td>Shown<\/td><td>50\.0 → 50\.0<br>[\s\S]*?<strong>\+0\.0<\/strong><br>-14\.2 to 14\.2<br><span class="muted">0 came to agree, 0 stopped agreeing<\/span><\/td><td>Not shown<\/td>/,
    );
    assert.match(
      page,
      /Item b-rev<br>[\s\S]*?<td>66\.7 → 8\.3<br>[\s\S]*?<strong>-58\.3<\/strong><br>-79\.0 to -19\.7<br><span class="muted">0 came to agree, 7 stopped agreeing · fewer is better<\/span><\/td><td>Shown<\/td>/,
    );
    assert.match(page, /Newcombe’s hybrid score interval/);

    const mn = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: 'mn' }));
    const mnPage = (await mn.get('/reports/gain?course=kap-shares').expect(200)).text;
    assert.match(mnPage, /7 санал нийлдэг болсон, 0 санал нийлэхээ больсон/);

    const csv = (await en.get('/reports/export/kap?course=kap-shares').expect(200)).text;
    assert.match(
      csv,
      /Shift shown\?,Before: 95 % interval from,Before: 95 % interval to,After: 95 % interval from,After: 95 % interval to,Agree \/ safest both times,Agree \/ safest before only,Agree \/ safest after only,Agree \/ safest neither time,Change in agree \/ safest \(points\),Change: 95 % interval from,Change: 95 % interval to,Change in share shown\?/,
    );
    assert.match(
      csv,
      /Item b-up,no,12,[^\n]*,25,83\.3,yes,8\.9,53\.2,55\.2,95\.3,3,0,7,2,58\.3,18\.5,78\.4,yes\r?\n/,
    );
    assert.match(
      csv,
      /Item b-same,no,12,[^\n]*,50,50,yes,25\.4,74\.6,25\.4,74\.6,6,0,0,6,0,-14\.2,14\.2,no\r?\n/,
    );
  });
});
