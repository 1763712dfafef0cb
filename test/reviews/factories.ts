/**
 * Calls, pitches and stored files with the grants model's fields, inserted straight into its
 * collections: the grants module exports no factory, and its admin forms would make every test here
 * depend on call-editing rules. The reviews code under test reads them through the grants exports.
 */
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';

export const RUBRIC = [
  {
    id: 'relevance',
    label: { en: 'Relevance', mn: 'Хамаарал' },
    guidance: { en: 'Fit', mn: 'Тохирол' },
    scaleMax: 5,
    weight: 2,
  },
  {
    id: 'ethics',
    label: { en: 'Ethics', mn: 'Ёс зүй' },
    guidance: { en: 'Safety', mn: 'Аюулгүй' },
    scaleMax: 5,
    weight: 1,
  },
  {
    id: 'feasibility',
    label: { en: 'Feasibility', mn: 'Боломж' },
    guidance: { en: 'Plan', mn: 'Төлөв' },
    scaleMax: 10,
    weight: 1,
  },
];

export async function buildCall(ctx: AppContext, fields: Record<string, unknown> = {}) {
  const doc = {
    _id: new Types.ObjectId(),
    title: { en: `Call ${randomUUID().slice(0, 6)}`, mn: 'Уралдаан' },
    description: { en: 'Stories on safe migration', mn: 'Аюулгүй шилжилт хөдөлгөөн' },
    eligibility: {},
    deadlineMode: 'fixed',
    allowMultiplePitches: false,
    __v: 0,
    themes: [{ id: 'tip', label: { en: 'Trafficking', mn: 'Хүний наймаа' } }],
    opensAt: new Date('2026-01-01T00:00:00Z'),
    closesAt: new Date('2026-02-01T00:00:00Z'),
    timeZone: 'Asia/Ulaanbaatar',
    currency: 'MNT',
    budgetPool: 10_000,
    maxAward: 5_000,
    awardedTotal: 0,
    rubric: RUBRIC,
    reviewersPerPitch: 2,
    blind: true,
    status: 'closed',
    ...fields,
  };
  await ctx.db.collection('calls').insertOne(doc);
  return doc;
}

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
  fields: { ext: string; mime: string; originalName: string },
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
