import type { Writable } from 'node:stream';
import type { TFunction } from 'i18next';
import type { Locale } from '../../server/types';
import { dateFormatter } from '../../server/i18n';
import { startPdf } from '../reports';
import type { ProgrammeReport } from './report';
import { formatters } from './present';

/**
 * The programme report as a printable file, with the same figures (and the same suppression) as the
 * page. DejaVu Sans, as in the cohort summary, carries Mongolian Cyrillic.
 */
export async function writeProgrammePdf(
  out: Writable,
  r: ProgrammeReport,
  t: TFunction,
  lang: Locale,
  now: Date,
  timeZone: string,
): Promise<void> {
  const f = formatters(t, lang, r.min);
  const tx = (o: { en: string; mn: string }) => o[lang] || o.en;
  const generated = `${dateFormatter(lang, timeZone).dateTime(now)} (${timeZone})`;
  const { doc, done } = startPdf(out, {
    title: t('programme.title'),
    subject: `${t('programme.generated')}: ${generated}`,
    now,
  });
  const h2 = (text: string) =>
    doc.moveDown(0.6).font('bold').fontSize(13).text(text).font('body').fontSize(10);
  const h3 = (text: string) =>
    doc.moveDown(0.3).font('bold').fontSize(11).text(text).font('body').fontSize(10);
  const line = (label: string, value: string) => doc.text(`${label}: ${value}`);

  doc.font('bold').fontSize(17).text(t('programme.title'));
  doc.font('body').fontSize(10);
  doc.text(t('programme.period', { from: r.period.fromDay, to: r.period.toDay, zone: r.period.timeZone }));
  if (r.course) doc.text(`${t('programme.filters.course')}: ${tx(r.course.title)}`);
  doc.text(`${t('programme.generated')}: ${generated}`);
  doc
    .fontSize(9)
    .text(t('programme.suppressionNote', { min: r.min }))
    .fontSize(10);

  if (r.training && r.attendance && r.knowledge) {
    h2(t('programme.sections.training'));
    line(t('programme.fig.enrolled'), f.fig(r.training.enrolled));
    line(t('programme.fig.completed'), f.fig(r.training.completed));
    for (const dim of ['region', 'outletType', 'gender'] as const) {
      h3(t(`programme.by.${dim}`));
      for (const g of r.training.groups[dim]) {
        const name = !g.key
          ? t('programme.notStated')
          : dim === 'region'
            ? g.key
            : t(`programme.${dim}.${g.key}`);
        doc.text(
          `${name}: ${t('programme.col.enrolled')} ${f.fig(g.enrolled)} · ${t('programme.col.completed')} ${f.fig(g.completed)}`,
        );
      }
    }
    h2(t('programme.sections.attendance'));
    line(t('programme.fig.held'), f.num(r.attendance.held));
    line(t('programme.fig.signedUp'), f.fig(r.attendance.signedUp));
    line(t('programme.fig.attendances'), f.fig(r.attendance.attendances));
    line(t('programme.fig.attendees'), f.fig(r.attendance.attendees));
    line(t('programme.fig.rate'), f.pct(r.attendance.rate));

    h2(t('programme.sections.knowledge'));
    h3(t('programme.sections.objectives'));
    for (const o of r.knowledge.objectives)
      doc.text(
        o.suppressed
          ? `${tx(o.label)}: n ${f.fig(o.n)}`
          : `${tx(o.label)}: ${f.num(o.preShare, 1)}% → ${f.num(o.postShare, 1)}% (${f.signed(o.gain)}; ` +
              `${t('programme.col.ci')} ${f.ci(o.ci)}; n = ${f.fig(o.n)}) — ${t(o.shown ? 'programme.shown' : 'programme.notShown')}`,
      );
    h3(t('programme.sections.kap'));
    for (const k of r.knowledge.kap)
      doc.text(
        k.suppressed
          ? `${tx(k.text)}: n ${f.fig(k.n)}`
          : `${tx(k.text)}: ${f.num(k.preMean, 2)} → ${f.num(k.postMean, 2)} (${f.signed(k.shift, 2)}; ` +
              `${t('programme.col.ci')} ${f.ci(k.ci, 2)}; n = ${f.fig(k.n)})`,
      );
    doc
      .fontSize(8)
      .text(
        t('programme.unpaired', {
          preOnly: f.fig(r.knowledge.unpaired.preOnly),
          postOnly: f.fig(r.knowledge.unpaired.postOnly),
        }),
      )
      .text(t('programme.knowledgeMethod'))
      .fontSize(10);
  } else doc.moveDown().text(t('programme.noCourse'));

  if (r.grants) {
    h2(t('programme.sections.grants'));
    line(t('programme.fig.calls'), f.num(r.grants.calls));
    line(t('programme.fig.pitches'), f.fig(r.grants.pitches));
    line(t('programme.fig.funded'), f.fig(r.grants.funded));
    line(t('programme.fig.amount'), f.money(r.grants.amount));
    h3(t('programme.sections.themes'));
    for (const x of r.grants.byTheme)
      doc.text(
        `${tx(x.label)}: ${t('programme.col.pitches')} ${f.fig(x.pitches)} · ${t('programme.col.funded')} ` +
          `${f.fig(x.funded)} · ${t('programme.col.amount')} ${f.money(x.amount)}`,
      );
  }
  if (r.impact) {
    h2(t('programme.sections.impact'));
    line(t('programme.fig.pieces'), f.num(r.impact.pieces));
    for (const k of ['article', 'tv', 'radio', 'social'] as const)
      line(t(`programme.format.${k}`), f.num(r.impact.byFormat[k]));
    for (const k of ['views', 'shares', 'comments', 'airings'] as const)
      line(
        t('programme.reachVerified', { metric: t(`programme.reach.${k}`) }),
        f.num(r.impact.verifiedReach[k]),
      );
    line(t('programme.fig.deadLinks'), f.num(r.impact.deadLinks));
  }
  doc.end();
  await done;
}
