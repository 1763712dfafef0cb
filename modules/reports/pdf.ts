import { createRequire } from 'node:module';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import type { TFunction } from 'i18next';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { dateFormatter } from '../../server/i18n';
import { completionMatrix } from './completion';
import { learningGain, type GainFilters } from './gain';
import { col } from './data';

const fontDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
const FONT = path.join(fontDir, 'DejaVuSans.ttf');
const BOLD = path.join(fontDir, 'DejaVuSans-Bold.ttf');

/**
 * An A4 report document piped to `out`, in DejaVu Sans ('body' and 'bold': it carries Cyrillic, so
 * Mongolian prints as it reads on screen). `done` settles once the file is written. Every printable
 * report starts here, so they look and are dated alike.
 */
export function startPdf(out: Writable, info: { title: string; subject: string; now: Date }) {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: info.title, Subject: info.subject, CreationDate: info.now },
  });
  doc.registerFont('body', FONT).registerFont('bold', BOLD).font('body');
  doc.pipe(out);
  return { doc, done: finished(out) };
}

const fmt = (n: number | null | undefined, d = 1) => (typeof n === 'number' ? n.toFixed(d) : '–');

/**
 * A printable one-cohort summary: completion counts, mean and normalised gain, gain per objective and
 * every paired trainee. DejaVu Sans carries Cyrillic, so Mongolian prints as it reads on screen.
 */
export async function writeCohortPdf(
  ctx: AppContext,
  out: Writable,
  f: GainFilters & { courseTitle: string },
  t: TFunction,
  lang: Locale,
  timeZone: string = ctx.config.defaultTimeZone,
): Promise<void> {
  const now = ctx.clock.now();
  // Dated where the reader is: at 01:00 in Ulaanbaatar it is already the next day there, not in UTC.
  const generated = `${dateFormatter(lang, timeZone).dateTime(now)} (${timeZone})`;
  const { doc, done } = startPdf(out, {
    title: t('reports.pdf.title'),
    subject: `${t('reports.pdf.generated')}: ${generated}`,
    now,
  });
  const cohort = f.cohortId ? await col(ctx.db, 'cohorts').findOne({ _id: f.cohortId }) : null;
  const course = await col(ctx.db, 'courses').findOne({ _id: f.courseId }, { projection: { objectives: 1 } });
  const labels =
    (course?.objectives as Array<{ id: string; label: Record<string, string> }> | undefined) ?? [];
  const label = (id: string) => labels.find((o) => o.id === id)?.label[lang] ?? id;
  const [gain, completion] = await Promise.all([
    // Every paired trainee on one "page": the list below comes from the same read as the summary.
    learningGain(ctx, f, 1, Number.POSITIVE_INFINITY),
    completionMatrix(ctx, { courseId: f.courseId, cohortId: f.cohortId, scope: f.scope }, 1),
  ]);
  doc.font('bold').fontSize(16).text(t('reports.pdf.title'));
  doc.font('body').fontSize(11).text(f.courseTitle);
  doc.text(`${t('reports.filters.cohort')}: ${cohort ? String(cohort.name) : t('reports.filters.all')}`);
  doc.text(`${t('reports.pdf.generated')}: ${generated}`).moveDown();

  doc.font('bold').fontSize(13).text(t('reports.completion.title'));
  doc.font('body').fontSize(10);
  for (const s of ['enrolled', 'in_progress', 'completed'])
    doc.text(`${t(`reports.status.${s}`)}: ${completion.counts[s] ?? 0}`);
  doc.moveDown();

  doc.font('bold').fontSize(13).text(t('reports.gain.title'));
  doc.font('body').fontSize(10);
  const s = gain.summary;
  doc.text(`${t('reports.col.trainees')}: ${s?.n ?? 0}`);
  doc.text(
    `${t('reports.col.meanPre')}: ${fmt(s?.meanPre)} · ${t('reports.col.meanPost')}: ${fmt(s?.meanPost)}`,
  );
  doc.text(
    `${t('reports.col.meanGain')}: ${fmt(s?.meanGain)} (${t('reports.col.ci')}: ${
      s?.ci ? t('reports.gain.ciRange', { low: fmt(s.ci[0]), high: fmt(s.ci[1]) }) : '–'
    }) — ${t(s?.shown ? 'reports.gain.shown' : 'reports.gain.notShown')} · ${t('reports.col.meanNormGain')}: ${fmt(s?.meanNormGain, 2)}`,
  );
  doc.text(t('reports.gain.unpaired', gain.unpaired));
  doc.moveDown();

  doc.font('bold').fontSize(12).text(t('reports.gain.byObjective'));
  doc.font('body').fontSize(9);
  for (const o of gain.objectives) {
    const ci = o.ci ? t('reports.gain.ciRange', { low: fmt(o.ci[0]), high: fmt(o.ci[1]) }) : '–';
    const verdict = o.shown ? t('reports.gain.shown') : t('reports.gain.notShown');
    doc.text(
      `${label(o.objective)}: ${fmt(o.preShare)}% → ${fmt(o.postShare)}% (${o.gain >= 0 ? '+' : ''}${fmt(o.gain)}; ` +
        `${t('reports.col.ci')}: ${ci}; n = ${o.n}) — ${verdict}`,
    );
  }
  doc.fontSize(8).text(t('reports.gain.method'));
  if (gain.forms.length) {
    doc
      .fontSize(9)
      .text(
        `${t('reports.col.kr20')}: ${gain.forms.map((x) => `${x.form} ${fmt(x.kr20, 2)} (${x.attempts})`).join(' · ')}`,
      );
  }
  doc.moveDown();

  doc.font('bold').fontSize(12).text(t('reports.gain.trainees'));
  doc.font('body').fontSize(9);
  for (const r of gain.trainees)
    doc.text(`${r.name} — ${fmt(r.pre, 0)} → ${fmt(r.post, 0)} (${r.gain >= 0 ? '+' : ''}${fmt(r.gain, 0)})`);
  doc
    .moveDown()
    .fontSize(8)
    .text(t('reports.pdf.note', { lng: lang }));
  doc.end();
  await done;
}
