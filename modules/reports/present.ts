import type { TFunction } from 'i18next';
import { barChart } from './charts';
import type { learningGain } from './gain';
import type { grantPipeline } from './pipeline';

const pct = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(1)}`;

/** Query string for links that keep the current filters (empty values dropped). */
export function queryString(q: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Where a trainee learns an objective (the learning module's lesson page). */
export const lessonHref = (courseSlug: string, lessonSlug: string) =>
  `/learn/${encodeURIComponent(courseSlug)}/${encodeURIComponent(lessonSlug)}`;

export function gainCharts(
  t: TFunction,
  data: Awaited<ReturnType<typeof learningGain>>,
  objectiveLabel: (id: string) => string = (id) => id,
) {
  return {
    objectives: barChart(
      'chart-gain-objectives',
      t('reports.gain.chartTitle'),
      t('reports.gain.chartDesc'),
      data.objectives.map((o) => ({
        label: objectiveLabel(o.objective),
        value: o.gain,
        display: pct(o.gain),
      })),
    ),
  };
}

export function pipelineCharts(t: TFunction, data: Awaited<ReturnType<typeof grantPipeline>>) {
  return {
    funnel: barChart(
      'chart-funnel',
      t('reports.pipeline.funnelTitle'),
      t('reports.pipeline.funnelDesc'),
      data.funnel.map((s) => ({ label: t(`reports.funnel.${s.key}`), value: s.n })),
    ),
    scores: barChart(
      'chart-scores',
      t('reports.pipeline.scoresTitle'),
      t('reports.pipeline.scoresDesc'),
      data.scores.map((b) => ({ label: `${b.from.toFixed(1)}–${b.to.toFixed(1)}`, value: b.n })),
    ),
  };
}
