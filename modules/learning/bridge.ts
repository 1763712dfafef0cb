import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { QuizSummary } from './progress';

/**
 * The quizzes module, loaded on first use: it imports this module too (recordQuizOutcome), and it may
 * not be installed yet in a partial checkout — then courses simply show no quizzes.
 */
type Summaries = (
  ctx: AppContext,
  courseId: string | Types.ObjectId,
  userId?: string | Types.ObjectId,
) => Promise<QuizSummary[]>;

let loaded: Promise<Summaries | undefined> | undefined;

export async function quizSummaries(
  ctx: AppContext,
  courseId: string,
  userId?: string,
): Promise<QuizSummary[]> {
  loaded ??= import('../quizzes')
    .then((m) => (m as unknown as { quizSummariesForCourse?: Summaries }).quizSummariesForCourse)
    .catch((err: { code?: string }) => {
      if (err.code === 'ERR_MODULE_NOT_FOUND') return undefined;
      throw err;
    });
  const fn = await loaded;
  if (!fn) return [];
  const rows = await fn(ctx, courseId, userId);
  return rows.map((q) => ({ ...q, quizId: String(q.quizId), lessonId: q.lessonId && String(q.lessonId) }));
}
