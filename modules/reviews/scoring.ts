/**
 * Review aggregation, pure functions (no database, no clock) so they can be checked by hand.
 * Scores are on a 0–100 scale after weighting.
 */
export interface RubricItem {
  id: string;
  scaleMax: number;
  weight: number;
}
export interface ScoredReview {
  pitchId: string;
  reviewerId: string;
  scores: Array<{ criterionId: string; score: number }>;
}

/** Σ(weight·score/scaleMax) / Σweight × 100. Unscored criteria count as 0. */
export function weightedScore(rubric: RubricItem[], scores: ScoredReview['scores']): number {
  const totalWeight = rubric.reduce((s, c) => s + c.weight, 0);
  if (totalWeight <= 0) return 0;
  const byId = new Map(scores.map((s) => [s.criterionId, s.score]));
  const sum = rubric.reduce((s, c) => s + (c.weight * (byId.get(c.id) ?? 0)) / c.scaleMax, 0);
  return (sum / totalWeight) * 100;
}

export function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Population standard deviation. */
export function sd(xs: number[]): number | null {
  const m = mean(xs);
  if (m === null) return null;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
}

export const MIN_REVIEWS_FOR_Z = 3;
export const DEFAULT_DISAGREEMENT = 25;

export interface PitchScore {
  pitchId: string;
  n: number;
  weighted: number[];
  rawMean: number | null;
  median: number | null;
  /** Mean z of this pitch's reviews, mapped back to the call's 0–100 scale; null = "n/a". */
  normalised: number | null;
  spread: number | null;
  disagreement: boolean;
}

/**
 * Per reviewer: z = (score − reviewer mean) / reviewer sd, only for reviewers with ≥ 3 reviews in the
 * call (a reviewer whose scores never vary gets z = 0). A pitch's normalised score is the mean z of its
 * eligible reviews, mapped back as call mean + mean z × call sd over all weighted scores.
 */
export function aggregate(
  rubric: RubricItem[],
  reviews: ScoredReview[],
  threshold = DEFAULT_DISAGREEMENT,
): PitchScore[] {
  const rows = reviews.map((r) => ({ ...r, w: weightedScore(rubric, r.scores) }));
  const byReviewer = new Map<string, number[]>();
  for (const r of rows) byReviewer.set(r.reviewerId, [...(byReviewer.get(r.reviewerId) ?? []), r.w]);
  const stats = new Map<string, { m: number; s: number }>();
  for (const [id, ws] of byReviewer)
    if (ws.length >= MIN_REVIEWS_FOR_Z) stats.set(id, { m: mean(ws)!, s: sd(ws)! });
  const all = rows.map((r) => r.w);
  const callMean = mean(all) ?? 0;
  const callSd = sd(all) ?? 0;

  const byPitch = new Map<string, typeof rows>();
  for (const r of rows) byPitch.set(r.pitchId, [...(byPitch.get(r.pitchId) ?? []), r]);
  return [...byPitch].map(([pitchId, rs]) => {
    const weighted = rs.map((r) => r.w);
    const zs = rs.flatMap((r) => {
      const st = stats.get(r.reviewerId);
      if (!st) return [];
      return [st.s > 0 ? (r.w - st.m) / st.s : 0];
    });
    const meanZ = mean(zs);
    const spread = weighted.length ? Math.max(...weighted) - Math.min(...weighted) : null;
    return {
      pitchId,
      n: rs.length,
      weighted,
      rawMean: mean(weighted),
      median: median(weighted),
      normalised: meanZ === null ? null : callMean + meanZ * callSd,
      spread,
      disagreement: spread !== null && spread > threshold,
    };
  });
}

/** Highest first by normalised score, falling back to the raw mean; unscored last. */
export function rank<T extends { normalised: number | null; rawMean: number | null; pitchId: string }>(
  rows: T[],
): T[] {
  const key = (r: T) => r.normalised ?? r.rawMean ?? -Infinity;
  return [...rows].sort((a, b) => key(b) - key(a) || a.pitchId.localeCompare(b.pitchId));
}

/** Greedy by rank: take each pitch whose requested amount still fits in the remaining budget. */
export function proposeSelection(
  ranked: Array<{ pitchId: string; requested: number }>,
  remaining: number,
): { pitchIds: string[]; total: number } {
  const pitchIds: string[] = [];
  let total = 0;
  for (const r of ranked) {
    if (r.requested > 0 && total + r.requested <= remaining) {
      pitchIds.push(r.pitchId);
      total += r.requested;
    }
  }
  return { pitchIds, total };
}
