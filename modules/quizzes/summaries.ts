import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { oid } from '../../server/db/ids';
import { attemptModel, type Attempt, type Quiz } from './model';
import { quizzesOfCourse } from './definitions';

export interface QuizSummary {
  quizId: string;
  key: string;
  kind: Quiz['kind'];
  lessonId?: string;
  title: Quiz['title'];
  passingScore: number;
  attemptsUsed: number;
  maxAttempts: number;
  best?: { score: number; passed: boolean };
}

/** Each quiz of a course with, for a user, attempts used and the best submitted score. */
export async function quizSummariesForCourse(
  ctx: AppContext,
  courseId: string | Types.ObjectId,
  userId?: string | Types.ObjectId,
): Promise<QuizSummary[]> {
  const course = oid(courseId);
  const quizzes = await quizzesOfCourse(ctx, course);
  const attempts = userId
    ? await attemptModel(ctx.db)
        .find({ courseId: course, userId: oid(userId) }, { quizId: 1, status: 1, score: 1, passed: 1 })
        .lean<Attempt[]>()
    : [];
  const order = (q: Quiz) => (q.kind === 'pre' ? 0 : q.kind === 'lesson' ? 1 : 2);
  return [...quizzes]
    .sort((a, b) => order(a) - order(b) || a.key.localeCompare(b.key))
    .map((quiz) => {
      const mine = attempts.filter((a) => String(a.quizId) === String(quiz._id));
      const graded = mine.filter((a) => a.status === 'submitted' && typeof a.score === 'number');
      const top = graded.sort((a, b) => (b.score ?? 0) - (a.score ?? 0))[0];
      return {
        quizId: String(quiz._id),
        key: quiz.key,
        kind: quiz.kind,
        lessonId: quiz.lessonId ? String(quiz.lessonId) : undefined,
        title: quiz.title,
        passingScore: quiz.passingScore,
        attemptsUsed: mine.length,
        maxAttempts: quiz.maxAttempts,
        best: top ? { score: top.score ?? 0, passed: !!top.passed } : undefined,
      };
    });
}
