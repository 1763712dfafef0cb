import type { PersonalDataHook } from '../../server/context';
import { oid } from '../../server/db/ids';
import { getCall } from './service-calls';
import { releasedDecision } from './service-pitches';
import { applicantStatus } from './present';
import { pitchModel, type Pitch } from './model';

/**
 * A journalist's pitches for their data export: what they wrote and sent, and the decision only as
 * they may see it — nothing before the call's decisions are released, never reviewers or scores.
 */
export const grantsPersonalData: PersonalDataHook = {
  key: 'pitches',
  async export(ctx, userId) {
    const pitches = await pitchModel(ctx.db)
      .find({ applicantId: oid(userId) })
      .sort({ createdAt: 1 })
      .lean<Pitch[]>();
    const out = [];
    for (const p of pitches) {
      const call = await getCall(ctx, String(p.callId)).catch(() => undefined);
      out.push({
        reference: p.reference ?? null,
        call: call?.title ?? null,
        status: applicantStatus(call, p),
        title: p.title,
        angle: p.angle,
        audience: p.audience,
        outlet: p.outlet,
        format: p.format,
        themes: p.themes,
        ethicsPlan: p.ethicsPlan,
        budgetLines: p.budgetLines,
        budgetTotal: p.budgetTotal,
        timeline: p.timeline,
        files: p.fileIds.length,
        submittedAt: p.submittedAt ?? null,
        withdrawnAt: p.withdrawnAt ?? null,
        decision: call ? releasedDecision(call, p) : null,
      });
    }
    return out;
  },
};
