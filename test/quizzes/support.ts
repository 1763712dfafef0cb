import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { parse as parseYaml } from 'yaml';
import type { AppContext } from '../../server/context';
import type { TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { courseModel } from '../../modules/learning/model';
import { importQuizzes } from '../../modules/quizzes';
import { attemptModel, questionModel, quizModel, type Quiz } from '../../modules/quizzes/model';

export const COURSE_DIR = path.resolve(import.meta.dirname, '../../content/courses/tip-reporting');

export interface CourseYaml {
  title: { en: string; mn: string };
  objectives: Array<{ id: string; label: { en: string; mn: string } }>;
  lessons: string[];
  preTest: { questions: string[]; passingScore: number; timeLimitMinutes?: number };
  postTest: { questions: string[]; passingScore: number; timeLimitMinutes?: number };
  parallelForms?: boolean;
}

export function readCourse(dir = COURSE_DIR): CourseYaml {
  return parseYaml(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as CourseYaml;
}

export function readLessons(dir = COURSE_DIR) {
  return readCourse(dir).lessons.map((slug) => {
    const lesson = parseYaml(readFileSync(path.join(dir, 'lessons', `${slug}.yaml`), 'utf8')) as {
      quiz?: { questions: string[]; draw: number; passingScore: number };
    };
    return { lessonId: new Types.ObjectId(), slug, quiz: lesson.quiz };
  });
}

/**
 * A course document plus the real question bank and quizzes imported for it. `timeLimitMinutes`
 * times the pre- and post-test (the shipped course sets no timer); `edit` changes the parsed
 * course.yaml before the import.
 */
export async function importRealCourse(
  ctx: AppContext,
  status: 'published' | 'draft' = 'published',
  options: { timeLimitMinutes?: number; edit?: (course: CourseYaml) => void } = {},
) {
  const course = readCourse();
  if (options.timeLimitMinutes) {
    course.preTest.timeLimitMinutes = options.timeLimitMinutes;
    course.postTest.timeLimitMinutes = options.timeLimitMinutes;
  }
  options.edit?.(course);
  const lessons = readLessons();
  const doc = await courseModel(ctx.db).create({
    slug: `tip-${randomUUID().slice(0, 8)}`,
    title: course.title,
    summary: course.title,
    objectives: course.objectives,
    lessonIds: lessons.map((l) => l.lessonId),
    status,
  });
  await importQuizzes(ctx, { courseId: doc._id, courseDir: COURSE_DIR, course, lessons });
  return { courseId: doc._id, lessons };
}

export async function quizByKey(ctx: AppContext, courseId: Types.ObjectId, key: string): Promise<Quiz> {
  const quiz = await quizModel(ctx.db).findOne({ courseId, key }).lean<Quiz>();
  if (!quiz) throw new Error(`no quiz ${key}`);
  return quiz;
}

export const models = (ctx: AppContext) => ({
  Questions: questionModel(ctx.db),
  Quizzes: quizModel(ctx.db),
  Attempts: attemptModel(ctx.db),
});

/** The answer form that gets every item of an attempt right (or wrong), built from the bank. */
export async function formFor(ctx: AppContext, attemptId: Types.ObjectId | string, mode: 'right' | 'wrong') {
  const attempt = await attemptModel(ctx.db).findById(attemptId).lean();
  if (!attempt) throw new Error('no attempt');
  const qs = await questionModel(ctx.db).find({ courseId: attempt.courseId }).lean();
  const byQid = new Map(qs.map((q) => [q.qid, q]));
  const form: Record<string, string | string[]> = {};
  for (const item of attempt.items) {
    const q = byQid.get(item.qid)!;
    const right = q.options.filter((o) => o.correct).map((o) => o.id);
    const wrong = q.options.filter((o) => !o.correct).map((o) => o.id);
    if (q.type === 'ordering') {
      const order = q.options.map((o) => o.id);
      if (mode === 'wrong') order.reverse();
      order.forEach((id, i) => (form[`o.${q.qid}.${id}`] = String(i + 1)));
    } else if (q.type === 'case') {
      const el = (q.elements ?? []).filter((o) => (mode === 'right' ? o.correct : !o.correct))[0]!;
      form[`c.${q.qid}`] = mode === 'right' ? right[0]! : wrong[0]!;
      form[`e.${q.qid}`] = el.id;
    } else {
      form[`q.${q.qid}`] = mode === 'right' ? right : [wrong[0]!];
    }
  }
  return form;
}

/** Form body with repeated keys for several values (what a browser sends for checkboxes). */
export function encode(form: Record<string, string | string[] | undefined>, csrf?: string): string {
  const body = new URLSearchParams();
  if (csrf) body.append('_csrf', csrf);
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  }
  return body.toString();
}

/** A new trainee, signed in: their session agent and a CSRF token for it. */
export async function signedInTrainee(t: Pick<TestApp, 'ctx' | 'app'>) {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  return { user, agent, csrf: await tokenFor(agent) };
}
export type TraineeAgent = Awaited<ReturnType<typeof signedInTrainee>>['agent'];
