import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { callModel, pitchModel, type Bilingual, type PitchStatus, type Theme } from './model';

/** A call that opened in a period, with its themes. */
export interface PeriodCall {
  _id: Types.ObjectId;
  title: Bilingual;
  themes: Theme[];
  opensAt: Date;
  closesAt: Date;
  status: string;
}

/** A pitch received for one of those calls: no text, no applicant name (only an id to count people). */
export interface PeriodPitch {
  _id: Types.ObjectId;
  callId: Types.ObjectId;
  applicantId: Types.ObjectId;
  reference?: string;
  status: PitchStatus;
  themes: string[];
  submittedAt?: Date;
  /** The decided amount of a funded pitch; absent otherwise. */
  fundedAmount?: number;
  decidedAt?: Date;
}

/**
 * Calls that opened in [from, to) (drafts never count) and every pitch submitted to them (drafts were
 * never received). A pitch counts as funded once its decision is "funded", with the decided amount.
 */
export async function callsInPeriod(
  ctx: AppContext,
  from: Date,
  to: Date,
): Promise<{ calls: PeriodCall[]; pitches: PeriodPitch[] }> {
  const calls = await callModel(ctx.db)
    .find(
      { opensAt: trusted({ $gte: from, $lt: to }), status: trusted({ $ne: 'draft' }) },
      { title: 1, themes: 1, opensAt: 1, closesAt: 1, status: 1 },
    )
    .sort({ opensAt: 1, _id: 1 })
    .limit(1000)
    .lean<PeriodCall[]>();
  if (!calls.length) return { calls, pitches: [] };
  const rows = await pitchModel(ctx.db)
    .find(
      { callId: trusted({ $in: calls.map((c) => c._id) }), submittedAt: trusted({ $exists: true }) },
      { callId: 1, applicantId: 1, reference: 1, status: 1, themes: 1, submittedAt: 1, decision: 1 },
    )
    .sort({ callId: 1, reference: 1, _id: 1 })
    .limit(100_000)
    .lean();
  const pitches = rows.map((p): PeriodPitch => ({
    _id: p._id,
    callId: p.callId,
    applicantId: p.applicantId,
    reference: p.reference,
    status: p.status,
    themes: p.themes ?? [],
    submittedAt: p.submittedAt,
    ...(p.status === 'funded' && p.decision
      ? { fundedAmount: p.decision.amount, decidedAt: p.decision.decidedAt }
      : {}),
  }));
  return { calls, pitches };
}
