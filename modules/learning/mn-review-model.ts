import { createHash } from 'node:crypto';
import { Schema, type Connection, type Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { modelOn } from '../../server/db/connect';
import { trusted } from '../../server/db/ids';
import type { Block } from './model';

/**
 * A native-speaking trainer's sign-off of one lesson block's Mongolian text: who reviewed it and on
 * which day, who recorded it and when, and a hash of the Mongolian text they signed off. The sign-off
 * holds only while the block's Mongolian text still has that hash: once the text changes (a new
 * version published or imported), the block is a draft again.
 */
export interface BlockReview {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  lessonId: Types.ObjectId;
  blockId: string;
  /** The lesson version the reviewer saw. */
  lessonVersion: number;
  mnHash: string;
  reviewerName: string;
  reviewedOn: Date;
  recordedBy: Types.ObjectId;
  recordedAt: Date;
}

const blockReviewSchema = new Schema<BlockReview>({
  courseId: { type: Schema.Types.ObjectId, ref: 'Course', required: true },
  lessonId: { type: Schema.Types.ObjectId, ref: 'Lesson', required: true },
  blockId: { type: String, required: true, maxlength: 40 },
  lessonVersion: { type: Number, required: true },
  mnHash: { type: String, required: true, maxlength: 64 },
  reviewerName: { type: String, required: true, maxlength: 120 },
  reviewedOn: { type: Date, required: true },
  recordedBy: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  recordedAt: { type: Date, required: true },
});
blockReviewSchema.index({ lessonId: 1, blockId: 1 }, { unique: true });
blockReviewSchema.index({ courseId: 1 });

export const blockReviewModel = (db: Connection) =>
  modelOn<BlockReview>(db, 'BlockReview', blockReviewSchema);

/** What a sign-off covers: the block's Mongolian text and, for images, its Mongolian description. */
export const mnHash = (block: Pick<Block, 'mn' | 'alt'>) =>
  createHash('sha256')
    .update(JSON.stringify([block.mn.trim(), block.alt?.mn?.trim() ?? '']))
    .digest('hex');

/** reviewed: signed off for this very text; stale: signed off, but the text changed since; draft: never. */
export type BlockReviewState = 'reviewed' | 'stale' | 'draft';

export interface BlockWithReview {
  block: Block;
  state: BlockReviewState;
  review?: Pick<BlockReview, 'reviewerName' | 'reviewedOn' | 'recordedAt'>;
}

export function blockStates(
  blocks: Block[],
  reviews: Array<Pick<BlockReview, 'blockId' | 'mnHash' | 'reviewerName' | 'reviewedOn' | 'recordedAt'>>,
): BlockWithReview[] {
  const byBlock = new Map(reviews.map((r) => [r.blockId, r]));
  return blocks.map((block) => {
    const review = byBlock.get(block.id);
    if (!review) return { block, state: 'draft' };
    const state = review.mnHash === mnHash(block) ? 'reviewed' : 'stale';
    const { reviewerName, reviewedOn, recordedAt } = review;
    return { block, state, review: { reviewerName, reviewedOn, recordedAt } };
  });
}

/** The sign-offs of the given lessons, grouped by lesson id. */
export async function reviewsOfLessons(ctx: AppContext, lessonIds: Types.ObjectId[]) {
  const reviews = await blockReviewModel(ctx.db)
    .find(
      { lessonId: trusted({ $in: lessonIds }) },
      { lessonId: 1, blockId: 1, mnHash: 1, reviewerName: 1, reviewedOn: 1, recordedAt: 1 },
    )
    .lean<BlockReview[]>();
  const byLesson = new Map<string, BlockReview[]>();
  for (const r of reviews) byLesson.set(String(r.lessonId), [...(byLesson.get(String(r.lessonId)) ?? []), r]);
  return byLesson;
}
