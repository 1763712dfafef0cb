import type { AppContext } from '../../server/context';
import { callsInPeriod, type PeriodPitch } from '../grants';
import { cell, column, samePattern, type Cell, type Count } from './suppress';
import type { Period } from './period';

type Text = { en: string; mn: string };

export interface ThemeRow {
  id: string;
  label: Text;
  pitches: Cell;
  funded: Cell;
  amount: Cell;
}

export interface CallRow {
  title: Text;
  opensAt: Date;
  closesAt: Date;
  status: string;
  pitches: Cell;
  funded: Cell;
  amount: Cell;
}

export interface FundedRow {
  call: Text;
  reference: string;
  themes: string[];
  amount: number;
  decidedAt?: Date;
}

export interface GrantFigures {
  calls: number;
  pitches: Cell;
  funded: Cell;
  amount: Cell;
  byTheme: ThemeRow[];
  byCall: CallRow[];
  /** Empty when the funded count is suppressed (the rows would name the number). */
  fundedRows: FundedRow[];
}

/** Pitches and the distinct people who sent them. */
const counted = (list: PeriodPitch[]): Count => ({
  value: list.length,
  people: new Set(list.map((p) => String(p.applicantId))).size,
});
const sum = (list: PeriodPitch[]) => list.reduce((n, p) => n + (p.fundedAmount ?? 0), 0);
const fundedOf = (list: PeriodPitch[]) => list.filter((p) => p.status === 'funded');

/** A breakdown's pitch, funded and amount columns, suppressed together (see suppress.ts). */
function columns(groups: PeriodPitch[][], min: number) {
  const pitches = column(groups.map(counted), min);
  const funded = column(
    groups.map((g) => counted(fundedOf(g))),
    min,
  );
  const amount = samePattern(
    groups.map((g) => sum(fundedOf(g))),
    funded,
  );
  return { pitches, funded, amount };
}

/**
 * Calls that opened in the period, the pitches they received, and the funded ones with the decided
 * amounts, by theme. A pitch with two themes counts under both, so theme rows can add up to more
 * than the total. Counts rest on distinct applicants and are suppressed like every other figure.
 */
export async function grantFigures(ctx: AppContext, period: Period, min: number): Promise<GrantFigures> {
  const { calls, pitches } = await callsInPeriod(ctx, period.from, period.to);
  const themes = new Map<string, Text>();
  for (const c of calls) for (const th of c.themes) if (!themes.has(th.id)) themes.set(th.id, th.label);
  for (const p of pitches) for (const id of p.themes) if (!themes.has(id)) themes.set(id, { en: id, mn: id });
  const ids = [...themes.keys()];
  const byTheme = columns(
    ids.map((id) => pitches.filter((p) => p.themes.includes(id))),
    min,
  );
  const byCall = columns(
    calls.map((c) => pitches.filter((p) => p.callId.equals(c._id))),
    min,
  );
  const funded = fundedOf(pitches);
  const fundedCell = cell(counted(funded), min);
  const titles = new Map(calls.map((c) => [String(c._id), c.title]));
  return {
    calls: calls.length,
    pitches: cell(counted(pitches), min),
    funded: fundedCell,
    amount: fundedCell.suppressed ? fundedCell : { value: sum(funded), suppressed: false },
    byTheme: ids.map((id, i) => ({
      id,
      label: themes.get(id)!,
      pitches: byTheme.pitches[i]!,
      funded: byTheme.funded[i]!,
      amount: byTheme.amount[i]!,
    })),
    byCall: calls.map((c, i) => ({
      title: c.title,
      opensAt: c.opensAt,
      closesAt: c.closesAt,
      status: c.status,
      pitches: byCall.pitches[i]!,
      funded: byCall.funded[i]!,
      amount: byCall.amount[i]!,
    })),
    fundedRows: fundedCell.suppressed
      ? []
      : funded.map((p) => ({
          call: titles.get(String(p.callId)) ?? { en: '', mn: '' },
          reference: p.reference ?? '',
          themes: p.themes,
          amount: p.fundedAmount ?? 0,
          decidedAt: p.decidedAt,
        })),
  };
}
