import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { AppError, Conflict, Invalid, NotFound } from '../../server/http/errors';
import { checkUploadOrRefuse, type UploadedFile } from '../../server/storage/checked-upload';
import type { ByteRange } from '../../server/storage/storage';
import { recordAudit } from '../audit';
import { courseModel, lessonModel, type Bilingual, type Block } from './model';
import { lessonMediaModel, type LessonMedia } from './media-model';
import {
  blockMediaProblem,
  MAX_LIBRARY_MB,
  MAX_MEDIA_PER_COURSE,
  MEDIA_NAME,
  MEDIA_PREFIX,
  MEDIA_TYPES,
  mediaName,
} from './media-files';
import { invalidateCourse } from './outline';

/** A course's media library: upload (or replace by name), list, remove, and serve to readers. */

type Actor = Pick<SessionUser, 'id' | 'role'>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function courseIdOf(ctx: AppContext, courseSlug: string): Promise<Types.ObjectId> {
  const course = await courseModel(ctx.db).findOne({ slug: courseSlug }, { _id: 1 }).lean();
  if (!course) throw new NotFound();
  return course._id;
}

export async function listMedia(ctx: AppContext, courseId: Types.ObjectId): Promise<LessonMedia[]> {
  return lessonMediaModel(ctx.db).find({ courseId }).sort({ name: 1 }).lean<LessonMedia[]>();
}

/**
 * Stores a file under `name` in the course's library. The same name again replaces the file (blocks
 * that show it show the new one; the old bytes are removed); the same bytes again change nothing.
 */
export async function storeMedia(
  ctx: AppContext,
  courseId: Types.ObjectId,
  file: UploadedFile,
  name?: string,
): Promise<{ media: LessonMedia; replaced: boolean; unchanged: boolean }> {
  const Media = lessonMediaModel(ctx.db);
  const declared = MEDIA_TYPES[path.extname(file.originalname).slice(1).toLowerCase()];
  if (!declared) throw new Invalid('learning.media.errors.type');
  const finalName = name ?? mediaName(file.originalname, declared.ext);
  if (!MEDIA_NAME.test(finalName)) throw new Invalid('learning.media.errors.name');
  const sourceSha256 = sha256(file.buffer);
  const existing = await Media.findOne({ courseId, name: finalName }).lean<LessonMedia>();
  // The same upload again, or a file exported from here coming back: nothing to check or store.
  if (existing?.sourceSha256 === sourceSha256 || existing?.sha256 === sourceSha256)
    return { media: existing, replaced: false, unchanged: true };
  const library = await Media.find({ courseId }, { size: 1 }).lean();
  if (!existing && library.length >= MAX_MEDIA_PER_COURSE)
    throw new Conflict('learning.media.errors.tooMany');
  const { bytes, mime, ext, originalName } = await checkUploadOrRefuse(
    file,
    MEDIA_TYPES,
    'learning.media.errors.',
  );
  const total = library.reduce((sum, m) => sum + m.size, 0) - (existing?.size ?? 0) + bytes.length;
  if (total > MAX_LIBRARY_MB * 1024 * 1024) throw new Conflict('learning.media.errors.libraryFull');

  const stored = await ctx.storage.put(bytes);
  const fields = {
    storageKey: stored.key,
    sha256: stored.sha256,
    size: stored.size,
    mime,
    ext,
    originalName,
    sourceSha256,
  };
  try {
    // Conditional on what was read: of two uploads racing for one name, one wins and the other is told.
    const saved = existing
      ? await Media.findOneAndUpdate(
          { _id: existing._id, storageKey: existing.storageKey },
          { $set: fields },
          { new: true },
        ).lean<LessonMedia>()
      : (await Media.create({ courseId, name: finalName, ...fields })).toObject<LessonMedia>();
    if (!saved) throw new Conflict('learning.media.errors.busy');
    if (existing) await ctx.storage.remove(existing.storageKey).catch(() => undefined);
    await invalidateCourse(ctx, courseId);
    return { media: saved, replaced: !!existing, unchanged: false };
  } catch (err) {
    await ctx.storage.remove(stored.key).catch(() => undefined);
    if ((err as { code?: number }).code === 11000) throw new Conflict('learning.media.errors.busy');
    throw err;
  }
}

/** A trainer's upload through the library page, audited. */
export async function uploadMedia(ctx: AppContext, actor: Actor, courseSlug: string, file: UploadedFile) {
  const courseId = await courseIdOf(ctx, courseSlug);
  const result = await storeMedia(ctx, courseId, file);
  if (!result.unchanged)
    await recordAudit(
      ctx,
      actor,
      result.replaced ? 'media.replaced' : 'media.uploaded',
      { type: 'course', id: String(courseId) },
      { name: result.media.name },
    );
  return result;
}

/** Lessons (published text or a draft) whose blocks show `media/<name>`. */
async function lessonsUsing(ctx: AppContext, courseId: Types.ObjectId, name: string) {
  const src = `${MEDIA_PREFIX}${name}`;
  return lessonModel(ctx.db)
    .find({ courseId, $or: [{ 'blocks.src': src }, { 'draft.blocks.src': src }] }, { slug: 1, title: 1 })
    .lean();
}

/** Removes a file no lesson shows (published or draft); one in use is refused with the lessons named. */
export async function removeMedia(ctx: AppContext, actor: Actor, courseSlug: string, name: string) {
  const courseId = await courseIdOf(ctx, courseSlug);
  const media = await lessonMediaModel(ctx.db).findOne({ courseId, name }).lean();
  if (!media) throw new NotFound();
  const using = await lessonsUsing(ctx, courseId, name);
  if (using.length) throw new InUse(using.map((l) => ({ slug: l.slug, title: l.title })));
  const deleted = await lessonMediaModel(ctx.db).deleteOne({ _id: media._id, storageKey: media.storageKey });
  if (deleted.deletedCount !== 1) throw new Conflict('learning.media.errors.busy');
  await ctx.storage.remove(media.storageKey);
  await invalidateCourse(ctx, courseId);
  await recordAudit(ctx, actor, 'media.removed', { type: 'course', id: String(courseId) }, { name });
}

/** Removing a file lessons still show: the page names them. */
export class InUse extends AppError {
  constructor(readonly lessons: Array<{ slug: string; title: Bilingual }>) {
    super(409, 'learning.media.errors.inUse');
  }
}

/** Problems with the blocks' files, keyed as the editor's fields (`b3_src`). */
export async function mediaProblems(
  ctx: AppContext,
  courseId: Types.ObjectId,
  blocks: Block[],
): Promise<Record<string, string>> {
  const names = new Set((await listMedia(ctx, courseId)).map((m) => m.name));
  const problems: Record<string, string> = {};
  blocks.forEach((b, i) => {
    const problem = blockMediaProblem(b, (n) => names.has(n));
    if (problem) problems[`b${i}_src`] = problem;
  });
  return problems;
}

/** A file to serve: its record and its bytes (or the asked range of them). */
export async function mediaForReading(
  ctx: AppContext,
  courseId: Types.ObjectId | string,
  name: string,
): Promise<LessonMedia> {
  const media = await lessonMediaModel(ctx.db).findOne({ courseId, name }).lean<LessonMedia>();
  if (!media) throw new NotFound();
  return media;
}

export function mediaBytes(ctx: AppContext, media: LessonMedia, range?: ByteRange): Readable {
  return ctx.storage.stream(media.storageKey, range);
}
