import type { AppContext } from '../../../server/context';
import type { Bilingual } from '../../learning';
import { getCourseOutline, publishedCourses, publishedOutlineBySlug } from '../../learning';
import { quizSummariesForCourse } from '../../quizzes';
import type { LtiTarget } from './model';

const SLUG = '[a-z0-9][a-z0-9-]{0,79}';
const TARGET = new RegExp(
  `^(?:course:(${SLUG})|lesson:(${SLUG})/(${SLUG})|quiz:(${SLUG})/(pre|post|lesson:${SLUG}))$`,
);

/** `course:<c>`, `lesson:<c>/<l>` or `quiz:<c>/<key>` — the custom parameter a deep link carries. */
export function parseTarget(value: unknown): LtiTarget | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  const m = TARGET.exec(value);
  if (!m) return undefined;
  if (m[1]) return { kind: 'course', courseSlug: m[1] };
  if (m[2]) return { kind: 'lesson', courseSlug: m[2], lessonSlug: m[3] };
  return { kind: 'quiz', courseSlug: m[4]!, quizKey: m[5] };
}

export function formatTarget(t: LtiTarget): string {
  if (t.kind === 'course') return `course:${t.courseSlug}`;
  if (t.kind === 'lesson') return `lesson:${t.courseSlug}/${t.lessonSlug}`;
  return `quiz:${t.courseSlug}/${t.quizKey}`;
}

export interface ResolvedTarget {
  target: LtiTarget;
  courseId: string;
  path: string;
  title: Bilingual;
}

/** Checks the target against published content and gives the path the learner opens. */
export async function resolveTarget(ctx: AppContext, t: LtiTarget): Promise<ResolvedTarget | undefined> {
  const course = await publishedOutlineBySlug(ctx, t.courseSlug);
  if (!course) return undefined;
  const base = `/learn/${course.slug}`;
  if (t.kind === 'course') return { target: t, courseId: course.id, path: base, title: course.title };
  if (t.kind === 'lesson') {
    const lesson = course.lessons.find((l) => l.slug === t.lessonSlug);
    return lesson && { target: t, courseId: course.id, path: `${base}/${lesson.slug}`, title: lesson.title };
  }
  const quiz = (await quizSummariesForCourse(ctx, course.id)).find((q) => q.key === t.quizKey);
  if (!quiz) return undefined;
  const lessonSlug = quiz.kind === 'lesson' ? quiz.key.slice('lesson:'.length) : undefined;
  const lessonOk = lessonSlug ? course.lessons.some((l) => l.slug === lessonSlug) : true;
  if (!lessonOk) return undefined;
  const path = lessonSlug ? `${base}/${lessonSlug}/quiz` : `/quizzes/${quiz.quizId}`;
  return { target: t, courseId: course.id, path, title: quiz.title };
}

export interface Choice {
  target: string;
  kind: LtiTarget['kind'];
  title: Bilingual;
  courseTitle: Bilingual;
}

/** What an instructor may link to: each published course, its lessons and its quizzes. */
export async function linkableContent(ctx: AppContext): Promise<Choice[]> {
  const out: Choice[] = [];
  for (const c of await publishedCourses(ctx)) {
    const course = await getCourseOutline(ctx, c._id);
    if (!course) continue;
    const courseTitle = course.title;
    out.push({ target: `course:${course.slug}`, kind: 'course', title: courseTitle, courseTitle });
    for (const l of course.lessons)
      out.push({ target: `lesson:${course.slug}/${l.slug}`, kind: 'lesson', title: l.title, courseTitle });
    for (const q of await quizSummariesForCourse(ctx, course.id))
      out.push({ target: `quiz:${course.slug}/${q.key}`, kind: 'quiz', title: q.title, courseTitle });
  }
  return out;
}
