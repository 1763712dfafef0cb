import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export type AwardStatus = 'offered' | 'accepted' | 'draft_received' | 'published' | 'closed';
export type MilestoneKey = 'draft' | 'ethics' | 'published' | 'confirmed';
export type TrancheKey = 'award' | 'draft' | 'publication';

export interface Award {
  _id: Types.ObjectId;
  pitchId: Types.ObjectId;
  callId: Types.ObjectId;
  applicantId: Types.ObjectId;
  amount: number;
  /** Snapshot of the pitch for the public list of published work. */
  title: string;
  outlet?: string;
  status: AwardStatus;
  milestones: Array<{ key: MilestoneKey; at: Date; by: Types.ObjectId; link?: string; note?: string }>;
  tranches: Array<{
    key: TrancheKey;
    share: number;
    amount: number;
    paidAt?: Date;
    paidBy?: Types.ObjectId;
    reference?: string;
  }>;
  acceptedAt?: Date;
  publishedUrl?: string;
  publishedAt?: Date;
  /** The journalist agreed to list the published link on the public page (theirs to withdraw). */
  listPublicly?: boolean;
  /** Staff opened the link and saw the story out (date not in the future): only then is it listed. */
  publicationConfirmedAt?: Date;
  publicationConfirmedBy?: Types.ObjectId;
  closedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const awardSchema = new Schema<Award>(
  {
    pitchId: { type: Schema.Types.ObjectId, required: true },
    callId: { type: Schema.Types.ObjectId, required: true },
    applicantId: { type: Schema.Types.ObjectId, required: true },
    amount: { type: Number, required: true, min: 0 },
    title: { type: String, required: true, maxlength: 300 },
    outlet: { type: String, maxlength: 200 },
    status: {
      type: String,
      enum: ['offered', 'accepted', 'draft_received', 'published', 'closed'],
      required: true,
      default: 'offered',
    },
    milestones: {
      type: [
        {
          _id: false,
          key: { type: String, enum: ['draft', 'ethics', 'published', 'confirmed'], required: true },
          at: { type: Date, required: true },
          by: { type: Schema.Types.ObjectId, required: true },
          link: { type: String, maxlength: 2000 },
          note: { type: String, maxlength: 2000 },
        },
      ],
      default: [],
    },
    tranches: {
      type: [
        {
          _id: false,
          key: { type: String, enum: ['award', 'draft', 'publication'], required: true },
          share: { type: Number, required: true },
          amount: { type: Number, required: true },
          paidAt: { type: Date },
          paidBy: { type: Schema.Types.ObjectId },
          reference: { type: String, maxlength: 200 },
        },
      ],
      default: [],
    },
    acceptedAt: { type: Date },
    publishedUrl: { type: String, maxlength: 2000 },
    publishedAt: { type: Date },
    listPublicly: { type: Boolean, default: false },
    publicationConfirmedAt: { type: Date },
    publicationConfirmedBy: { type: Schema.Types.ObjectId },
    closedAt: { type: Date },
  },
  { timestamps: true },
);
awardSchema.index({ pitchId: 1 }, { unique: true });
awardSchema.index({ applicantId: 1 });
awardSchema.index({ status: 1, callId: 1 });

export const awardModel = (db: Connection) => modelOn<Award>(db, 'Award', awardSchema);
