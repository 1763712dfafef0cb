import type { Bilingual, Enrolment } from './model';
import type { CourseOutline } from './outline';

/** What the quizzes module tells us about a course's quizzes (see quizSummariesForCourse). */
export interface QuizSummary {
  quizId: string;
  key: string;
  kind: 'pre' | 'post' | 'lesson';
  lessonId?: string;
  title: Bilingual;
  passingScore: number;
  best?: { score: number; passed: boolean };
}

export type Progressish = Pick<Enrolment, 'lessonsViewed' | 'quizzesPassed' | 'quizzesTaken'> & {
  completedAt?: Date;
};

export const lessonQuizKey = (slug: string) => `lesson:${slug}`;

function viewedLessonIds(enrolment: Progressish | null | undefined): Set<string> {
  return new Set((enrolment?.lessonsViewed ?? []).map((v) => String(v.lessonId)));
}

/** Whether the rules of the course are met (any version of a lesson counts as read). */
export function completionState(course: CourseOutline, enrolment: Progressish) {
  const viewed = viewedLessonIds(enrolment);
  const passed = new Set(enrolment.quizzesPassed ?? []);
  const rules = course.completionRules;
  const missing: string[] = [];
  for (const lesson of course.lessons) {
    if (rules.lessons && !viewed.has(lesson.id)) missing.push(`lesson:${lesson.slug}:read`);
    if (rules.lessonQuizzes && lesson.hasQuiz && !passed.has(lessonQuizKey(lesson.slug)))
      missing.push(lessonQuizKey(lesson.slug));
  }
  if (rules.postTest && course.hasPostTest && !passed.has('post')) missing.push('post');
  return { complete: missing.length === 0 && course.lessons.length > 0, missing };
}

export interface Step {
  kind: 'pre' | 'lesson' | 'quiz' | 'post';
  title: Bilingual;
  /** App path (without the mount prefix), when there is somewhere to go. */
  href?: string;
  done: boolean;
  score?: number;
}

/**
 * The trainee's path: pre-test, each lesson followed by its quiz, post-test. Scores come from the
 * quizzes' summaries when given with a user's best results; progress needs only the enrolment.
 */
export function stepsFor(
  course: CourseOutline,
  enrolment: Progressish | null | undefined,
  quizzes: QuizSummary[],
): Step[] {
  const viewed = viewedLessonIds(enrolment);
  const passed = new Set(enrolment?.quizzesPassed ?? []);
  const taken = new Set(enrolment?.quizzesTaken ?? []);
  const quiz = (key: string) => quizzes.find((q) => q.key === key);
  const quizStep = (kind: Step['kind'], key: string, fallback: Bilingual): Step => {
    const q = quiz(key);
    return {
      kind,
      title: q?.title ?? fallback,
      href: q ? `/quizzes/${q.quizId}` : undefined,
      // The pre-test counts once taken, whatever the score.
      done: passed.has(key) || (kind === 'pre' && (taken.has(key) || !!q?.best)),
      score: q?.best?.score,
    };
  };
  const steps: Step[] = [];
  if (course.hasPreTest) steps.push(quizStep('pre', 'pre', course.title));
  for (const lesson of course.lessons) {
    steps.push({
      kind: 'lesson',
      title: lesson.title,
      href: `/learn/${course.slug}/${lesson.slug}`,
      done: viewed.has(lesson.id),
    });
    if (lesson.hasQuiz) steps.push(quizStep('quiz', lessonQuizKey(lesson.slug), lesson.title));
  }
  if (course.hasPostTest) steps.push(quizStep('post', 'post', course.title));
  return steps;
}

export function progressOf(steps: Step[]) {
  const done = steps.filter((s) => s.done).length;
  const total = steps.length;
  return {
    done,
    total,
    percent: total ? Math.round((done / total) * 100) : 0,
    next: steps.find((s) => !s.done),
  };
}
