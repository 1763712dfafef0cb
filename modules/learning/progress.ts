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

/** Why a pre- or post-test cannot be started now (an i18n key under learning.gate). */
export type GateReason = 'preTestTaken' | 'preTestClosed' | 'lessonsFirst';
export type Gate = { open: true } | { open: false; reason: GateReason; missing?: number };

/** The lesson steps the post-test waits for: each lesson read, and its quiz passed if those count. */
function lessonStepsMissing(course: CourseOutline, enrolment: Progressish | null | undefined): number {
  const viewed = viewedLessonIds(enrolment);
  const passed = new Set(enrolment?.quizzesPassed ?? []);
  let missing = 0;
  for (const lesson of course.lessons) {
    if (!viewed.has(lesson.id)) missing++;
    if (course.completionRules.lessonQuizzes && lesson.hasQuiz && !passed.has(lessonQuizKey(lesson.slug)))
      missing++;
  }
  return missing;
}

/**
 * Whether the trainee may start a new attempt at the course's pre- or post-test (lesson quizzes are
 * always open). The course's `sequence` says when each opens and closes; see CourseSequence.
 */
export function quizGate(
  course: CourseOutline,
  enrolment: Progressish | null | undefined,
  kind: 'pre' | 'post' | 'lesson',
): Gate {
  const taken = new Set(enrolment?.quizzesTaken ?? []);
  const passed = new Set(enrolment?.quizzesPassed ?? []);
  if (kind === 'pre') {
    if (taken.has('pre') || passed.has('pre')) return { open: false, reason: 'preTestTaken' };
    if (taken.has('post') || passed.has('post')) return { open: false, reason: 'preTestClosed' };
    if (course.sequence.preTest === 'before-lessons' && (enrolment?.lessonsViewed?.length ?? 0) > 0)
      return { open: false, reason: 'preTestClosed' };
    return { open: true };
  }
  if (kind === 'post' && course.sequence.postTest === 'after-lessons') {
    const missing = lessonStepsMissing(course, enrolment);
    if (missing > 0) return { open: false, reason: 'lessonsFirst', missing };
  }
  return { open: true };
}

export interface Step {
  kind: 'pre' | 'lesson' | 'quiz' | 'post';
  title: Bilingual;
  /** App path (without the mount prefix), when there is somewhere to go. */
  href?: string;
  done: boolean;
  score?: number;
  /** A pre-test that closed without being taken: not a step left to do. */
  closed?: boolean;
  /** A post-test that opens later (the lessons come first). */
  locked?: boolean;
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
  if (course.hasPreTest) {
    const pre = quizStep('pre', 'pre', course.title);
    const gate = quizGate(course, enrolment, 'pre');
    if (!pre.done && !gate.open) pre.closed = true;
    steps.push(pre);
  }
  for (const lesson of course.lessons) {
    steps.push({
      kind: 'lesson',
      title: lesson.title,
      href: `/learn/${course.slug}/${lesson.slug}`,
      done: viewed.has(lesson.id),
    });
    if (lesson.hasQuiz) steps.push(quizStep('quiz', lessonQuizKey(lesson.slug), lesson.title));
  }
  if (course.hasPostTest) {
    const post = quizStep('post', 'post', course.title);
    if (!post.done && !quizGate(course, enrolment, 'post').open) post.locked = true;
    steps.push(post);
  }
  return steps;
}

/** Steps done of those still counting (a pre-test that closed untaken no longer does); the next one. */
export function progressOf(steps: Step[]) {
  const counting = steps.filter((s) => !s.closed);
  const done = counting.filter((s) => s.done).length;
  const total = counting.length;
  return {
    done,
    total,
    percent: total ? Math.round((done / total) * 100) : 0,
    next: counting.find((s) => !s.done),
  };
}
