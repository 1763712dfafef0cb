import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
import { AppError } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { decide, reviewBoard } from './decisions';

/**
 * The budget-capped selection on the review board, applied as a batch of "funded" decisions at the
 * amounts requested. The confirmation page shows what will happen; applying runs one conditional
 * decision per pitch in ranked order (best first), so the pool can never be overspent and a pitch that
 * cannot be funded (over budget, above the largest award, decided meanwhile) is reported, not lost.
 */
export async function selectionPreview(ctx: AppContext, callId: string, lang: Locale, picks: string[]) {
  const board = await reviewBoard(ctx, callId, lang, { picked: picks });
  const rows = board.rows
    .filter((r) => r.picked && !['funded', 'waitlisted', 'declined'].includes(r.status))
    .map((r) => ({
      pitchId: r.pitchId,
      title: r.title,
      requested: r.requested,
      // Refused when applied: shown on the confirmation page already.
      overMax: r.requested > board.call.maxAward,
    }));
  const amount = rows.reduce((s, r) => s + r.requested, 0);
  return {
    call: board.call,
    rows,
    // Picked but decided since the board was shown (another tab, another admin).
    decided: board.rows
      .filter((r) => r.picked && ['funded', 'waitlisted', 'declined'].includes(r.status))
      .map((r) => ({ pitchId: r.pitchId, title: r.title })),
    totals: { count: rows.length, amount, remaining: board.remaining, after: board.remaining - amount },
    fits: amount <= board.remaining,
  };
}

export interface BatchResult {
  funded: Array<{ pitchId: string; title: string; amount: number }>;
  refused: Array<{ pitchId: string; title: string; reason: string; params: Record<string, string> }>;
}

const money = (n: number) => n.toLocaleString('en-US');

/** Each refusal worded for the board, with the way forward (the pitch's own decision page). */
const REASONS: Record<string, string> = {
  'reviews.errors.overBudget': 'reviews.batch.refused.overBudget',
  'reviews.errors.overMax': 'reviews.batch.refused.overMax',
  'reviews.errors.alreadyDecided': 'reviews.batch.refused.alreadyDecided',
  'reviews.errors.amount': 'reviews.batch.refused.amount',
};

export async function applySelection(
  ctx: AppContext,
  actor: SessionUser,
  callId: string,
  lang: Locale,
  picks: string[],
): Promise<BatchResult> {
  const preview = await selectionPreview(ctx, callId, lang, picks);
  const result: BatchResult = { funded: [], refused: [] };
  for (const row of preview.decided)
    result.refused.push({ ...row, reason: 'reviews.batch.refused.alreadyDecided', params: {} });
  for (const row of preview.rows) {
    try {
      await decide(ctx, actor, callId, row.pitchId, { outcome: 'funded', amount: row.requested });
      result.funded.push({ pitchId: row.pitchId, title: row.title, amount: row.requested });
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      // The money left now (after the decisions before this one), for the reason's wording.
      const board = await reviewBoard(ctx, callId, lang, { picked: [] });
      result.refused.push({
        pitchId: row.pitchId,
        title: row.title,
        reason: REASONS[err.key] ?? 'reviews.batch.refused.other',
        params: {
          amount: money(row.requested),
          max: money(preview.call.maxAward),
          remaining: money(board.remaining),
          currency: preview.call.currency,
        },
      });
    }
  }
  await recordAudit(
    ctx,
    actor,
    'decisions.batch',
    { type: 'call', id: callId },
    { funded: result.funded.length, refused: result.refused.length },
  );
  return result;
}
