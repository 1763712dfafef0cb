import { changeShown } from './stats';

/**
 * Shares of a yes/no answer given twice by the same people (agreeing before and after training), with
 * honest uncertainty: Wilson score intervals for each share and Newcombe's hybrid score interval for
 * their paired difference (Newcombe 1998, Stat Med 17:2635, method 10). The pairing matters: the same
 * trainees answer twice, so the two shares are correlated and only those who changed their answer
 * (the discordant pairs) carry evidence of a change.
 */

/** The trainee-level 2×2 table of one item: yes both times, before only, after only, neither time. */
export interface PairedCounts {
  both: number;
  beforeOnly: number;
  afterOnly: number;
  neither: number;
}

/** The 0.975 quantile of the standard normal: two-sided 95 %. */
export const Z95 = 1.959963984540054;

/**
 * Wilson's score interval for x successes out of n (Wilson 1927; Newcombe 1998b, method 3): unlike
 * p ± z·SE it never leaves [0, 1] and does not collapse to a point at 0 % or 100 %. Null when n = 0.
 */
export function wilsonInterval(x: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Newcombe's φ̂ for method 10: the phi coefficient of the 2×2 table with a continuity correction of
 * its numerator (ad − bc shrunk by n/2 towards zero when positive, kept when negative; 0 when a margin
 * is empty). It measures how strongly the two answers go together, which narrows the interval.
 */
function correctedPhi(t: PairedCounts, n: number): number {
  const a = t.both;
  const b = t.afterOnly;
  const c = t.beforeOnly;
  const d = t.neither;
  const margins = (a + b) * (c + d) * (a + c) * (b + d);
  if (margins === 0) return 0;
  const cross = a * d - b * c;
  const corrected = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross;
  return corrected / Math.sqrt(margins);
}

/**
 * 95 % interval for (share after − share before) of paired answers, Newcombe 1998 method 10: the
 * Wilson limits of each share combined "square and add", corrected for the pairs' correlation.
 * Null when n = 0.
 */
export function newcombePairedInterval(t: PairedCounts, z = Z95): [number, number] | null {
  const n = t.both + t.beforeOnly + t.afterOnly + t.neither;
  if (n <= 0) return null;
  const after = (t.both + t.afterOnly) / n;
  const before = (t.both + t.beforeOnly) / n;
  const [l1, u1] = wilsonInterval(t.both + t.afterOnly, n, z)!;
  const [l2, u2] = wilsonInterval(t.both + t.beforeOnly, n, z)!;
  const phi = correctedPhi(t, n);
  const root = (x: number, y: number) => Math.sqrt(Math.max(0, x * x - 2 * phi * x * y + y * y));
  const diff = after - before;
  return [
    Math.max(-1, diff - root(after - l1, u2 - before)),
    Math.min(1, diff + root(u1 - after, before - l2)),
  ];
}

/** One item's shares before and after, in percent, and what the pairs say about the change. */
export interface PairedShareChange {
  n: number;
  before: number | null;
  after: number | null;
  beforeCi: [number, number] | null;
  afterCi: [number, number] | null;
  /** After − before, in percentage points. */
  change: number | null;
  changeCi: [number, number] | null;
  /** Trainees whose answer changed (either way): with none, nothing changed that pairs could show. */
  discordant: number;
  /** A real change: enough trainees, someone changed, and the interval leaves out zero. */
  shown: boolean;
}

const percent = (ci: [number, number] | null): [number, number] | null =>
  ci ? [100 * ci[0], 100 * ci[1]] : null;

/** The shares, their Wilson intervals and the paired change of one item's 2×2 table. */
export function pairedShareChange(t: PairedCounts): PairedShareChange {
  const n = t.both + t.beforeOnly + t.afterOnly + t.neither;
  const yesBefore = t.both + t.beforeOnly;
  const yesAfter = t.both + t.afterOnly;
  const discordant = t.beforeOnly + t.afterOnly;
  const changeCi = percent(newcombePairedInterval(t));
  return {
    n,
    before: n ? (100 * yesBefore) / n : null,
    after: n ? (100 * yesAfter) / n : null,
    beforeCi: percent(wilsonInterval(yesBefore, n)),
    afterCi: percent(wilsonInterval(yesAfter, n)),
    change: n ? (100 * (yesAfter - yesBefore)) / n : null,
    changeCi,
    discordant,
    // Only trainees who changed their answer carry evidence of a change, so the six needed to call it
    // shown are six of those (three of three changing one way is p = 0.25 by McNemar's exact test).
    shown: changeShown(discordant, changeCi),
  };
}
