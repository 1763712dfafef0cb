import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { projectRoot } from '../../server/paths';
import { courseFile, describeIssues, lessonFile, type CourseFile, type LessonFile } from './content';
import { courseModel, DEFAULT_SEQUENCE, lessonModel, lessonVersionModel, type Block } from './model';
import { invalidateCourse } from './outline';
import { importCourseQuizzes } from './extensions';

export class ContentError extends Error {}

interface ParsedCourse {
  dir: string;
  raw: Record<string, unknown>;
  course: CourseFile;
  lessons: LessonFile[];
}

function readYaml(file: string, root: string): unknown {
  const rel = path.relative(root, file) || file;
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ContentError(`${rel}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Reads and validates one course folder completely before anything is written. */
export function readCourseDir(dir: string): ParsedCourse {
  const root = path.dirname(path.dirname(dir));
  const rel = (f: string) => path.relative(root, f);
  const courseYaml = path.join(dir, 'course.yaml');
  if (!existsSync(courseYaml)) throw new ContentError(`${rel(courseYaml)}: file not found`);
  const raw = readYaml(courseYaml, root);
  const course = courseFile.safeParse(raw);
  if (!course.success) throw new ContentError(describeIssues(rel(courseYaml), course.error));
  const lessons = course.data.lessons.map((slug) => {
    const file = path.join(dir, 'lessons', `${slug}.yaml`);
    if (!existsSync(file))
      throw new ContentError(`${rel(courseYaml)}: lessons: no file lessons/${slug}.yaml for "${slug}"`);
    const parsed = lessonFile.safeParse(readYaml(file, root));
    if (!parsed.success) throw new ContentError(describeIssues(rel(file), parsed.error));
    if (parsed.data.slug !== slug)
      throw new ContentError(`${rel(file)}: slug: "${parsed.data.slug}" does not match the file name`);
    return parsed.data;
  });
  return { dir, raw: raw as Record<string, unknown>, course: course.data, lessons };
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function lessonContent(lesson: LessonFile) {
  const blocks: Block[] = lesson.blocks.map((b, i) => ({ id: `b${i + 1}`, ...b }));
  return { title: lesson.title, objectives: lesson.objectives, minutes: lesson.minutes, blocks };
}

async function upsertLesson(ctx: AppContext, courseId: Types.ObjectId, file: LessonFile) {
  const Lessons = lessonModel(ctx.db);
  const content = lessonContent(file);
  const contentHash = hash({ ...content, hasQuiz: !!file.quiz });
  const now = ctx.clock.now();
  const existing = await Lessons.findOne(
    { courseId, slug: file.slug },
    { contentHash: 1, version: 1 },
  ).lean();
  if (existing?.contentHash === contentHash) return existing._id;
  const fields = { ...content, hasQuiz: !!file.quiz, contentHash, status: 'published', publishedAt: now };
  const lesson = existing
    ? await Lessons.findOneAndUpdate(
        { _id: existing._id, version: existing.version },
        { $set: fields, $inc: { version: 1 } },
        { new: true },
      ).lean()
    : (await Lessons.create({ courseId, slug: file.slug, ...fields, version: 1 })).toObject();
  if (!lesson) return existing!._id; // another importer published this change first
  await lessonVersionModel(ctx.db)
    .create({ lessonId: lesson._id, courseId, version: lesson.version, ...content, publishedAt: now })
    .catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
    });
  return lesson._id;
}

/** Imports one parsed course: course and lessons by slug, a new version only where content changed. */
export async function importParsedCourse(ctx: AppContext, parsed: ParsedCourse) {
  const { course } = parsed;
  const Courses = courseModel(ctx.db);
  const fields = {
    title: course.title,
    summary: course.summary,
    objectives: course.objectives,
    mnDraft: course.mnDraft,
    hasPreTest: !!course.preTest,
    hasPostTest: !!course.postTest,
    completionRules: { lessons: true, lessonQuizzes: true, postTest: true, ...course.completionRules },
    sequence: { ...DEFAULT_SEQUENCE, ...course.sequence },
  };
  const contentHash = hash({ ...fields, lessons: course.lessons });
  const now = ctx.clock.now();
  const doc = await Courses.findOneAndUpdate(
    { slug: course.slug },
    // No timestamps here: finding the course must not count as changing it.
    { $setOnInsert: { slug: course.slug, status: 'published', ...fields, createdAt: now, updatedAt: now } },
    { upsert: true, new: true, timestamps: false },
  ).lean();
  const lessonIds: Types.ObjectId[] = [];
  for (const lesson of parsed.lessons) lessonIds.push(await upsertLesson(ctx, doc._id, lesson));
  if (doc.contentHash !== contentHash) {
    // Lessons added in the app (not in the files) keep their place at the end.
    const fromFiles = new Set(lessonIds.map(String));
    const extra = doc.lessonIds.filter((id) => !fromFiles.has(String(id)));
    await Courses.updateOne(
      { _id: doc._id },
      { $set: { ...fields, contentHash, lessonIds: [...lessonIds, ...extra] } },
    );
  }
  await invalidateCourse(ctx, doc._id);
  await importCourseQuizzes(ctx, {
    courseId: doc._id,
    courseDir: parsed.dir,
    course: parsed.raw,
    lessons: parsed.lessons.map((l, i) => ({
      lessonId: lessonIds[i]!,
      slug: l.slug,
      title: l.title,
      quiz: l.quiz,
    })),
  });
  return { courseId: doc._id, slug: course.slug, lessons: lessonIds.length };
}

export const defaultContentDir = () => path.join(projectRoot, 'content', 'courses');

/** `dir` is either one course folder (with course.yaml) or a folder of course folders. */
export async function importCourses(ctx: AppContext, dir = defaultContentDir()) {
  const dirs = existsSync(path.join(dir, 'course.yaml'))
    ? [dir]
    : readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'course.yaml')))
        .map((e) => path.join(dir, e.name));
  // Validate every course before writing any, so a bad file leaves the database untouched.
  const parsed = dirs.map(readCourseDir);
  const results = [];
  for (const p of parsed) results.push(await importParsedCourse(ctx, p));
  return results;
}
