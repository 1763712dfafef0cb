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
import { checkUpload, UploadRefused } from '../../server/storage/checked-upload';
import { blockMediaProblem, MEDIA_NAME, MEDIA_TYPES } from './media-files';
import { storeMedia } from './media';

export class ContentError extends Error {}

interface ParsedCourse {
  dir: string;
  raw: Record<string, unknown>;
  course: CourseFile;
  lessons: LessonFile[];
  /** Files of `media/` (the course's media library), by name. */
  media: string[];
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
  const media = mediaFilesOf(dir, rel);
  lessons.forEach((lesson) =>
    checkMediaBlocks(lesson, media, rel(path.join(dir, 'lessons', `${lesson.slug}.yaml`))),
  );
  return { dir, raw: raw as Record<string, unknown>, course: course.data, lessons, media };
}

/** The names in `media/`: each must be a library name (lower-case, dashes, a lesson file type). */
function mediaFilesOf(dir: string, rel: (f: string) => string): string[] {
  const mediaDir = path.join(dir, 'media');
  if (!existsSync(mediaDir)) return [];
  return readdirSync(mediaDir, { withFileTypes: true }).map((entry) => {
    if (!entry.isFile() || !MEDIA_NAME.test(entry.name))
      throw new ContentError(
        `${rel(path.join(mediaDir, entry.name))}: not a media file name (lower-case letters, digits and dashes, then .jpg, .png, .webp, .mp3, .m4a, .mp4, .webm or .pdf)`,
      );
    return entry.name;
  });
}

/** Every media block shows a file of `media/` of its kind, as publishing in the app demands. */
function checkMediaBlocks(lesson: LessonFile, media: string[], file: string): void {
  const names = new Set(media);
  lesson.blocks.forEach((block, i) => {
    const problem = blockMediaProblem(block, (name) => names.has(name));
    if (problem)
      throw new ContentError(
        `${file}: blocks.${i}.src: "${block.src ?? ''}": ${MEDIA_PROBLEMS[problem] ?? problem}`,
      );
  });
}

/** The publish check's reasons, in the words of a file's author. */
const MEDIA_PROBLEMS: Record<string, string> = {
  'learning.media.errors.missingSrc': 'media blocks need src',
  'learning.media.errors.notInLibrary':
    "must be media/<file> (images, audio and video come from the course folder's media/)",
  'learning.media.errors.unknown': 'no such file in media/',
  'learning.media.errors.kind.image': 'an image block needs a .jpg, .png or .webp file',
  'learning.media.errors.kind.audio': 'an audio block needs an .mp3 or .m4a file',
  'learning.media.errors.kind.video': 'a video block needs an .mp4 or .webm file',
};

/**
 * Checks every media file's bytes (type sniffed, pictures decoded) before anything is written, so a
 * broken file leaves the database as it was.
 */
async function checkMediaBytes(parsed: ParsedCourse): Promise<void> {
  for (const name of parsed.media) {
    try {
      await checkUpload(
        { buffer: readFileSync(path.join(parsed.dir, 'media', name)), originalname: name },
        MEDIA_TYPES,
      );
    } catch (err) {
      if (!(err instanceof UploadRefused)) throw err;
      throw new ContentError(`${parsed.course.slug}/media/${name}: ${MEDIA_REFUSALS[err.problem]}`);
    }
  }
}

const MEDIA_REFUSALS: Record<UploadRefused['problem'], string> = {
  type: 'not a file type lessons can show',
  mismatch: 'the contents are not what the extension says',
  image: 'the picture cannot be read',
};

/** The course folder's media into the course's library: new and changed files stored, unchanged skipped. */
async function importMedia(ctx: AppContext, courseId: Types.ObjectId, parsed: ParsedCourse): Promise<void> {
  for (const name of parsed.media)
    await storeMedia(
      ctx,
      courseId,
      { buffer: readFileSync(path.join(parsed.dir, 'media', name)), originalname: name },
      name,
    );
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
  await importMedia(ctx, doc._id, parsed);
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
  for (const p of parsed) await checkMediaBytes(p);
  const results = [];
  for (const p of parsed) results.push(await importParsedCourse(ctx, p));
  return results;
}
