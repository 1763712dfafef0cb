import type { Piece } from './model';

/** What a page may see of a piece: no evidence of anyone else, reporters only as ids for the self-check. */
export const presentPiece = (p: Piece) => ({
  id: String(p._id),
  awardId: String(p.awardId),
  outlet: p.outlet,
  url: p.url,
  publishedOn: p.publishedOn.toISOString().slice(0, 10),
  language: p.language,
  format: p.format,
  listPublicly: p.listPublicly,
  linkStatus: p.link.status,
  linkLive: p.link.status === 'ok',
  linkCheckedAt: p.link.checkedAt,
  reach: [...p.reach]
    .sort((a, b) => a.asOf.getTime() - b.asOf.getTime())
    .map((f) => ({
      id: String(f._id),
      metric: f.metric,
      value: f.value,
      asOf: f.asOf.toISOString().slice(0, 10),
      source: f.source,
      reportedBy: String(f.reportedBy),
      verified: !!f.verifiedAt,
      evidence: f.evidence ? { name: f.evidence.originalName } : null,
    })),
});
