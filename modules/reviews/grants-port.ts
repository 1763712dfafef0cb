/**
 * What reviews and awards need from the grants module. Reads and pitch transitions go through the
 * grants exports (modules/grants/index.ts). Three writes stay here because the contract gives them to
 * reviews (moving Call.awardedTotal, setting decisionsReleasedAt) are grants functions too; this file
 * only adapts ids (string or ObjectId, 404 on malformed) for the reviews code.
 */
import type { Readable } from 'node:stream';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid } from '../../server/db/ids';
import * as grants from '../grants';

export { DECIDED_STATUSES, type Bilingual, type PitchStatus } from '../grants';
export type Criterion = grants.RubricCriterion;
export type CallDoc = grants.Call;
export type PitchDoc = grants.Pitch;
export type Decision = NonNullable<grants.Pitch['decision']>;
export type StoredFileDoc = grants.StoredFile;
type PitchStatus = grants.PitchStatus;

export async function getCall(ctx: AppContext, callId: string | Types.ObjectId): Promise<CallDoc> {
  return (await grants.getCall(ctx, String(oid(callId)))) as unknown as CallDoc;
}

export const callsByIds = grants.callsByIds;
export const listCalls = grants.listCalls;

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

export const pitchesByIds = grants.pitchesByIds;

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

export const {
  reserveBudget,
  releaseBudget,
  markDecisionsReleased,
  recordCommentsToApplicant,
  pitchesFinal,
  formatInZone,
  localToUtc,
} = grants;
