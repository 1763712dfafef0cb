import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  newcombePairedInterval,
  pairedShareChange,
  wilsonInterval,
  type PairedCounts,
} from '../../modules/reports/paired-proportions';

/**
 * The paired-proportion statistics against published worked examples, to the four decimals printed.
 *
 * Wilson: Newcombe (1998b, Stat Med 17:857) example 81/263 → 0.2553 to 0.3662.
 * Newcombe (1998, Stat Med 17:2635) method 10, Table II example a = 36, b = 12, c = 2, d = 0 (a both
 * positive, b first only, c second only): θ = (b − c)/n = 10/50 = 0.2000, 95 % CI 0.0569 to 0.3404.
 * By hand: p1 = 48/50 Wilson (0.8654, 0.9890), p2 = 38/50 Wilson (0.6293, 0.8567); ad − bc = −24 < 0,
 * so φ̂ = −24/√(48·2·38·12) = −0.1147; L = 0.2 − √(0.0946² + 2·0.1147·0.0946·0.0967 + 0.0967²).
 * Altman et al., Statistics with Confidence (2000), Table 6.2: 14, 5, 0, 22 → 0.122, 0.011 to 0.226.
 */
const close = (a: number | undefined, b: number, eps = 5e-5) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) <= eps, `expected ${b}, got ${a}`);

/** Newcombe's a, b, c, d with the first classification "after": b = after only, c = before only. */
const table = (a: number, b: number, c: number, d: number): PairedCounts => ({
  both: a,
  afterOnly: b,
  beforeOnly: c,
  neither: d,
});

describe('Wilson score interval', () => {
  test('81 of 263 (Newcombe 1998b)', () => {
    const ci = wilsonInterval(81, 263)!;
    close(ci[0], 0.2553);
    close(ci[1], 0.3662);
  });

  test('0 and all of n stay inside [0, 1] and keep a width', () => {
    const none = wilsonInterval(0, 10)!;
    close(none[0], 0, 1e-12);
    close(none[1], 0.2775);
    const all = wilsonInterval(10, 10)!;
    close(all[0], 0.7225);
    close(all[1], 1, 1e-12);
    assert.equal(wilsonInterval(0, 0), null);
  });
});

describe('Newcombe paired interval (method 10)', () => {
  test('36, 12, 2, 0 (Newcombe 1998, Table II)', () => {
    const ci = newcombePairedInterval(table(36, 12, 2, 0))!;
    close(ci[0], 0.0569);
    close(ci[1], 0.3404);
  });

  test('14, 5, 0, 22 (Altman et al. 2000, Table 6.2)', () => {
    const ci = newcombePairedInterval(table(14, 5, 0, 22))!;
    close(ci[0], 0.011, 5e-4);
    close(ci[1], 0.226, 5e-4);
  });

  test('the interval of before − after is the mirror image', () => {
    const ci = newcombePairedInterval(table(36, 2, 12, 0))!;
    close(ci[0], -0.3404);
    close(ci[1], -0.0569);
  });
});

describe('paired share change', () => {
  test('shares, intervals and change in percent, shown when the interval leaves out zero', () => {
    const r = pairedShareChange(table(36, 12, 2, 0));
    assert.equal(r.n, 50);
    close(r.before!, 76);
    close(r.after!, 96);
    close(r.change!, 20);
    close(r.changeCi![0], 5.69, 5e-3);
    close(r.changeCi![1], 34.04, 5e-3);
    close(r.afterCi![0], 86.54, 5e-3);
    assert.equal(r.discordant, 14);
    assert.equal(r.shown, true);
  });

  test('nobody paired: nothing to show', () => {
    const r = pairedShareChange(table(0, 0, 0, 0));
    assert.deepEqual(
      [r.n, r.before, r.after, r.beforeCi, r.afterCi, r.change, r.changeCi, r.shown],
      [0, null, null, null, null, null, null, false],
    );
  });

  test('no discordant pairs (everyone agrees both times): no change, not shown, an honest interval', () => {
    const r = pairedShareChange(table(40, 0, 0, 0));
    assert.equal(r.change, 0);
    assert.equal(r.discordant, 0);
    assert.ok(r.changeCi![0] < 0 && r.changeCi![1] > 0, 'the interval straddles zero');
    assert.equal(r.shown, false);
    const mixed = pairedShareChange(table(20, 0, 0, 20));
    assert.equal(mixed.shown, false);
  });

  test('too few trainees: even five of five moving the same way is not called shown', () => {
    const five = pairedShareChange(table(0, 5, 0, 0));
    assert.equal(five.change, 100);
    assert.ok(five.changeCi![0] > 0, 'the interval alone would exclude zero');
    assert.equal(five.shown, false);
    assert.equal(pairedShareChange(table(0, 6, 0, 0)).shown, true);
  });

  test('the six are six who changed: three or four changed answers among more trainees are not called shown', () => {
    // 3 of 3 changing one way is p = 0.25 by McNemar's exact test, whatever the interval says.
    const three = pairedShareChange(table(0, 3, 0, 3));
    assert.ok(three.changeCi![0] > 0, 'the interval alone would exclude zero');
    assert.equal(three.shown, false);
    assert.equal(pairedShareChange(table(3, 3, 0, 0)).shown, false);
    assert.equal(pairedShareChange(table(0, 4, 0, 2)).shown, false);
    assert.equal(pairedShareChange(table(2, 6, 0, 2)).shown, true);
  });
});
