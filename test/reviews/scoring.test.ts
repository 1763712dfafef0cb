import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregate,
  mean,
  median,
  proposeSelection,
  rank,
  sd,
  weightedScore,
} from '../../modules/reviews/scoring';

const close = (a: number | null, b: number, eps = 0.01) =>
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} ≈ ${b}`);

test('weighted score: Σ(weight·score/scaleMax)/Σweight × 100', () => {
  const rubric = [
    { id: 'a', scaleMax: 5, weight: 2 },
    { id: 'b', scaleMax: 10, weight: 1 },
  ];
  close(
    weightedScore(rubric, [
      { criterionId: 'a', score: 5 },
      { criterionId: 'b', score: 10 },
    ]),
    100,
  );
  // (2·0 + 1·0.5) / 3 × 100
  close(
    weightedScore(rubric, [
      { criterionId: 'a', score: 0 },
      { criterionId: 'b', score: 5 },
    ]),
    16.667,
  );
  // (2·0.6 + 1·0.4) / 3 × 100
  close(
    weightedScore(rubric, [
      { criterionId: 'a', score: 3 },
      { criterionId: 'b', score: 4 },
    ]),
    53.333,
  );
});

test('mean, median, population sd', () => {
  assert.equal(mean([]), null);
  assert.equal(median([]), null);
  close(mean([100, 16.667, 53.333]), 56.667);
  close(median([100, 16.667, 53.333]), 53.333);
  assert.equal(median([1, 4, 2, 3]), 2.5);
  close(sd([80, 60, 40]), 16.3299);
});

test('z-scores per reviewer (≥ 3 reviews), mapped back to the call scale; disagreement; ranking', () => {
  const rubric = [{ id: 'q', scaleMax: 10, weight: 1 }];
  const r = (pitchId: string, reviewerId: string, score: number) => ({
    pitchId,
    reviewerId,
    scores: [{ criterionId: 'q', score }],
  });
  // R1 scores 80/60/40 (mean 60, sd 16.33); R2 100/90/80 (mean 90, sd 8.165); R3 has one review → n/a.
  const reviews = [
    r('P1', 'R1', 8),
    r('P2', 'R1', 6),
    r('P3', 'R1', 4),
    r('P1', 'R2', 10),
    r('P2', 'R2', 9),
    r('P3', 'R2', 8),
    r('P1', 'R3', 2),
  ];
  const rows = aggregate(rubric, reviews, 35);
  const by = Object.fromEntries(rows.map((x) => [x.pitchId, x]));
  // Call mean of all 7 weighted scores = 470/7 = 67.143, population sd = 26.573; mean z of P1 = √1.5.
  close(by.P1!.rawMean, 66.667);
  close(by.P1!.median, 80);
  close(by.P1!.normalised, 67.143 + Math.sqrt(1.5) * 26.573);
  close(by.P2!.normalised, 67.143);
  close(by.P3!.normalised, 67.143 - Math.sqrt(1.5) * 26.573);
  close(by.P2!.rawMean, 75);
  assert.equal(by.P1!.n, 3);
  // Spreads: P1 80, P2 30, P3 40 against a threshold of 35.
  assert.deepEqual([by.P1!.disagreement, by.P2!.disagreement, by.P3!.disagreement], [true, false, true]);
  // Default threshold 25 flags P2 too.
  assert.equal(aggregate(rubric, reviews).find((x) => x.pitchId === 'P2')!.disagreement, true);
  assert.deepEqual(
    rank(rows).map((x) => x.pitchId),
    ['P1', 'P2', 'P3'],
  );
});

test('normalised is n/a when no reviewer has 3 reviews; ranking falls back to the raw mean', () => {
  const rubric = [{ id: 'q', scaleMax: 10, weight: 1 }];
  const rows = aggregate(rubric, [
    { pitchId: 'A', reviewerId: 'x', scores: [{ criterionId: 'q', score: 3 }] },
    { pitchId: 'B', reviewerId: 'y', scores: [{ criterionId: 'q', score: 9 }] },
  ]);
  assert.ok(rows.every((x) => x.normalised === null));
  assert.deepEqual(
    rank(rows).map((x) => x.pitchId),
    ['B', 'A'],
  );
});

test('greedy selection takes the best-ranked pitches that still fit the remaining budget', () => {
  const picked = proposeSelection(
    [
      { pitchId: 'P1', requested: 600 },
      { pitchId: 'P2', requested: 500 },
      { pitchId: 'P3', requested: 300 },
    ],
    1000,
  );
  assert.deepEqual(picked, { pitchIds: ['P1', 'P3'], total: 900 });
});
