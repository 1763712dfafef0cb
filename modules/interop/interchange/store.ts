import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../../server/db/connect';
import type { InterchangeQuestion } from './model';

/**
 * An uploaded question file between preview and confirmation, then the record of what it added.
 * Questions that lacked a language stay here as drafts flagged for a translator.
 */
export interface QuestionImport {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  /** Absent for the command line. */
  createdBy?: Types.ObjectId;
  createdAt: Date;
  filename: string;
  format: 'moodle-xml' | 'gift';
  status: 'preview' | 'applied';
  questions: InterchangeQuestion[];
  added?: string[];
  drafts?: string[];
  appliedAt?: Date;
}

const schema = new Schema<QuestionImport>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true, index: true },
    createdBy: { type: Schema.Types.ObjectId },
    createdAt: { type: Date, required: true },
    filename: { type: String, required: true },
    format: { type: String, enum: ['moodle-xml', 'gift'], required: true },
    status: { type: String, enum: ['preview', 'applied'], required: true },
    questions: { type: Schema.Types.Mixed, required: true },
    added: { type: [String], default: undefined },
    drafts: { type: [String], default: undefined },
    appliedAt: { type: Date },
  },
  // Empty texts ({}) are kept: they say which language is missing.
  { minimize: false },
);

export const questionImportModel = (db: Connection) => modelOn<QuestionImport>(db, 'QuestionImport', schema);
