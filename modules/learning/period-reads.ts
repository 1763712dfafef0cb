import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { trusted } from '../../server/db/ids';
import { cohortModel, enrolmentModel, type Enrolment } from './model';

/** One enrolment as a programme report counts it: who, which cohort, when enrolled and completed. */
export interface PeriodEnrolment {
  userId: Types.ObjectId;
  cohortId?: Types.ObjectId;
  cohortName?: string;
  status: Enrolment['status'];
  enrolledAt: Date;
  completedAt?: Date;
}

/**
 * Enrolments in a course that began in [from, to) (enrolledAt, or the record's creation for older
 * enrolments without one), optionally only in the given cohorts (a trainer's scope). A trainee counts
 * as completed in the period when they completed before `to`.
 */
export async function enrolmentsInPeriod(
  ctx: AppContext,
  q: { courseId: Types.ObjectId; from: Date; to: Date; cohortIds?: Types.ObjectId[] },
): Promise<PeriodEnrolment[]> {
  const range = trusted({ $gte: q.from, $lt: q.to });
  const rows = await enrolmentModel(ctx.db)
    .find(
      {
        courseId: q.courseId,
        ...(q.cohortIds ? { cohortId: trusted({ $in: q.cohortIds }) } : {}),
        $or: [{ enrolledAt: range }, { enrolledAt: trusted({ $exists: false }), createdAt: range }],
      },
      { userId: 1, cohortId: 1, status: 1, enrolledAt: 1, createdAt: 1, completedAt: 1 },
    )
    .limit(100_000)
    .lean<Array<Enrolment & { createdAt: Date }>>();
  const cohortIds = [...new Set(rows.flatMap((r) => (r.cohortId ? [String(r.cohortId)] : [])))];
  const cohorts = cohortIds.length
    ? await cohortModel(ctx.db)
        .find({ _id: trusted({ $in: cohortIds }) }, { name: 1 })
        .lean()
    : [];
  const names = new Map(cohorts.map((c) => [String(c._id), c.name]));
  return rows.map((r) => ({
    userId: r.userId,
    ...(r.cohortId ? { cohortId: r.cohortId, cohortName: names.get(String(r.cohortId)) } : {}),
    status: r.status,
    enrolledAt: r.enrolledAt ?? r.createdAt,
    ...(r.completedAt && r.completedAt < q.to ? { completedAt: r.completedAt } : {}),
  }));
}
