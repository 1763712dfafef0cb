import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { parse, parseParams } from '../../server/http/validate';
import { NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { reportsPolicy as policy } from './policy';
import { exportParams, reportQuery, traineeParams, type ReportQuery } from './schemas';
import { completionMatrix } from './completion';
import { learningGain } from './gain';
import { kapShifts } from './kap';
import { itemAnalysis, listQuizzes } from './items';
import { grantPipeline, listCalls } from './pipeline';
import { viewTrainee } from './trainee';
import { exportTable } from './tables';
import { CSV_TYPE, XLSX_TYPE, downloadHeaders, writeCsv, writeXlsx } from './export';
import { writeCohortPdf } from './pdf';
import { auditFilters, completionFilters, resolveCourse, resolveQuiz } from './resolve';
import { listCohorts, listCourses, scopeExplanation } from './data';
import { oid } from '../../server/db/ids';
import { gainCharts, lessonHref, pipelineCharts, queryString } from './present';
import { getCourseOutline } from '../learning';
import { signedInUser } from '../../server/auth/policy';

/** Training reports (trainers and admins) and the grant pipeline (admins). */
export function reportsRouter(ctx: AppContext): Router {
  const router = Router();

  const context = async (res: Response, q: ReportQuery) => {
    const viewer = signedInUser(res.req);
    const r = await resolveCourse(ctx, viewer, q);
    const courses = await listCourses(ctx);
    const cohorts = r ? await listCohorts(ctx, r.courseId, r.scope) : [];
    return {
      r,
      courses,
      cohorts,
      q,
      qs: (extra: Record<string, unknown> = {}) => queryString({ ...q, ...extra }),
    };
  };

  /** For a trainer's empty report: why it is empty (see scopeExplanation); nothing otherwise. */
  const whyEmpty = async (res: Response, r: Awaited<ReturnType<typeof resolveCourse>>, empty: boolean) =>
    r?.scope && empty ? scopeExplanation(ctx, signedInUser(res.req), r.courseId) : undefined;

  router.get('/reports', policy.training, (_req, res) => {
    res.render('reports/index', { title: res.locals.t('reports.title') });
  });

  router.get('/reports/completion', policy.training, async (req, res) => {
    const q = parse(reportQuery, req.query);
    const c = await context(res, q);
    const data = c.r ? await completionMatrix(ctx, completionFilters(c.r, q), q.page ?? 1) : undefined;
    const why = await whyEmpty(res, c.r, !!data && data.total === 0);
    res.render('reports/completion', { ...c, data, why, title: res.locals.t('reports.completion.title') });
  });

  router.get('/reports/trainees/:userId', policy.training, async (req, res) => {
    const { userId } = parseParams(traineeParams, req.params);
    const data = await viewTrainee(ctx, signedInUser(req), userId);
    res.render('reports/trainee', { ...data, title: data.user.name as string });
  });

  router.get('/reports/gain', policy.training, async (req, res) => {
    const q = parse(reportQuery, req.query);
    const c = await context(res, q);
    const f = c.r && { courseId: c.r.courseId, cohortId: c.r.cohortId, scope: c.r.scope };
    // Attitudes and practices beside the knowledge gain (shown only where someone is paired), read
    // at the same time: the database answers one while this process folds the other.
    const [data, shifts] = f
      ? await Promise.all([learningGain(ctx, f, q.page ?? 1), kapShifts(ctx, f)])
      : [undefined, []];
    const kap = data?.summary ? shifts : [];
    const outline = c.r ? await getCourseOutline(ctx, c.r.courseId) : null;
    const lang = res.locals.lang as 'en' | 'mn';
    const objectiveLabel = (id: string) => outline?.objectives.find((o) => o.id === id)?.label[lang] ?? id;
    const charts = data ? gainCharts(res.locals.t, data, objectiveLabel) : undefined;
    res.render('reports/gain', {
      ...c,
      data,
      why: await whyEmpty(res, c.r, !!data && !data.summary),
      charts,
      kap,
      objectiveLabel,
      title: res.locals.t('reports.gain.title'),
    });
  });

  router.get('/reports/items', policy.training, async (req, res) => {
    const q = parse(reportQuery, req.query);
    const c = await context(res, q);
    const quiz = c.r ? await resolveQuiz(ctx, c.r.courseId, q.quiz) : null;
    const quizzes = c.r ? await listQuizzes(ctx, c.r.courseId) : [];
    const data =
      c.r && quiz
        ? await itemAnalysis(ctx, {
            courseId: c.r.courseId,
            quizId: quiz._id,
            cohortId: c.r.cohortId,
            scope: c.r.scope,
          })
        : undefined;
    res.render('reports/items', {
      ...c,
      why: await whyEmpty(res, c.r, !data?.total),
      quiz,
      quizzes,
      data,
      lessonHref,
      title: res.locals.t('reports.items.title'),
    });
  });

  router.get('/reports/pipeline', policy.grants, async (req, res) => {
    const q = parse(reportQuery, req.query);
    const calls = await listCalls(ctx);
    const callId = q.call ?? (calls[0] ? String(calls[0]._id) : undefined);
    const data = callId ? await grantPipeline(ctx, oid(callId)) : undefined;
    const charts = data ? pipelineCharts(res.locals.t, data) : undefined;
    res.render('reports/pipeline', {
      calls,
      callId,
      data,
      charts,
      q,
      qs: (extra: Record<string, unknown> = {}) => queryString({ ...q, call: callId, ...extra }),
      title: res.locals.t('reports.pipeline.title'),
    });
  });

  router.get('/reports/export/:table', policy.training, async (req, res) => {
    const { table } = parseParams(exportParams, req.params);
    const q = parse(reportQuery, req.query);
    const format = q.format ?? 'csv';
    const lang = res.locals.lang as Locale;
    const t = res.locals.t;
    const data = await exportTable(ctx, signedInUser(req), table, q, t, lang);
    await recordAudit(
      ctx,
      signedInUser(req),
      'report.exported',
      { type: 'report', id: table },
      {
        report: table,
        format,
        filters: auditFilters(q),
      },
    );
    const headers = data.columns.map((c) => t(c.header));
    if (format === 'xlsx') {
      downloadHeaders(res, `${table}.xlsx`, XLSX_TYPE);
      await writeXlsx(res, table, headers, data.columns, data.rows, { timeZone: res.locals.timeZone });
    } else {
      downloadHeaders(res, `${table}.csv`, CSV_TYPE);
      await writeCsv(res, headers, data.columns, data.rows, { timeZone: res.locals.timeZone });
    }
  });

  router.get('/reports/cohort-summary', policy.training, async (req, res) => {
    const q = parse(reportQuery, req.query);
    const r = await resolveCourse(ctx, signedInUser(req), q);
    if (!r) throw new NotFound();
    const lang = res.locals.lang as Locale;
    await recordAudit(
      ctx,
      signedInUser(req),
      'report.exported',
      { type: 'report', id: 'cohort-summary' },
      {
        report: 'cohort-summary',
        format: 'pdf',
        filters: auditFilters(q),
      },
    );
    downloadHeaders(res, 'cohort-summary.pdf', 'application/pdf');
    const title =
      (r.course.title as Record<string, string> | undefined)?.[lang] ?? String(r.course.slug ?? '');
    await writeCohortPdf(
      ctx,
      res,
      { courseId: r.courseId, cohortId: r.cohortId, scope: r.scope, courseTitle: title },
      res.locals.t,
      lang,
      res.locals.timeZone as string,
    );
  });

  return router;
}
