import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';
import type { QuestionOption, Text } from './model';

/**
 * What a trainer edits of a question; the type and id stay (attempts and reports refer to them).
 * Spot-harm questions have an excerpt; case questions a case text and their deciding elements.
 */
export interface QuestionContent {
  objective: string;
  stem: Text;
  explanation?: Text;
  excerpt?: Text;
  case?: Text;
  options: QuestionOption[];
  elements?: QuestionOption[];
}

/**
 * A question's working copy, one per question. `rev` only grows: a save or a publish must name the
 * rev it was made from (optimistic concurrency, as for lessons); `content` is unset once published.
 */
export interface QuestionDraft {
  _id: Types.ObjectId;
  questionId: Types.ObjectId;
  courseId: Types.ObjectId;
  rev: number;
  content?: QuestionContent;
  updatedAt?: Date;
  updatedBy?: Types.ObjectId;
}

/** One published version of a question, kept as it was (the history; what an old attempt showed). */
export interface QuestionVersion extends QuestionContent {
  _id: Types.ObjectId;
  questionId: Types.ObjectId;
  courseId: Types.ObjectId;
  qid: string;
  version: number;
  /** Unset for a version kept as it was before its first edit here (imported from the course files). */
  publishedAt?: Date;
  publishedBy?: Types.ObjectId;
}

// A draft may be half written (a language, an option left empty): publishing checks it, not the schema.
const text = { en: { type: String, default: '' }, mn: { type: String, default: '' } };
const optionalText = { type: new Schema({ en: String, mn: String }, { _id: false }), required: false };
const option = new Schema(
  { id: { type: String, required: true }, text, correct: { type: Boolean }, feedback: text },
  { _id: false },
);
const content = {
  objective: { type: String, required: true },
  stem: text,
  explanation: optionalText,
  excerpt: optionalText,
  case: optionalText,
  options: { type: [option], required: true },
  elements: { type: [option], default: undefined },
};

const draftSchema = new Schema<QuestionDraft>({
  questionId: { type: Schema.Types.ObjectId, required: true },
  courseId: { type: Schema.Types.ObjectId, required: true },
  rev: { type: Number, required: true },
  content: { type: new Schema(content, { _id: false }), required: false },
  updatedAt: { type: Date },
  updatedBy: { type: Schema.Types.ObjectId },
});
draftSchema.index({ questionId: 1 }, { unique: true });

const versionSchema = new Schema<QuestionVersion>({
  questionId: { type: Schema.Types.ObjectId, required: true },
  courseId: { type: Schema.Types.ObjectId, required: true },
  qid: { type: String, required: true },
  version: { type: Number, required: true },
  ...content,
  publishedAt: { type: Date },
  publishedBy: { type: Schema.Types.ObjectId },
});
versionSchema.index({ questionId: 1, version: 1 }, { unique: true });

export const questionDraftModel = (db: Connection) =>
  modelOn<QuestionDraft>(db, 'QuestionDraft', draftSchema);
export const questionVersionModel = (db: Connection) =>
  modelOn<QuestionVersion>(db, 'QuestionVersion', versionSchema);
