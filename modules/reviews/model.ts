import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export type AssignmentStatus = 'offered' | 'conflict_declared' | 'accepted' | 'submitted';
export const ACTIVE_ASSIGNMENT: AssignmentStatus[] = ['offered', 'accepted', 'submitted'];

/** One reviewer asked to review one pitch. A declared conflict keeps the row so it is never re-offered. */
export interface Assignment {
  _id: Types.ObjectId;
  callId: Types.ObjectId;
  pitchId: Types.ObjectId;
  reviewerId: Types.ObjectId;
  status: AssignmentStatus;
  conflictReason?: string;
  respondedAt?: Date;
  dueAt?: Date;
  reminderSentAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const assignmentSchema = new Schema<Assignment>(
  {
    callId: { type: Schema.Types.ObjectId, required: true },
    pitchId: { type: Schema.Types.ObjectId, required: true },
    reviewerId: { type: Schema.Types.ObjectId, required: true },
    status: {
      type: String,
      enum: ['offered', 'conflict_declared', 'accepted', 'submitted'],
      required: true,
      default: 'offered',
    },
    conflictReason: { type: String, maxlength: 1000 },
    respondedAt: { type: Date },
    dueAt: { type: Date },
    reminderSentAt: { type: Date },
  },
  { timestamps: true },
);
assignmentSchema.index({ pitchId: 1, reviewerId: 1 }, { unique: true });
assignmentSchema.index({ reviewerId: 1, status: 1 });
assignmentSchema.index({ callId: 1, status: 1 });
assignmentSchema.index({ callId: 1, reviewerId: 1 });
assignmentSchema.index({ status: 1, dueAt: 1 });

export const assignmentModel = (db: Connection) => modelOn<Assignment>(db, 'Assignment', assignmentSchema);

export type Recommendation = 'fund' | 'maybe' | 'decline';

export interface Review {
  _id: Types.ObjectId;
  assignmentId: Types.ObjectId;
  callId: Types.ObjectId;
  pitchId: Types.ObjectId;
  reviewerId: Types.ObjectId;
  scores: Array<{ criterionId: string; score: number }>;
  commentToApplicant: string;
  /** Staff only: never shown to the applicant or to other reviewers. */
  privateComment: string;
  recommendation?: Recommendation;
  status: 'draft' | 'submitted';
  submittedAt?: Date;
  /** The comment to the applicant reworded after submitting (allowed until release). */
  commentEditedAt?: Date;
  /** Set when the call's decisions are released: the comment went out and can no longer change. */
  commentLockedAt?: Date;
  /** Optimistic concurrency: every save names the version it edited; a stale one is refused (409). */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const reviewSchema = new Schema<Review>(
  {
    assignmentId: { type: Schema.Types.ObjectId, required: true },
    callId: { type: Schema.Types.ObjectId, required: true },
    pitchId: { type: Schema.Types.ObjectId, required: true },
    reviewerId: { type: Schema.Types.ObjectId, required: true },
    scores: {
      type: [{ _id: false, criterionId: { type: String, maxlength: 64 }, score: { type: Number, min: 0 } }],
      default: [],
    },
    commentToApplicant: { type: String, default: '', maxlength: 5000 },
    privateComment: { type: String, default: '', maxlength: 5000 },
    recommendation: { type: String, enum: ['fund', 'maybe', 'decline'] },
    status: { type: String, enum: ['draft', 'submitted'], required: true, default: 'draft' },
    submittedAt: { type: Date },
    commentEditedAt: { type: Date },
    commentLockedAt: { type: Date },
    version: { type: Number, required: true, default: 0 },
  },
  { timestamps: true },
);
reviewSchema.index({ assignmentId: 1 }, { unique: true });
reviewSchema.index({ pitchId: 1, status: 1 });
reviewSchema.index({ callId: 1, status: 1, pitchId: 1 });

export const reviewModel = (db: Connection) => modelOn<Review>(db, 'Review', reviewSchema);
