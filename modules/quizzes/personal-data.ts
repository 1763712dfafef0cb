import type { PersonalDataHook } from '../../server/context';
import { oid } from '../../server/db/ids';
import { attemptModel } from './model';

/**
 * A trainee's quiz attempts for their data export: what they answered, their score, and their
 * attitude and practice answers (personal opinions: they belong to the person, not only to reports).
 * Erasure keeps the attempts of the anonymised account for the cohort's measurement.
 */
export const quizzesPersonalData: PersonalDataHook = {
  key: 'quizAttempts',
  async export(ctx, userId) {
    const rows = await attemptModel(ctx.db)
      .find({ userId: oid(userId) })
      .sort({ startedAt: 1 })
      .lean();
    return rows.map((a) => ({
      quiz: a.quizKey,
      attemptNo: a.attemptNo,
      status: a.status,
      startedAt: a.startedAt,
      submittedAt: a.submittedAt ?? null,
      score: a.score ?? null,
      passed: a.passed ?? null,
      answers: a.answers,
      surveyAnswers: a.survey ?? {},
    }));
  },
};
