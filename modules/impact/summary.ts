import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import { pieceModel, type PieceFormat, type ReachMetric } from './model';

export interface ImpactSummary {
  pieces: number;
  byFormat: Record<PieceFormat, number>;
  /** Per metric: the sum over pieces of each piece's latest verified figure read within the period. */
  verifiedReach: Record<ReachMetric, number>;
  /** Pieces whose link is not live at its last check (shown, never dropped). */
  deadLinks: number;
}

/**
 * The programme report's publication figures for pieces published in [from, to). Reach figures are dated
 * snapshots of a running count, so the latest verified one per piece and metric counts, never their sum;
 * unverified figures never count. No journalist names or trainee data leave this function.
 */
export async function impactSummary(ctx: AppContext, from: Date, to: Date): Promise<ImpactSummary> {
  const list = await pieceModel(ctx.db)
    .find(
      { publishedOn: mongoose.trusted({ $gte: from, $lt: to }) },
      { format: 1, reach: 1, 'link.status': 1 },
    )
    .limit(10_000)
    .lean();
  const byFormat: ImpactSummary['byFormat'] = { article: 0, tv: 0, radio: 0, social: 0 };
  const verifiedReach: ImpactSummary['verifiedReach'] = { views: 0, shares: 0, comments: 0, airings: 0 };
  let deadLinks = 0;
  for (const p of list) {
    byFormat[p.format] += 1;
    if (p.link.status !== 'ok' && p.link.status !== 'unchecked') deadLinks += 1;
    const latest = new Map<ReachMetric, { asOf: Date; value: number }>();
    for (const f of p.reach) {
      if (!f.verifiedAt || f.asOf >= to) continue;
      const seen = latest.get(f.metric);
      if (!seen || f.asOf > seen.asOf) latest.set(f.metric, { asOf: f.asOf, value: f.value });
    }
    for (const [metric, f] of latest) verifiedReach[metric] += f.value;
  }
  return { pieces: list.length, byFormat, verifiedReach, deadLinks };
}
