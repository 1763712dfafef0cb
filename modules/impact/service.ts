import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Conflict, NotFound } from '../../server/http/errors';
import { oid } from '../../server/db/ids';
import { myAward, anyAward } from '../awards';
import { pieceModel, type Evidence, type Piece, type PieceFormat, type ReachMetric } from './model';
import { checkLink, type LinkCheckOptions } from './link-check';

/** Link-check settings; `allowPrivate` stays off in production (tests serve their pages on loopback). */
export const impactSettings: LinkCheckOptions = { timeoutMs: 10_000, allowPrivate: false };

/** Pieces are recorded once the award's publication is reported (its final milestone). */
const PUBLISHED = ['published', 'closed'];

export interface PieceInput {
  outlet: string;
  url: string;
  publishedOn: Date;
  language: 'mn' | 'en' | 'other';
  format: PieceFormat;
  listPublicly: boolean;
}
export interface ReachInput {
  metric: ReachMetric;
  value: number;
  asOf: Date;
  source: string;
  evidence?: Evidence;
}

/** The award, if this user may act on it: its journalist (own awards only) or staff. */
async function awardFor(ctx: AppContext, user: SessionUser, awardId: string) {
  return user.role === 'admin' ? anyAward(ctx, awardId) : myAward(ctx, user.id, awardId);
}

export async function piecesOfAward(ctx: AppContext, user: SessionUser, awardId: string): Promise<Piece[]> {
  const award = await awardFor(ctx, user, awardId);
  return pieceModel(ctx.db).find({ awardId: award._id }).sort({ publishedOn: 1 }).limit(200).lean();
}

/** Records a piece and checks its link at once; a dead link is stored flagged, never dropped. */
export async function addPiece(ctx: AppContext, user: SessionUser, awardId: string, input: PieceInput) {
  const award = await awardFor(ctx, user, awardId);
  if (!PUBLISHED.includes(award.status)) throw new Conflict('impact.errors.notPublished');
  const link = await checkLink(input.url, impactSettings);
  try {
    const piece = await pieceModel(ctx.db).create({
      ...input,
      awardId: award._id,
      ownerId: award.applicantId,
      link: { ...link, checkedAt: ctx.clock.now() },
    });
    return piece.toObject();
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new Conflict('impact.errors.duplicate');
    throw err;
  }
}

/** Reach reported by the journalist (own pieces) or staff, dated, with its source; unverified until checked. */
export async function addReach(ctx: AppContext, user: SessionUser, pieceId: string, input: ReachInput) {
  const scope = user.role === 'admin' ? {} : { ownerId: oid(user.id) };
  const now = ctx.clock.now();
  const res = await pieceModel(ctx.db).updateOne(
    { _id: oid(pieceId), ...scope },
    { $push: { reach: { ...input, reportedBy: oid(user.id), reportedAt: now } } },
  );
  if (!res.matchedCount) throw new NotFound();
}

/**
 * Staff verify one figure against its evidence. Nobody verifies a figure they reported themselves, and a
 * figure is verified once (a conditional update: the second click changes nothing and gets a 409).
 */
export async function verifyReach(ctx: AppContext, actor: SessionUser, pieceId: string, figureId: string) {
  const piece = await pieceModel(ctx.db)
    .findOne({ _id: oid(pieceId) }, { reach: 1, ownerId: 1 })
    .lean();
  const at = piece ? piece.reach.findIndex((f) => String(f._id) === figureId) : -1;
  const figure = piece?.reach[at];
  if (!piece || !figure) throw new NotFound();
  if (String(figure.reportedBy) === actor.id || String(piece.ownerId) === actor.id) {
    throw new Conflict('impact.errors.ownFigure');
  }
  // Figures are only ever appended, so the index found above stays the figure's; the filter re-checks both.
  const path = `reach.${at}`;
  const res = await pieceModel(ctx.db).updateOne(
    {
      _id: piece._id,
      [`${path}._id`]: figure._id,
      [`${path}.verifiedAt`]: mongoose.trusted({ $exists: false }),
    },
    { $set: { [`${path}.verifiedAt`]: ctx.clock.now(), [`${path}.verifiedBy`]: oid(actor.id) } },
  );
  if (!res.modifiedCount) throw new Conflict('impact.errors.alreadyVerified');
}

/** Re-checks the links checked longest ago (the job); each result is stored, dead ones stay flagged. */
export async function recheckLinks(ctx: AppContext, limit = 20): Promise<number> {
  const due = new Date(ctx.clock.now().getTime() - 24 * 3600_000);
  const list = await pieceModel(ctx.db)
    .find({ 'link.checkedAt': mongoose.trusted({ $lt: due }) }, { url: 1 })
    .sort({ 'link.checkedAt': 1 })
    .limit(limit)
    .lean();
  for (const p of list) {
    const link = await checkLink(p.url, impactSettings);
    await pieceModel(ctx.db).updateOne(
      { _id: p._id },
      { $set: { link: { ...link, checkedAt: ctx.clock.now() } } },
    );
  }
  return list.length;
}

/** Staff list: every piece with a link that is not live, for the award list's warning. */
export async function deadLinks(ctx: AppContext) {
  return pieceModel(ctx.db)
    .find({ 'link.status': mongoose.trusted({ $in: ['dead', 'redirected', 'timeout', 'blocked'] }) })
    .sort({ 'link.checkedAt': -1 })
    .limit(200)
    .lean();
}

/**
 * Pieces for the public Published stories page (awards passes only awards staff confirmed): those whose
 * journalist agreed to list them and whose link opened at its last check.
 */
export async function publicPieces(ctx: AppContext, awardIds: string[]) {
  const list = await pieceModel(ctx.db)
    .find(
      { awardId: mongoose.trusted({ $in: awardIds.map(oid) }), listPublicly: true, 'link.status': 'ok' },
      { awardId: 1, outlet: 1, url: 1, publishedOn: 1, format: 1 },
    )
    .sort({ publishedOn: 1 })
    .limit(1000)
    .lean();
  const out = new Map<string, Array<{ outlet: string; url: string; date: Date; formatLabel: string }>>();
  for (const p of list) {
    const key = String(p.awardId);
    out.set(key, [
      ...(out.get(key) ?? []),
      { outlet: p.outlet, url: p.url, date: p.publishedOn, formatLabel: `impact.format.${p.format}` },
    ]);
  }
  return out;
}

/** The award page's line: where pieces and reach are recorded, and a warning while a link is dead. */
export async function awardPanel(ctx: AppContext, awardId: string) {
  const dead = await pieceModel(ctx.db).countDocuments({
    awardId: oid(awardId),
    'link.status': mongoose.trusted({ $in: ['dead', 'redirected', 'timeout', 'blocked'] }),
  });
  return {
    href: `/impact/awards/${awardId}`,
    label: 'impact.panel.open',
    warning: dead ? 'impact.panel.deadLinks' : undefined,
  };
}
