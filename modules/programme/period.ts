import { Invalid } from '../../server/http/errors';
import { localToUtc } from '../grants';
import { isoInZone } from '../reports';

/** A programme period: calendar days `fromDay` to `toDay` (both included) in `timeZone`, as [from, to). */
export interface Period {
  fromDay: string;
  toDay: string;
  timeZone: string;
  from: Date;
  /** Midnight after `toDay`: the end, excluded. */
  to: Date;
}

const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

function startOf(day: string, timeZone: string, field: string): Date {
  try {
    return localToUtc(`${day}T00:00`, timeZone);
  } catch {
    throw new Invalid('programme.errors.date', { [field]: 'programme.errors.date' });
  }
}

/** The period asked for, by default 1 January to today where the programme runs. */
export function resolvePeriod(q: { from?: string; to?: string }, timeZone: string, now: Date): Period {
  const today = isoInZone(now, timeZone).slice(0, 10);
  const fromDay = q.from ?? `${today.slice(0, 4)}-01-01`;
  const toDay = q.to ?? today;
  const from = startOf(fromDay, timeZone, 'from');
  startOf(toDay, timeZone, 'to');
  const to = startOf(nextDay(toDay), timeZone, 'to');
  if (to <= from) throw new Invalid('programme.errors.order', { to: 'programme.errors.order' });
  if (to.getTime() - from.getTime() > 10 * 366 * 86_400_000)
    throw new Invalid('programme.errors.long', { to: 'programme.errors.long' });
  return { fromDay, toDay, timeZone, from, to };
}
