import type { TFunction } from 'i18next';
import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
import { NotFound } from '../../server/http/errors';
import { completionRows, type CompletionRow } from './completion';
import { gainRows, learningGain, type GainGroup, type GainTraineeRow, type ObjectiveGain } from './gain';
import { itemAnalysis, type ItemStat, type Misconception } from './items';
import { kapShifts, type KapShift } from './kap';
import { grantPipeline, type FunnelStep, type HistogramBin, type ReviewerProgress } from './pipeline';
import { completionFilters, resolveCourse, resolveQuiz } from './resolve';
import { oid } from '../../server/db/ids';
import type { Column } from './export';
import type { ExportTable, ReportQuery } from './schemas';

export interface Table<R = unknown> {
  name: string;
  columns: Column<R>[];
  rows: AsyncIterable<R> | Iterable<R>;
}

const round = (n: number | null | undefined, d = 1) => (typeof n === 'number' ? Number(n.toFixed(d)) : null);
const k = (key: string) => `reports.col.${key}`;

/** How an export names codes for its reader: statuses and languages in words, objectives by label. */
interface Words {
  t: TFunction;
  objective: (id: string) => string;
}
const status = (t: TFunction, code: string) => t(`reports.status.${code}`);
const language = (t: TFunction, code: string | null | undefined) => (code ? t(`reports.lang.${code}`) : null);

const completionColumns = ({ t }: Words): Column<CompletionRow>[] => [
  { header: k('name'), value: (r) => r.name, width: 24 },
  { header: k('email'), value: (r) => r.email, width: 28 },
  { header: k('region'), value: (r) => r.region },
  { header: k('outlet'), value: (r) => r.outlet, width: 20 },
  { header: k('language'), value: (r) => language(t, r.locale) },
  { header: k('status'), value: (r) => status(t, r.status) },
  { header: k('preStatus'), value: (r) => status(t, r.pre.status) },
  { header: k('preScore'), value: (r) => r.pre.score },
  { header: k('preAt'), value: (r) => r.pre.at },
  { header: k('lessonsViewed'), value: (r) => r.lessonsViewed },
  { header: k('lessonQuizzes'), value: (r) => r.lessonQuizzesPassed },
  { header: k('postStatus'), value: (r) => status(t, r.post.status) },
  { header: k('postScore'), value: (r) => r.post.score },
  { header: k('postAt'), value: (r) => r.post.at },
  { header: k('startedAt'), value: (r) => r.startedAt },
  { header: k('completedAt'), value: (r) => r.completedAt },
];

const gainColumns = ({ t }: Words): Column<GainTraineeRow>[] => [
  { header: k('name'), value: (r) => r.name, width: 24 },
  { header: k('region'), value: (r) => r.region },
  { header: k('language'), value: (r) => language(t, r.locale) },
  { header: k('pre'), value: (r) => r.pre },
  { header: k('post'), value: (r) => r.post },
  { header: k('gain'), value: (r) => round(r.gain) },
  { header: k('normGain'), value: (r) => round(r.normGain, 3) },
];

/** Gain per objective, labelled in the reader's language, with its interval and verdict. */
const objectiveColumns = ({ t, objective }: Words): Column<ObjectiveGain>[] => [
  { header: k('objective'), value: (r) => objective(r.objective), width: 40 },
  { header: k('pairedTrainees'), value: (r) => r.n },
  { header: k('preShare'), value: (r) => round(r.preShare) },
  { header: k('postShare'), value: (r) => round(r.postShare) },
  { header: k('gain'), value: (r) => round(r.gain) },
  { header: k('ciLow'), value: (r) => (r.ci ? round(r.ci[0]) : null) },
  { header: k('ciHigh'), value: (r) => (r.ci ? round(r.ci[1]) : null) },
  { header: k('normGain'), value: (r) => round(r.normGain, 3) },
  { header: k('evidence'), value: (r) => t(r.shown ? 'reports.gain.yes' : 'reports.gain.no') },
  { header: k('answers'), value: (r) => r.postN },
];

const groupColumns = ({ t }: Words): Column<GainGroup & { by: string }>[] => [
  { header: k('group'), value: (r) => t(`reports.col.groupBy.${r.by}`) },
  { header: k('value'), value: (r) => (r.by === 'language' ? language(t, r.key) : r.key), width: 20 },
  { header: k('trainees'), value: (r) => r.n },
  { header: k('meanPre'), value: (r) => round(r.meanPre) },
  { header: k('meanPost'), value: (r) => round(r.meanPost) },
  { header: k('meanGain'), value: (r) => round(r.meanGain) },
  { header: k('ciLow'), value: (r) => (r.ci ? round(r.ci[0]) : null) },
  { header: k('ciHigh'), value: (r) => (r.ci ? round(r.ci[1]) : null) },
  { header: k('evidence'), value: (r) => t(r.shown ? 'reports.gain.yes' : 'reports.gain.no') },
  { header: k('meanNormGain'), value: (r) => round(r.meanNormGain, 3) },
];

/** As the page says it: too few pairs to tell, or whether the change is shown. */
const verdict = (t: TFunction, r: KapShift, shown: boolean) =>
  r.fewPairs ? t('reports.kap.tooFew') : t(shown ? 'reports.gain.yes' : 'reports.gain.no');

/** Attitude and practice shifts per survey item, in the reader's language (see kap.ts). */
const kapColumns = (lang: Locale, t: TFunction): Column<KapShift>[] => [
  { header: k('dimension'), value: (r) => r.dimensionLabel[lang] },
  { header: k('kind'), value: (r) => t(`reports.kap.kinds.${r.kind}`) },
  { header: k('item'), value: (r) => r.text[lang], width: 60 },
  { header: k('reversed'), value: (r) => t(r.reversed ? 'reports.gain.yes' : 'reports.gain.no') },
  { header: k('pairedTrainees'), value: (r) => r.n },
  { header: k('meanBefore'), value: (r) => round(r.preMean, 2) },
  { header: k('meanAfter'), value: (r) => round(r.postMean, 2) },
  { header: k('shift'), value: (r) => round(r.shift, 2) },
  { header: k('ciLow'), value: (r) => (r.ci ? round(r.ci[0], 2) : null) },
  { header: k('ciHigh'), value: (r) => (r.ci ? round(r.ci[1], 2) : null) },
  { header: k('highBefore'), value: (r) => round(r.preHigh) },
  { header: k('highAfter'), value: (r) => round(r.postHigh) },
  { header: k('shiftShown'), value: (r) => verdict(t, r, r.shown) },
  { header: k('highBeforeLow'), value: (r) => round(r.preHighCi?.[0]) },
  { header: k('highBeforeHigh'), value: (r) => round(r.preHighCi?.[1]) },
  { header: k('highAfterLow'), value: (r) => round(r.postHighCi?.[0]) },
  { header: k('highAfterHigh'), value: (r) => round(r.postHighCi?.[1]) },
  { header: k('agreeBoth'), value: (r) => r.highPairs.both },
  { header: k('agreeBeforeOnly'), value: (r) => r.highPairs.beforeOnly },
  { header: k('agreeAfterOnly'), value: (r) => r.highPairs.afterOnly },
  { header: k('agreeNeither'), value: (r) => r.highPairs.neither },
  { header: k('highChange'), value: (r) => round(r.highChange) },
  { header: k('highChangeLow'), value: (r) => round(r.highChangeCi?.[0]) },
  { header: k('highChangeHigh'), value: (r) => round(r.highChangeCi?.[1]) },
  { header: k('highChangeShown'), value: (r) => verdict(t, r, r.highShown) },
];

const itemColumns = (lang: Locale, { t, objective }: Words): Column<ItemStat>[] => [
  { header: k('qid'), value: (r) => r.qid },
  { header: k('objective'), value: (r) => objective(r.objective), width: 40 },
  { header: k('stem'), value: (r) => r.stem[lang], width: 60 },
  { header: k('answers'), value: (r) => r.n },
  { header: k('facility'), value: (r) => round(r.facility, 3) },
  { header: k('discrimination'), value: (r) => round(r.discrimination, 3) },
  // The page marks a discrimination from small groups "rough": the export gives the group size.
  { header: k('groupSize'), value: (r) => (r.groupN ? round(r.groupN, 1) : null) },
  { header: k('pointBiserial'), value: (r) => round(r.pointBiserial, 3) },
  {
    header: k('options'),
    width: 60,
    value: (r) =>
      r.steps
        ? // Ordering: each step's right place and the share that put it elsewhere.
          r.steps
            .map((st) =>
              t('reports.col.stepMisplaced', { step: st.id, position: st.position, share: round(st.share) }),
            )
            .join('; ')
        : r.options.map((o) => `${o.id}${o.correct ? '*' : ''}: ${round(o.share)}%`).join('; '),
  },
];

const misconceptionColumns = (lang: Locale, { objective }: Words): Column<Misconception>[] => [
  { header: k('qid'), value: (r) => r.qid },
  { header: k('objective'), value: (r) => objective(r.objective), width: 40 },
  { header: k('stem'), value: (r) => r.stem[lang], width: 60 },
  { header: k('option'), value: (r) => r.option[lang], width: 40 },
  { header: k('rightPosition'), value: (r) => r.position ?? null },
  { header: k('placedAt'), value: (r) => r.placedAt ?? null },
  { header: k('share'), value: (r) => round(r.share) },
  { header: k('lessons'), value: (r) => r.lessons.map((l) => l.title[lang]).join('; '), width: 40 },
];

const funnelColumns = (t: TFunction): Column<FunnelStep>[] => [
  { header: k('step'), value: (r) => t(`reports.funnel.${r.key}`) },
  { header: k('count'), value: (r) => r.n },
];

const reviewerColumns: Column<ReviewerProgress>[] = [
  { header: k('reviewer'), value: (r) => r.name },
  { header: k('assigned'), value: (r) => r.assigned },
  { header: k('conflicts'), value: (r) => r.conflicts },
  { header: k('submitted'), value: (r) => r.submitted },
];

const scoreColumns: Column<HistogramBin>[] = [
  { header: k('range'), value: (r) => `${r.from.toFixed(1)}–${r.to.toFixed(1)}` },
  { header: k('count'), value: (r) => r.n },
];

const themeColumns = (lang: Locale): Column<{ id: string; label: unknown; n: number }>[] => [
  {
    header: k('theme'),
    value: (r) =>
      typeof r.label === 'object' && r.label ? (r.label as Record<string, string>)[lang] : String(r.label),
  },
  { header: k('count'), value: (r) => r.n },
];

/** The rows and columns of one exportable table; big tables are cursors, small ones arrays. */
export async function exportTable(
  ctx: AppContext,
  viewer: Pick<SessionUser, 'id' | 'role'>,
  table: ExportTable,
  q: ReportQuery,
  t: TFunction,
  lang: Locale,
): Promise<Table> {
  if (table.startsWith('pipeline-')) {
    if (viewer.role !== 'admin' || !q.call) throw new NotFound();
    const report = await grantPipeline(ctx, oid(q.call));
    if (table === 'pipeline-funnel')
      return { name: table, columns: funnelColumns(t), rows: report.funnel } as Table;
    if (table === 'pipeline-scores')
      return { name: table, columns: scoreColumns, rows: report.scores } as Table;
    if (table === 'pipeline-themes')
      return { name: table, columns: themeColumns(lang), rows: report.themes } as Table;
    return { name: table, columns: reviewerColumns, rows: report.reviewers } as Table;
  }
  const r = await resolveCourse(ctx, viewer, q);
  if (!r) throw new NotFound();
  const f = { courseId: r.courseId, cohortId: r.cohortId, scope: r.scope };
  const objectives = (r.course.objectives as Array<{ id: string; label: Record<string, string> }>) ?? [];
  const words: Words = { t, objective: (id) => objectives.find((o) => o.id === id)?.label[lang] ?? id };
  switch (table) {
    case 'completion':
      return {
        name: table,
        columns: completionColumns(words),
        rows: completionRows(ctx, completionFilters(r, q)),
      } as Table;
    case 'gain':
      return { name: table, columns: gainColumns(words), rows: gainRows(ctx, f) } as Table;
    case 'gain-objectives':
      return {
        name: table,
        columns: objectiveColumns(words),
        rows: (await learningGain(ctx, f, 1, 1)).objectives,
      } as Table;
    case 'gain-groups': {
      const g = await learningGain(ctx, f, 1, 1);
      const rows = [
        ...(g.summary ? [{ ...g.summary, by: 'all', key: '' }] : []),
        ...g.byRegion.map((x) => ({ ...x, by: 'region' })),
        ...g.byLanguage.map((x) => ({ ...x, by: 'language' })),
      ];
      return { name: table, columns: groupColumns(words), rows } as Table;
    }
    case 'kap':
      return { name: table, columns: kapColumns(lang, t), rows: await kapShifts(ctx, f) } as Table;
    default: {
      const quiz = await resolveQuiz(ctx, r.courseId, q.quiz);
      if (!quiz) throw new NotFound();
      const items = await itemAnalysis(ctx, { ...f, quizId: quiz._id });
      if (table === 'items')
        return { name: table, columns: itemColumns(lang, words), rows: items.items } as Table;
      return { name: table, columns: misconceptionColumns(lang, words), rows: items.misconceptions } as Table;
    }
  }
}
