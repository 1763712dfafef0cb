import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
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
  /**
   * What else the trainee must do before the course completes, beyond its lessons and quizzes (e.g.
   * attend live sessions): one entry per thing missing; none when the extension's rule is met.
   */
  completionBlockers?(ctx: AppContext, userId: string, courseId: string): Promise<string[]>;
  /** Sections of the extension's own on a course page: a view (path under views/) and its locals. */
  coursePanels?(
    ctx: AppContext,
    course: { id: string; slug: string },
    user: SessionUser,
    lang: Locale,
  ): Promise<CoursePanel[]>;
}

export interface CoursePanel {
  view: string;
  locals: Record<string, unknown>;
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

export async function completionBlockers(
  ctx: AppContext,
  userId: string,
  courseId: string,
): Promise<string[]> {
  const missing: string[] = [];
  for (const e of extensions)
    if (e.completionBlockers) missing.push(...(await e.completionBlockers(ctx, userId, courseId)));
  return missing;
}

export async function coursePanels(
  ctx: AppContext,
  course: { id: string; slug: string },
  user: SessionUser,
  lang: Locale,
): Promise<CoursePanel[]> {
  const panels: CoursePanel[] = [];
  for (const e of extensions)
    if (e.coursePanels) panels.push(...(await e.coursePanels(ctx, course, user, lang)));
  return panels;
}
