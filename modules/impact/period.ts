import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import { pieceModel, type LinkStatus, type PieceFormat, type ReachMetric } from './model';

/** One published piece as the programme report lists it: the work, never the journalist. */
export interface PeriodPiece {
  outlet: string;
  url: string;
  publishedOn: Date;
  format: PieceFormat;
  language: 'mn' | 'en' | 'other';
  linkStatus: LinkStatus;
  /** Each metric's latest verified figure read before the period's end (as impactSummary counts it). */
  verifiedReach: Partial<Record<ReachMetric, number>>;
}

/** The pieces behind impactSummary's figures for [from, to), in publication order. */
export async function piecesInPeriod(ctx: AppContext, from: Date, to: Date): Promise<PeriodPiece[]> {
  const list = await pieceModel(ctx.db)
    .find(
      { publishedOn: mongoose.trusted({ $gte: from, $lt: to }) },
      { outlet: 1, url: 1, publishedOn: 1, format: 1, language: 1, reach: 1, 'link.status': 1 },
    )
    .sort({ publishedOn: 1, _id: 1 })
    .limit(10_000)
    .lean();
  return list.map((p) => {
    const latest = new Map<ReachMetric, { asOf: Date; value: number }>();
    for (const f of p.reach) {
      if (!f.verifiedAt || f.asOf >= to) continue;
      const seen = latest.get(f.metric);
      if (!seen || f.asOf > seen.asOf) latest.set(f.metric, { asOf: f.asOf, value: f.value });
    }
    return {
      outlet: p.outlet,
      url: p.url,
      publishedOn: p.publishedOn,
      format: p.format,
      language: p.language,
      linkStatus: p.link.status,
      verifiedReach: Object.fromEntries([...latest].map(([m, f]) => [m, f.value])),
    };
  });
}
