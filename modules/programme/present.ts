import type { TFunction } from 'i18next';
import type { Locale } from '../../server/types';
import type { Cell } from './suppress';

/** How figures read on the page and in the PDF: numbers in the reader's locale, suppression spelled out. */
export function formatters(t: TFunction, lang: Locale, min: number) {
  const nf = (d: number) =>
    new Intl.NumberFormat(lang === 'mn' ? 'mn-MN' : 'en-GB', {
      minimumFractionDigits: d,
      maximumFractionDigits: d,
    });
  const num = (v: number | null | undefined, d = 0) => (typeof v === 'number' ? nf(d).format(v) : '–');
  const signed = (v: number | null | undefined, d = 1) =>
    typeof v === 'number' ? `${v >= 0 ? '+' : '−'}${nf(d).format(Math.abs(v))}` : '–';
  const fig = (c: Cell, d = 0) => (c.suppressed ? t('programme.suppressed', { min }) : num(c.value, d));
  return {
    num,
    signed,
    fig,
    money: (c: Cell) => (c.suppressed ? fig(c) : `${num(c.value)} ₮`),
    pct: (c: Cell) => (c.suppressed ? fig(c) : c.value === null ? '–' : `${num(c.value, 1)}%`),
    ci: (ci: [number, number] | null, d = 1) =>
      ci ? t('programme.ciRange', { low: signed(ci[0], d), high: signed(ci[1], d) }) : '–',
  };
}
export type Formatters = ReturnType<typeof formatters>;

/** The query string that keeps the report's period and course in its links. */
export function periodQuery(r: { period: { fromDay: string; toDay: string }; course?: { slug: string } }) {
  const p = new URLSearchParams({ from: r.period.fromDay, to: r.period.toDay });
  if (r.course) p.set('course', r.course.slug);
  return `?${p.toString()}`;
}
