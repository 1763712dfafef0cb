import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context';
import { type Block } from '../../modules/learning';
import { courseModel, lessonModel, lessonVersionModel } from '../../modules/learning/model';

/** A published course with published lessons, written straight to the models (no content files). */
export async function buildCourse(
  ctx: AppContext,
  options: {
    lessons?: Array<{ slug?: string; blocks?: Array<Partial<Block>>; hasQuiz?: boolean }>;
    mnDraft?: boolean;
    hasPostTest?: boolean;
    completionRules?: { lessons: boolean; lessonQuizzes: boolean; postTest: boolean };
  } = {},
) {
  const slug = `course-${randomUUID().slice(0, 8)}`;
  const course = await courseModel(ctx.db).create({
    slug,
    title: { en: `Course ${slug}`, mn: `Сургалт ${slug}` },
    summary: { en: 'Summary', mn: 'Хураангуй' },
    objectives: [{ id: 'tip-definition', label: { en: 'Define', mn: 'Тодорхойлох' } }],
    mnDraft: options.mnDraft ?? true,
    status: 'published',
    hasPreTest: false,
    hasPostTest: options.hasPostTest ?? false,
    completionRules: options.completionRules ?? { lessons: true, lessonQuizzes: true, postTest: true },
  });
  const specs = options.lessons ?? [{}, {}];
  const lessons = [];
  for (const [i, spec] of specs.entries()) {
    const blocks = (spec.blocks ?? [{ en: `English text ${i + 1}`, mn: `Монгол бичвэр ${i + 1}` }]).map(
      (b, j) => ({ id: `b${j + 1}`, type: 'markdown' as const, en: '', mn: '', ...b }),
    );
    const content = {
      title: { en: `Lesson ${i + 1}`, mn: `Хичээл ${i + 1}` },
      objectives: ['tip-definition'],
      minutes: 5,
      blocks,
    };
    const lesson = await lessonModel(ctx.db).create({
      courseId: course._id,
      slug: spec.slug ?? `lesson-${i + 1}`,
      ...content,
      status: 'published',
      version: 1,
      publishedAt: new Date(),
      hasQuiz: spec.hasQuiz ?? false,
    });
    await lessonVersionModel(ctx.db).create({
      lessonId: lesson._id,
      courseId: course._id,
      version: 1,
      ...content,
      publishedAt: new Date(),
    });
    lessons.push(lesson.toObject());
  }
  await courseModel(ctx.db).updateOne(
    { _id: course._id },
    { $set: { lessonIds: lessons.map((l) => l._id) } },
  );
  return { course: { ...course.toObject(), lessonIds: lessons.map((l) => l._id) }, lessons };
}
