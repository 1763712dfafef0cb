import type { TFunction } from 'i18next';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { usersByIds } from '../accounts';
import type { Cell as ExportCell } from '../reports';
import type { ProgrammeReport } from './report';
import type { FigureName } from './schemas';
import type { Cell } from './suppress';

export interface RowsTable {
  /** i18n keys */
  headers: string[];
  rows: ExportCell[][];
}

/** A figure as a CSV cell: the number, or the suppression note in the reader's language. */
export const shown = (c: Cell, t: TFunction, min: number, digits?: number): ExportCell =>
  c.suppressed
    ? t('programme.suppressed', { min })
    : c.value === null
      ? null
      : digits === undefined
        ? c.value
        : Number(c.value.toFixed(digits));

const round = (v: number | null, d = 1) => (v === null ? null : Number(v.toFixed(d)));
const suppressedTable = (t: TFunction, min: number): RowsTable => ({
  headers: ['programme.col.note'],
  rows: [[t('programme.suppressed', { min })]],
});

/**
 * The rows behind one figure of the report. Trainee rows carry only what the viewer may already see
 * in the training reports (name, cohort, status, dates) and never region, outlet type or gender, so
 * a suppressed group cannot be counted back from them; a suppressed figure's rows are withheld too.
 */
export async function rowsOf(
  ctx: AppContext,
  r: ProgrammeReport,
  figure: FigureName,
  t: TFunction,
  lang: Locale,
): Promise<RowsTable> {
  const min = r.min;
  const s = (c: Cell, d?: number) => shown(c, t, min, d);
  // A section the viewer's report does not have (grants and publications for a trainer): no table.
  const section: Partial<Record<FigureName, unknown>> = {
    attendance: r.attendance,
    knowledge: r.knowledge,
    kap: r.knowledge,
    calls: r.grants,
    themes: r.grants,
    publications: r.impact,
  };
  if (figure in section && !section[figure]) return { headers: [], rows: [] };
  switch (figure) {
    case 'enrolled':
    case 'completed': {
      const cellOf = r.training?.[figure];
      if (!cellOf) return { headers: [], rows: [] };
      if (cellOf.suppressed) return suppressedTable(t, min);
      const list = figure === 'enrolled' ? r.people : r.people.filter((e) => e.completedAt);
      const names = new Map(
        (
          await usersByIds(
            ctx,
            list.map((e) => e.userId),
          )
        ).map((u) => [String(u._id), u.name]),
      );
      return {
        headers: [
          'programme.col.name',
          'programme.col.cohort',
          'programme.col.status',
          'programme.col.enrolledAt',
          'programme.col.completedAt',
        ],
        rows: list
          .map((e) => [
            names.get(String(e.userId)) ?? '',
            e.cohortName ?? '',
            t(`programme.status.${e.status}`),
            e.enrolledAt,
            e.completedAt ?? null,
          ])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      };
    }
    case 'groups': {
      const g = r.training?.groups;
      if (!g) return { headers: [], rows: [] };
      const label = (dim: string, key: string) =>
        !key ? t('programme.notStated') : dim === 'region' ? key : t(`programme.${dim}.${key}`);
      return {
        headers: [
          'programme.col.dimension',
          'programme.col.group',
          'programme.col.enrolled',
          'programme.col.completed',
        ],
        rows: (['region', 'outletType', 'gender'] as const).flatMap((dim) =>
          g[dim].map((x) => [t(`programme.by.${dim}`), label(dim, x.key), s(x.enrolled), s(x.completed)]),
        ),
      };
    }
    case 'attendance':
      return {
        headers: [
          'programme.col.session',
          'programme.col.kind',
          'programme.col.startsAt',
          'programme.col.capacity',
          'programme.col.signedUp',
          'programme.col.attended',
        ],
        rows: (r.attendance?.sessions ?? []).map((x) => [
          x.title[lang] || x.title.en,
          t(`programme.kind.${x.kind}`),
          x.startsAt,
          x.capacity,
          s(x.signedUp),
          s(x.attended),
        ]),
      };
    case 'knowledge':
      return {
        headers: [
          'programme.col.objective',
          'programme.col.n',
          'programme.col.pre',
          'programme.col.post',
          'programme.col.gain',
          'programme.col.ciLow',
          'programme.col.ciHigh',
          'programme.col.evidence',
        ],
        rows: (r.knowledge?.objectives ?? []).map((o) => [
          o.label[lang] || o.id,
          s(o.n),
          round(o.preShare),
          round(o.postShare),
          round(o.gain),
          round(o.ci?.[0] ?? null),
          round(o.ci?.[1] ?? null),
          o.suppressed ? null : t(o.shown ? 'programme.shown' : 'programme.notShown'),
        ]),
      };
    case 'kap':
      return {
        headers: [
          'programme.col.item',
          'programme.col.n',
          'programme.col.preMean',
          'programme.col.postMean',
          'programme.col.shift',
          'programme.col.ciLow',
          'programme.col.ciHigh',
          'programme.col.evidence',
        ],
        rows: (r.knowledge?.kap ?? []).map((k) => [
          k.text[lang] || k.sid,
          s(k.n),
          round(k.preMean, 2),
          round(k.postMean, 2),
          round(k.shift, 2),
          round(k.ci?.[0] ?? null, 2),
          round(k.ci?.[1] ?? null, 2),
          k.suppressed ? null : t(k.shown ? 'programme.shown' : 'programme.notShown'),
        ]),
      };
    case 'calls':
      return {
        headers: [
          'programme.col.call',
          'programme.col.opensAt',
          'programme.col.closesAt',
          'programme.col.pitches',
          'programme.col.funded',
          'programme.col.amount',
        ],
        rows: (r.grants?.byCall ?? []).map((c) => [
          c.title[lang] || c.title.en,
          c.opensAt,
          c.closesAt,
          s(c.pitches),
          s(c.funded),
          s(c.amount),
        ]),
      };
    case 'themes':
      return {
        headers: [
          'programme.col.theme',
          'programme.col.pitches',
          'programme.col.funded',
          'programme.col.amount',
        ],
        rows: (r.grants?.byTheme ?? []).map((x) => [
          x.label[lang] || x.id,
          s(x.pitches),
          s(x.funded),
          s(x.amount),
        ]),
      };
    case 'funded':
      if (!r.grants) return { headers: [], rows: [] };
      if (r.grants.funded.suppressed) return suppressedTable(t, min);
      return {
        headers: [
          'programme.col.reference',
          'programme.col.call',
          'programme.col.themes',
          'programme.col.amount',
          'programme.col.decidedAt',
        ],
        rows: r.grants.fundedRows.map((f) => [
          f.reference,
          f.call[lang] || f.call.en,
          f.themes.join(' '),
          f.amount,
          f.decidedAt ?? null,
        ]),
      };
    case 'publications':
      return {
        headers: [
          'programme.col.outlet',
          'programme.col.url',
          'programme.col.publishedOn',
          'programme.col.format',
          'programme.col.language',
          'programme.col.link',
          'programme.reach.views',
          'programme.reach.shares',
          'programme.reach.comments',
          'programme.reach.airings',
        ],
        rows: (r.impact?.pieceRows ?? []).map((p) => [
          p.outlet,
          p.url,
          p.publishedOn,
          t(`programme.format.${p.format}`),
          p.language,
          t(`programme.link.${p.linkStatus}`),
          p.verifiedReach.views ?? null,
          p.verifiedReach.shares ?? null,
          p.verifiedReach.comments ?? null,
          p.verifiedReach.airings ?? null,
        ]),
      };
  }
}
