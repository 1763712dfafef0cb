import type { PersonalDataHook } from '../../server/context';
import { oid } from '../../server/db/ids';
import { enrolmentModel } from './model';

/**
 * A trainee's enrolments and what they read, for their data export. Erasure keeps them: the record
 * now belongs to an anonymised account and only counts in cohort figures.
 */
export const learningPersonalData: PersonalDataHook = {
  key: 'learning',
  async export(ctx, userId) {
    const rows = await enrolmentModel(ctx.db)
      .find({ userId: oid(userId) })
      .lean();
    return rows.map((e) => ({
      courseId: String(e.courseId),
      status: e.status,
      enrolledAt: e.enrolledAt,
      startedAt: e.startedAt ?? null,
      completedAt: e.completedAt ?? null,
      lastActivityAt: e.lastActivityAt ?? null,
      lessonsRead: e.lessonsViewed.map((v) => ({
        lessonId: String(v.lessonId),
        version: v.version,
        at: v.at,
      })),
      quizzesPassed: e.quizzesPassed,
    }));
  },
};
