import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { parse, parseParams } from '../../server/http/validate';
import { Invalid, NotFound } from '../../server/http/errors';
import { signedInUser } from '../../server/auth/policy';
import { recordAudit } from '../audit';
import { CSV_TYPE, downloadHeaders, writeCsv } from '../reports';
import { programmePolicy as policy } from './policy';
import { programmeQuery, rowsParams } from './schemas';
import { programmeReport } from './report';
import { formatters, periodQuery } from './present';
import { rowsOf } from './rows';
import { writeProgrammePdf } from './pdf';

/** The programme report: one page, one PDF, and the rows behind each figure as CSV. */
export function programmeRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/programme', policy.view, async (req, res) => {
    const q = parse(programmeQuery, req.query);
    const t = res.locals.t;
    try {
      const report = await programmeReport(ctx, signedInUser(req), q);
      res.render('programme/report', {
        title: t('programme.title'),
        report,
        courses: report.courses,
        values: { from: report.period.fromDay, to: report.period.toDay, course: report.course?.slug },
        errors: {},
        fmt: formatters(t, res.locals.lang as Locale, report.min),
        qs: periodQuery(report),
      });
    } catch (err) {
      // A wrong period is the form's error, shown beside the field with what was typed kept.
      if (!(err instanceof Invalid)) throw err;
      res.status(400).render('programme/report', {
        title: t('programme.title'),
        courses: [],
        values: q,
        errors: err.details ?? {},
      });
    }
  });

  router.get('/programme/report.pdf', policy.view, async (req, res) => {
    const q = parse(programmeQuery, req.query);
    const viewer = signedInUser(req);
    const report = await programmeReport(ctx, viewer, q);
    await recordAudit(
      ctx,
      viewer,
      'report.exported',
      { type: 'report', id: 'programme' },
      {
        report: 'programme',
        format: 'pdf',
        filters: { from: report.period.fromDay, to: report.period.toDay, course: report.course?.slug ?? '' },
      },
    );
    downloadHeaders(res, 'programme-report.pdf', 'application/pdf');
    const zone = res.locals.timeZone as string;
    await writeProgrammePdf(res, report, res.locals.t, res.locals.lang as Locale, ctx.clock.now(), zone);
  });

  router.get('/programme/rows/:figure', policy.view, async (req, res) => {
    const { figure } = parseParams(rowsParams, req.params);
    const q = parse(programmeQuery, req.query);
    const viewer = signedInUser(req);
    const report = await programmeReport(ctx, viewer, q);
    const t = res.locals.t;
    const table = await rowsOf(ctx, report, figure, t, res.locals.lang as Locale);
    // A figure the viewer's report does not have (grants for a trainer, training without a course).
    if (!table.headers.length) throw new NotFound();
    await recordAudit(
      ctx,
      viewer,
      'report.exported',
      { type: 'report', id: `programme-${figure}` },
      {
        report: `programme-${figure}`,
        format: 'csv',
        filters: { from: report.period.fromDay, to: report.period.toDay, course: report.course?.slug ?? '' },
      },
    );
    downloadHeaders(res, `programme-${figure}.csv`, CSV_TYPE);
    await writeCsv(
      res,
      table.headers.map((h) => t(h)),
      table.headers.map((h, i) => ({ header: h, value: (row: (typeof table.rows)[number]) => row[i] })),
      table.rows,
      { timeZone: report.period.timeZone },
    );
  });

  return router;
}
