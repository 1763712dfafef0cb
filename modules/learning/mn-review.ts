import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { trusted } from '../../server/db/ids';
import type { SessionUser } from '../../server/types';
import { recordAudit } from '../audit';
import { courseModel, lessonModel } from './model';
import { blockReviewModel, blockStates, mnHash, reviewsOfLessons } from './mn-review-model';
import { invalidateCourse } from './outline';

/**
 * Native-speaker sign-off of the Mongolian text, block by block: trainers record that a native
 * Mongolian trainer reviewed blocks of a published lesson (who, on which day); each block's draft flag
 * clears with its sign-off and comes back when its Mongolian text changes.
 */

async function publishedLesson(ctx: AppContext, courseSlug: string, lessonSlug: string) {
  const course = await courseModel(ctx.db)
    .findOne({ slug: courseSlug }, { slug: 1, title: 1, mnDraft: 1 })
    .lean();
  if (!course) throw new NotFound();
  const lesson = await lessonModel(ctx.db)
    .findOne({ courseId: course._id, slug: lessonSlug }, { slug: 1, title: 1, version: 1, blocks: 1 })
    .lean();
  // Only what trainees read is reviewed: a lesson never published has nothing to sign off yet.
  if (!lesson || lesson.version < 1) throw new NotFound();
  return { course, lesson };
}

/** A published lesson's blocks with their review state, for the sign-off page. */
export async function lessonReview(ctx: AppContext, courseSlug: string, lessonSlug: string) {
  const { course, lesson } = await publishedLesson(ctx, courseSlug, lessonSlug);
  const reviews = (await reviewsOfLessons(ctx, [lesson._id])).get(String(lesson._id)) ?? [];
  return { course, lesson, blocks: blockStates(lesson.blocks, reviews) };
}

export interface SignOffInput {
  /** The lesson version the page showed: a sign-off never covers text the reviewer did not see. */
  version: number;
  blockIds: string[];
  reviewerName: string;
  reviewedOn: Date;
}

/** Records the sign-off of the chosen blocks (replacing an earlier, possibly stale one). */
export async function signOffBlocks(
  ctx: AppContext,
  actor: SessionUser,
  courseSlug: string,
  lessonSlug: string,
  input: SignOffInput,
) {
  const { course, lesson } = await publishedLesson(ctx, courseSlug, lessonSlug);
  if (lesson.version !== input.version) throw new Conflict('learning.mnReview.changed');
  const byId = new Map(lesson.blocks.map((b) => [b.id, b]));
  if (!input.blockIds.length || input.blockIds.some((id) => !byId.has(id)))
    throw new Invalid('errors.invalid', { blocks: 'learning.mnReview.chooseBlocks' });
  const Reviews = blockReviewModel(ctx.db);
  await Reviews.init();
  const now = ctx.clock.now();
  for (const blockId of new Set(input.blockIds)) {
    const fields = {
      courseId: course._id,
      lessonVersion: lesson.version,
      mnHash: mnHash(byId.get(blockId)!),
      reviewerName: input.reviewerName,
      reviewedOn: input.reviewedOn,
      recordedBy: new Types.ObjectId(actor.id),
      recordedAt: now,
    };
    const filter = { lessonId: lesson._id, blockId };
    // Two trainers signing off the same block at once: the unique index lets one insert; the other
    // updates the record it created. Either way one record per block, holding the last sign-off.
    await Reviews.updateOne(filter, { $set: fields }, { upsert: true }).catch(
      async (err: { code?: number }) => {
        if (err.code !== 11000) throw err;
        await Reviews.updateOne(filter, { $set: fields });
      },
    );
  }
  invalidateCourse(ctx, course._id);
  await recordAudit(
    ctx,
    actor,
    'lesson.mnSignedOff',
    { type: 'lesson', id: String(lesson._id) },
    { blocks: input.blockIds, version: lesson.version },
  );
}

export interface LessonReviewCount {
  slug: string;
  title: { en: string; mn: string };
  total: number;
  reviewed: number;
  stale: number;
}

/** How much of a course's published Mongolian is signed off: blocks per lesson and in total. */
export async function courseReviewReport(ctx: AppContext, courseSlug: string) {
  const course = await courseModel(ctx.db)
    .findOne({ slug: courseSlug }, { slug: 1, title: 1, mnDraft: 1, lessonIds: 1 })
    .lean();
  if (!course) throw new NotFound();
  const lessons = await lessonModel(ctx.db)
    .find({ courseId: course._id, version: trusted({ $gte: 1 }) }, { slug: 1, title: 1, blocks: 1 })
    .lean();
  const byId = new Map(lessons.map((l) => [String(l._id), l]));
  const ordered = course.lessonIds.map((id) => byId.get(String(id))).filter((l) => !!l);
  const reviews = await reviewsOfLessons(
    ctx,
    ordered.map((l) => l._id),
  );
  const rows: LessonReviewCount[] = ordered.map((l) => {
    const states = blockStates(l.blocks, reviews.get(String(l._id)) ?? []);
    return {
      slug: l.slug,
      title: l.title,
      total: states.length,
      reviewed: states.filter((s) => s.state === 'reviewed').length,
      stale: states.filter((s) => s.state === 'stale').length,
    };
  });
  const total = rows.reduce((n, r) => n + r.total, 0);
  const reviewed = rows.reduce((n, r) => n + r.reviewed, 0);
  return {
    course,
    rows,
    total,
    reviewed,
    percent: total ? Math.floor((reviewed / total) * 100) : 0,
  };
}
