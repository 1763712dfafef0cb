/**
 * What reviews and awards need from the grants module. Reads and pitch transitions go through the
 * grants exports (modules/grants/index.ts). Three writes stay here because the contract gives them to
 * reviews: moving Call.awardedTotal (one conditional $inc, plus its compensation) and setting
 * decisionsReleasedAt once. Batch reads by id have no grants export yet, so they read the contract's
 * collections directly (read-only).
 */
import type { Readable } from 'node:stream';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { NotFound } from '../../server/http/errors';
import * as grants from '../grants';

export type Bilingual = { en: string; mn: string };
export type PitchStatus =
  'draft' | 'submitted' | 'withdrawn' | 'under_review' | 'shortlisted' | 'funded' | 'declined' | 'waitlisted';

export interface Criterion {
  id: string;
  label: Bilingual;
  guidance?: Bilingual;
  scaleMax: number;
  weight: number;
}

export interface CallDoc {
  _id: Types.ObjectId;
  title: Bilingual;
  themes?: Array<{ id: string; label: Bilingual | string }>;
  opensAt?: Date;
  closesAt?: Date;
  timeZone?: string;
  currency?: string;
  budgetPool: number;
  maxAward: number;
  awardedTotal: number;
  rubric: Criterion[];
  reviewersPerPitch: number;
  blind: boolean;
  status: 'draft' | 'open' | 'closed' | 'decided';
  decisionsReleasedAt?: Date;
}

export interface Decision {
  outcome: 'funded' | 'declined' | 'waitlisted' | 'shortlisted';
  amount?: number;
  decidedAt: Date;
  decidedBy: Types.ObjectId | string;
}

export interface PitchDoc {
  _id: Types.ObjectId;
  callId: Types.ObjectId;
  applicantId: Types.ObjectId;
  status: PitchStatus;
  title: string;
  angle?: string;
  audience?: string;
  outlet?: string;
  format?: string;
  themes?: string[];
  ethicsPlan?: string;
  budgetLines?: Array<{ item: string; amount: number }>;
  budgetTotal?: number;
  timeline?: string;
  fileIds?: Types.ObjectId[];
  submittedAt?: Date;
  decision?: Decision;
}

export interface StoredFileDoc {
  _id: Types.ObjectId;
  ownerId: Types.ObjectId;
  pitchId: Types.ObjectId;
  kind?: string;
  storageKey: string;
  sha256: string;
  size: number;
  mime: string;
  ext: string;
  originalName: string;
}

const calls = (ctx: AppContext) => ctx.db.collection<CallDoc>('calls');
const pitches = (ctx: AppContext) => ctx.db.collection<PitchDoc>('pitches');

/** A 24-hex id or a 404: request ids never reach a query unchecked. */
export function oid(id: string | Types.ObjectId): Types.ObjectId {
  if (id instanceof Types.ObjectId) return id;
  if (typeof id !== 'string' || !/^[a-f0-9]{24}$/i.test(id)) throw new NotFound();
  return new Types.ObjectId(id);
}

export async function getCall(ctx: AppContext, callId: string | Types.ObjectId): Promise<CallDoc> {
  return (await grants.getCall(ctx, String(oid(callId)))) as unknown as CallDoc;
}

export async function callsByIds(ctx: AppContext, ids: Types.ObjectId[]): Promise<CallDoc[]> {
  if (!ids.length) return [];
  return calls(ctx)
    .find({ _id: { $in: ids } })
    .toArray();
}

export async function pitchesForCall(
  ctx: AppContext,
  callId: string | Types.ObjectId,
  statuses?: PitchStatus[],
): Promise<PitchDoc[]> {
  return (await grants.pitchesForCall(ctx, oid(callId), statuses)) as unknown as PitchDoc[];
}

export async function getPitch(ctx: AppContext, pitchId: string | Types.ObjectId): Promise<PitchDoc> {
  return (await grants.getPitch(ctx, oid(pitchId))) as unknown as PitchDoc;
}

export async function pitchesByIds(ctx: AppContext, ids: Types.ObjectId[]): Promise<PitchDoc[]> {
  if (!ids.length) return [];
  return pitches(ctx)
    .find({ _id: { $in: ids } }, { projection: { title: 1, callId: 1, status: 1 } })
    .toArray();
}

/** Conditional: moves the pitch only when its status is one of `from`; null otherwise. */
export async function transitionPitch(
  ctx: AppContext,
  pitchId: string | Types.ObjectId,
  from: PitchStatus[],
  to: PitchStatus,
  extra: Record<string, unknown> = {},
): Promise<PitchDoc | null> {
  return (await grants.transitionPitch(ctx, oid(pitchId), from, to, extra)) as unknown as PitchDoc | null;
}

export async function storedFilesOfPitch(ctx: AppContext, pitchId: string | Types.ObjectId) {
  return (await grants.storedFilesOfPitch(ctx, oid(pitchId))) as unknown as StoredFileDoc[];
}

export async function streamStoredFile(
  ctx: AppContext,
  fileId: string | Types.ObjectId,
): Promise<{ file: StoredFileDoc; stream: Readable }> {
  const { file, stream } = await grants.streamStoredFile(ctx, oid(fileId));
  return { file: file as unknown as StoredFileDoc, stream };
}

/** One conditional update: adds `amount` only if the pool still holds it. False when it does not. */
export async function reserveBudget(
  ctx: AppContext,
  callId: Types.ObjectId,
  amount: number,
): Promise<boolean> {
  const res = await calls(ctx).updateOne(
    { _id: callId, $expr: { $lte: [{ $add: [{ $ifNull: ['$awardedTotal', 0] }, amount] }, '$budgetPool'] } },
    { $inc: { awardedTotal: amount } },
  );
  return res.modifiedCount === 1;
}

/** Compensation when the pitch could not be moved after the money was reserved. */
export async function releaseBudget(ctx: AppContext, callId: Types.ObjectId, amount: number): Promise<void> {
  await calls(ctx).updateOne({ _id: callId }, { $inc: { awardedTotal: -amount } });
}

/** Sets decisionsReleasedAt once; true for the request that set it. */
export async function markDecisionsReleased(ctx: AppContext, callId: Types.ObjectId): Promise<boolean> {
  const res = await calls(ctx).updateOne(
    { _id: callId, decisionsReleasedAt: { $exists: false } },
    { $set: { decisionsReleasedAt: ctx.clock.now(), status: 'decided' } },
  );
  return res.modifiedCount === 1;
}
