import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Bilingual } from './model';
import type { QuizSummary } from './progress';

/**
 * Where other modules plug into learning without learning importing them: quizzes tell the course
 * pages about a course's quizzes and import them with a course; certificates act on completion.
 * They register in their own index.ts (the composition root loads every module before serving).
 */
export interface LessonQuizImport {
  lessonId: Types.ObjectId | string;
  slug: string;
  title?: Bilingual;
  quiz?: { questions: string[]; draw: number; passingScore: number };
}

export interface CourseQuizImport {
  courseId: Types.ObjectId | string;
  courseDir: string;
  /** The parsed course.yaml; the quizzes module checks its own parts (objectives, preTest, postTest). */
  course: object;
  lessons: LessonQuizImport[];
}

export interface LearningExtension {
  quizSummaries?(
    ctx: AppContext,
    courseId: string | Types.ObjectId,
    userId?: string | Types.ObjectId,
  ): Promise<QuizSummary[]>;
  importQuizzes?(ctx: AppContext, input: CourseQuizImport): Promise<void>;
  onCourseCompleted?(ctx: AppContext, userId: string, courseId: string): Promise<unknown>;
}

const extensions = new Set<LearningExtension>();

/** Registers once per extension object (re-registering the same object is a no-op). */
export function extendLearning(extension: LearningExtension): void {
  extensions.add(extension);
}

export async function quizSummaries(
  ctx: AppContext,
  courseId: string,
  userId?: string,
): Promise<QuizSummary[]> {
  const rows: QuizSummary[] = [];
  for (const e of extensions)
    if (e.quizSummaries) rows.push(...(await e.quizSummaries(ctx, courseId, userId)));
  return rows.map((q) => ({ ...q, quizId: String(q.quizId), lessonId: q.lessonId && String(q.lessonId) }));
}

export async function importCourseQuizzes(ctx: AppContext, input: CourseQuizImport): Promise<void> {
  for (const e of extensions) await e.importQuizzes?.(ctx, input);
}

export async function courseCompleted(ctx: AppContext, userId: string, courseId: string): Promise<void> {
  for (const e of extensions) await e.onCourseCompleted?.(ctx, userId, courseId);
}
