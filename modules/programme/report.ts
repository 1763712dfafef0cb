import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { NotFound } from '../../server/http/errors';
import { publishedCourses, trainerCohortIds, trainerCourseIds, enrolmentsInPeriod } from '../learning';
import { courseTimeZone } from '../sessions';
import { impactSummary, piecesInPeriod, type ImpactSummary, type PeriodPiece } from '../impact';
import { resolvePeriod, type Period } from './period';
import {
  attendanceFigures,
  knowledgeFigures,
  trainingFigures,
  type AttendanceFigures,
  type Knowledge,
  type TrainingFigures,
} from './training';
import { grantFigures, type GrantFigures } from './grants';
import { seesGrants } from './policy';
import type { ProgrammeQuery } from './schemas';
import type { PeriodEnrolment } from '../learning';

type Text = { en: string; mn: string };

export interface ProgrammeReport {
  period: Period;
  min: number;
  courses: Array<{ slug: string; title: Text }>;
  course?: { slug: string; title: Text };
  /** The period's trainees (enrolled in the period, in the viewer's cohorts): for the row exports. */
  people: PeriodEnrolment[];
  training?: TrainingFigures;
  attendance?: AttendanceFigures;
  knowledge?: Knowledge;
  grants?: GrantFigures;
  impact?: ImpactSummary & { pieceRows: PeriodPiece[] };
}

/** The courses a viewer may report on: all published ones for admins, their cohorts' for trainers. */
async function coursesFor(ctx: AppContext, viewer: Pick<SessionUser, 'id' | 'role'>) {
  const all = await publishedCourses(ctx);
  if (viewer.role === 'admin') return all;
  const mine = new Set(await trainerCourseIds(ctx, viewer.id));
  return all.filter((c) => mine.has(String(c._id)));
}

/**
 * Every figure of the programme report for one period and course, suppressed where it rests on
 * fewer than REPORT_MIN_PEOPLE people. Trainers get the training figures of their own cohorts only.
 */
export async function programmeReport(
  ctx: AppContext,
  viewer: Pick<SessionUser, 'id' | 'role'>,
  q: ProgrammeQuery,
): Promise<ProgrammeReport> {
  const min = ctx.config.reportMinPeople;
  const courses = await coursesFor(ctx, viewer);
  const course = q.course ? courses.find((c) => c.slug === q.course) : courses[0];
  if (q.course && !course) throw new NotFound();
  const zone = course ? await courseTimeZone(ctx, course._id) : ctx.config.defaultTimeZone;
  const period = resolvePeriod(q, zone, ctx.clock.now());
  const report: ProgrammeReport = {
    period,
    min,
    courses: courses.map((c) => ({ slug: c.slug, title: c.title })),
    people: [],
    ...(course ? { course: { slug: course.slug, title: course.title } } : {}),
  };
  if (course) {
    const cohortIds = viewer.role === 'admin' ? undefined : await trainerCohortIds(ctx, viewer.id);
    const people = await enrolmentsInPeriod(ctx, {
      courseId: course._id,
      from: period.from,
      to: period.to,
      cohortIds,
    });
    report.people = people;
    [report.training, report.attendance, report.knowledge] = await Promise.all([
      trainingFigures(ctx, people, min),
      attendanceFigures(ctx, course._id, period, people, min),
      knowledgeFigures(ctx, course._id, people, min),
    ]);
  }
  if (seesGrants(viewer.role)) {
    const [grants, summary, pieceRows] = await Promise.all([
      grantFigures(ctx, period, min),
      impactSummary(ctx, period.from, period.to),
      piecesInPeriod(ctx, period.from, period.to),
    ]);
    report.grants = grants;
    report.impact = { ...summary, pieceRows };
  }
  return report;
}
