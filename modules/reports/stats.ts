/**
 * The few statistics the reports need, written out (no dependency): Student's t quantiles for
 * paired confidence intervals, and KR-20 reliability.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaFraction(a, b, x)) / a
    : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile (0.5 < p < 1) of Student's t with `df` degrees of freedom, by bisection. */
export function tQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * A 95 % confidence interval for a mean from n paired differences, given their sum and sum of
 * squares: mean ± t(0.975, n − 1) · s / √n, s the sample standard deviation (n − 1). Exact when the
 * differences are normal; null below two pairs, and null when every difference is the same: with no
 * spread in the data there is nothing to estimate the uncertainty from (a zero-width interval would
 * claim certainty).
 */
export function pairedInterval(n: number, sum: number, sumSquares: number): [number, number] | null {
  if (n < 2) return null;
  const mean = sum / n;
  const variance = (sumSquares - n * mean * mean) / (n - 1);
  // Rounding leaves a tiny remainder where every difference is equal.
  if (variance <= 1e-9 * Math.max(1, mean * mean)) return null;
  const half = tQuantile(0.975, n - 1) * Math.sqrt(variance / n);
  return [mean - half, mean + half];
}

/**
 * Below this many paired trainees no change is called shown: even if every one of them moved the
 * same way, an exact sign test could not tell it from chance (five of five: p = 2 · 0.5⁵ = 0.0625).
 */
export const MIN_PAIRS_SHOWN = 6;

/** A change counts as shown when enough trainees are paired and its interval leaves out zero. */
export function changeShown(n: number, ci: [number, number] | null): boolean {
  return n >= MIN_PAIRS_SHOWN && !!ci && (ci[0] > 0 || ci[1] < 0);
}

/**
 * Kuder–Richardson 20 of right/wrong answers: rows are test takers, columns the form's items (1 right,
 * 0 wrong). KR-20 = k/(k − 1) · (1 − Σ p·q / σ²), p the share right per item, q = 1 − p, σ² the
 * variance of the total scores (divided by N, as in the formula). Null with fewer than two items or
 * two takers, or when every total is the same (σ² = 0).
 */
export function kr20(rows: number[][]): number | null {
  const n = rows.length;
  const k = rows[0]?.length ?? 0;
  if (n < 2 || k < 2) return null;
  let pq = 0;
  for (let j = 0; j < k; j++) {
    const p = rows.reduce((s, r) => s + (r[j] ?? 0), 0) / n;
    pq += p * (1 - p);
  }
  const totals = rows.map((r) => r.reduce((s, v) => s + v, 0));
  const mean = totals.reduce((s, v) => s + v, 0) / n;
  const variance = totals.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  if (variance === 0) return null;
  return (k / (k - 1)) * (1 - pq / variance);
}
