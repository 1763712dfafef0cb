/**
 * Pitches and stored files with the grants model's fields, inserted straight into its collections: the
 * grants module exports no factory, and its forms would make every test here depend on submission
 * rules. The reviews code under test reads them through the grants exports. Calls come from
 * `buildCall(ctx, fields, { closed: true })` in test/factories.ts.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';

export async function buildPitch(
  ctx: AppContext,
  call: { _id: Types.ObjectId },
  applicant: { _id: Types.ObjectId },
  fields: Record<string, unknown> = {},
) {
  const doc = {
    _id: new Types.ObjectId(),
    callId: call._id,
    applicantId: applicant._id,
    slot: 0,
    __v: 0,
    status: 'submitted',
    title: `Safe migration story ${randomUUID().slice(0, 6)}`,
    angle: 'How recruiters lure young women abroad',
    audience: 'Women 18–27 in Darkhan-Uul',
    outlet: 'Darkhan Daily',
    format: 'Long read',
    themes: ['tip'],
    ethicsPlan: 'Consent, anonymity, referral to 1800-1903',
    budgetLines: [{ item: 'Travel', amount: 1000 }],
    budgetTotal: 1000,
    timeline: 'Six weeks',
    fileIds: [],
    submittedAt: new Date('2026-01-15T00:00:00Z'),
    ...fields,
  };
  await ctx.db.collection('pitches').insertOne(doc);
  return doc;
}

export async function buildStoredFile(
  ctx: AppContext,
  pitch: { _id: Types.ObjectId; applicantId: Types.ObjectId },
  data: Buffer,
  fields: { ext: string; mime: string; originalName: string; kind?: string },
) {
  const stored = await ctx.storage.put(data);
  const doc = {
    _id: new Types.ObjectId(),
    ownerId: pitch.applicantId,
    pitchId: pitch._id,
    kind: 'attachment',
    storageKey: stored.key,
    sha256: stored.sha256,
    size: stored.size,
    ...fields,
  };
  await ctx.db.collection('storedfiles').insertOne(doc);
  await ctx.db.collection('pitches').updateOne({ _id: pitch._id }, { $push: { fileIds: doc._id } } as never);
  return doc;
}
