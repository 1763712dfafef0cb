/**
 * Deadlines are entered as local date-times in a call's IANA time zone and stored as UTC instants.
 * Everything here uses Intl with an explicit zone, so the result never depends on the process's TZ.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(value: string): boolean {
  if (!value || value.length > 64) return false;
  try {
    partsFormatter(value);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(instant: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(instant)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The zone's offset from UTC at an instant, in milliseconds (UTC+8 → +28 800 000). */
export function zoneOffsetMs(instant: Date | number, timeZone: string): number {
  const t = typeof instant === 'number' ? instant : instant.getTime();
  const whole = Math.floor(t / 1000) * 1000;
  const w = wallClock(whole, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - whole;
}

/**
 * '2026-03-31T17:00' in 'Asia/Ulaanbaatar' → 2026-03-31T09:00:00Z. A time skipped by a DST change
 * resolves to the instant after the gap; a repeated time to its first occurrence.
 */
export function localToUtc(local: string, timeZone: string): Date {
  const m = LOCAL.exec(local);
  if (!m) throw new RangeError(`not a local date-time: ${local}`);
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const asUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d! || h! > 23 || mi! > 59 || s! > 59)
    throw new RangeError(`not a calendar date-time: ${local}`);
  const first = asUtc - zoneOffsetMs(asUtc, timeZone);
  const second = asUtc - zoneOffsetMs(first, timeZone);
  if (first === second) return new Date(first);
  // Around a transition: prefer the candidate whose wall clock matches what was entered.
  const candidates = [Math.min(first, second), Math.max(first, second)];
  for (const c of candidates) if (c + zoneOffsetMs(c, timeZone) === asUtc) return new Date(c);
  return new Date(Math.max(first, second));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as the value of an <input type="datetime-local"> in a zone: 'YYYY-MM-DDTHH:mm'. */
export function utcToLocalInput(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** A short human label for an instant in a zone, with the zone named: "31 Mar 2026, 17:00 (Asia/Ulaanbaatar)". */
export function formatInZone(instant: Date, timeZone: string, locale: 'en' | 'mn'): string {
  const f = new Intl.DateTimeFormat(locale === 'mn' ? 'mn-MN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  });
  return `${f.format(instant)} (${timeZone})`;
}
