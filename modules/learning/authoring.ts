import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import type { SessionUser } from '../../server/types';
import { courseModel, lessonModel, lessonVersionModel, type Block, type LessonContent } from './model';
import { invalidateCourse } from './outline';
import { mediaProblems } from './media';

/** Trainer authoring: drafts with optimistic concurrency, publishing as immutable versions. */

export async function listCourses(ctx: AppContext) {
  return courseModel(ctx.db).find({}, { slug: 1, title: 1, status: 1, mnDraft: 1, lessonIds: 1 }).lean();
}

export async function courseWithLessons(ctx: AppContext, slug: string) {
  const course = await courseModel(ctx.db).findOne({ slug }).lean();
  if (!course) throw new NotFound();
  const lessons = await lessonModel(ctx.db)
    .find({ courseId: course._id }, { slug: 1, title: 1, status: 1, version: 1, draftRev: 1, draft: 1 })
    .lean();
  const byId = new Map(lessons.map((l) => [String(l._id), l]));
  const ordered = course.lessonIds.map((id) => byId.get(String(id))).filter((l) => !!l);
  return { course, lessons: ordered.map((l) => ({ ...l, hasDraft: !!l.draft, draft: undefined })) };
}

export async function lessonForEditing(ctx: AppContext, courseSlug: string, lessonSlug: string) {
  const course = await courseModel(ctx.db).findOne({ slug: courseSlug }).lean();
  if (!course) throw new NotFound();
  const lesson = await lessonModel(ctx.db).findOne({ courseId: course._id, slug: lessonSlug }).lean();
  if (!lesson) throw new NotFound();
  const working: LessonContent = lesson.draft ?? {
    title: lesson.title,
    objectives: lesson.objectives,
    minutes: lesson.minutes,
    blocks: lesson.blocks,
  };
  return { course, lesson, working };
}

export async function createLesson(
  ctx: AppContext,
  actor: SessionUser,
  courseSlug: string,
  input: { slug: string; titleEn: string; titleMn: string },
) {
  const course = await courseModel(ctx.db).findOne({ slug: courseSlug }, { _id: 1 }).lean();
  if (!course) throw new NotFound();
  const content: LessonContent = {
    title: { en: input.titleEn, mn: input.titleMn },
    objectives: [],
    minutes: 10,
    blocks: [{ id: newBlockId(), type: 'markdown', en: '', mn: '' }],
  };
  const lesson = await lessonModel(ctx.db)
    .create({
      courseId: course._id,
      slug: input.slug,
      ...content,
      status: 'draft',
      version: 0,
      draft: { ...content, updatedAt: ctx.clock.now(), updatedBy: new Types.ObjectId(actor.id) },
    })
    .catch((err: { code?: number }) => {
      throw err.code === 11000 ? new Invalid('errors.invalid', { slug: 'learning.errors.slugTaken' }) : err;
    });
  await courseModel(ctx.db).updateOne({ _id: course._id }, { $push: { lessonIds: lesson._id } });
  await recordAudit(ctx, actor, 'lesson.created', { type: 'lesson', id: String(lesson._id) });
  return lesson;
}

export const newBlockId = () => `n${randomUUID().replace(/-/g, '').slice(0, 10)}`;

/** Moves a lesson one place; the update only applies to the order it was computed from. */
export async function moveLesson(ctx: AppContext, courseSlug: string, lessonId: string, dir: 'up' | 'down') {
  const course = await courseModel(ctx.db).findOne({ slug: courseSlug }, { lessonIds: 1 }).lean();
  if (!course) throw new NotFound();
  const ids = course.lessonIds.map(String);
  const from = ids.indexOf(lessonId);
  if (from < 0) throw new NotFound();
  const to = dir === 'up' ? from - 1 : from + 1;
  if (to < 0 || to >= ids.length) return;
  [ids[from], ids[to]] = [ids[to]!, ids[from]!];
  const res = await courseModel(ctx.db).updateOne(
    { _id: course._id, lessonIds: course.lessonIds },
    { $set: { lessonIds: ids.map((id) => new Types.ObjectId(id)) } },
  );
  if (res.modifiedCount === 0) throw new Conflict('errors.staleEdit');
  await invalidateCourse(ctx, course._id);
}

export async function clearMnDraft(ctx: AppContext, actor: SessionUser, courseSlug: string) {
  const course = await courseModel(ctx.db)
    .findOneAndUpdate({ slug: courseSlug }, { $set: { mnDraft: false } }, { new: true })
    .lean();
  if (!course) throw new NotFound();
  await invalidateCourse(ctx, course._id);
  await recordAudit(ctx, actor, 'course.mnReviewed', { type: 'course', id: String(course._id) });
}

/** Saves the working copy only if nobody saved since `rev` was read; otherwise 409. */
export async function saveDraft(
  ctx: AppContext,
  actor: SessionUser,
  lessonId: Types.ObjectId,
  rev: number,
  content: LessonContent,
) {
  const saved = await lessonModel(ctx.db)
    .findOneAndUpdate(
      { _id: lessonId, draftRev: rev },
      {
        $set: { draft: { ...content, updatedAt: ctx.clock.now(), updatedBy: new Types.ObjectId(actor.id) } },
        $inc: { draftRev: 1 },
      },
      { new: true },
    )
    .lean();
  if (!saved) throw new Conflict('errors.staleEdit');
  return saved;
}

/** Every text a trainee could see must exist in both languages. */
export function publishProblems(content: LessonContent): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!content.title.en.trim()) problems.titleEn = 'learning.errors.required';
  if (!content.title.mn.trim()) problems.titleMn = 'learning.errors.required';
  if (content.blocks.length === 0) problems._form = 'learning.errors.noBlocks';
  content.blocks.forEach((b: Block, i) => {
    if (!b.en.trim()) problems[`b${i}_en`] = 'learning.errors.bothLanguages';
    if (!b.mn.trim()) problems[`b${i}_mn`] = 'learning.errors.bothLanguages';
  });
  return problems;
}

/** The message above the form: the language one when texts are missing, else "fix what is marked". */
const publishErrorKey = (problems: Record<string, string>) =>
  Object.values(problems).includes('learning.errors.bothLanguages')
    ? 'learning.errors.bothLanguages'
    : 'learning.errors.fixMarked';

export async function publishLesson(
  ctx: AppContext,
  actor: SessionUser,
  lessonId: Types.ObjectId,
  rev: number,
) {
  const Lessons = lessonModel(ctx.db);
  const lesson = await Lessons.findById(lessonId).lean();
  if (!lesson) throw new NotFound();
  if (lesson.draftRev !== rev) throw new Conflict('errors.staleEdit');
  if (!lesson.draft) throw new Invalid('learning.errors.nothingToPublish');
  const problems = {
    ...(await mediaProblems(ctx, lesson.courseId, lesson.draft.blocks)),
    ...publishProblems(lesson.draft),
  };
  if (Object.keys(problems).length) throw new Invalid(publishErrorKey(problems), problems);
  const { title, objectives, minutes, blocks } = lesson.draft;
  const content = { title, objectives, minutes, blocks };
  const now = ctx.clock.now();
  const published = await Lessons.findOneAndUpdate(
    { _id: lessonId, draftRev: rev, version: lesson.version },
    {
      $set: { ...content, status: 'published', publishedAt: now },
      $unset: { draft: 1 },
      $inc: { version: 1, draftRev: 1 },
    },
    { new: true },
  ).lean();
  if (!published) throw new Conflict('errors.staleEdit');
  await lessonVersionModel(ctx.db).create({
    lessonId,
    courseId: lesson.courseId,
    version: published.version,
    ...content,
    publishedAt: now,
    publishedBy: new Types.ObjectId(actor.id),
  });
  await invalidateCourse(ctx, lesson.courseId);
  await recordAudit(ctx, actor, 'lesson.published', { type: 'lesson', id: String(lessonId) });
  return published;
}

export async function lessonHistory(ctx: AppContext, lessonId: Types.ObjectId) {
  return lessonVersionModel(ctx.db)
    .find({ lessonId }, { version: 1, publishedAt: 1, publishedBy: 1, title: 1 })
    .sort({ version: -1 })
    .lean();
}
