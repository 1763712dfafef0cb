import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';
import { storedUploadSchemaFields, type StoredUploadFields } from '../../server/storage/checked-upload';

export type PieceFormat = 'article' | 'tv' | 'radio' | 'social';
export type ReachMetric = 'views' | 'shares' | 'comments' | 'airings';
export type LinkStatus = 'unchecked' | 'ok' | 'dead' | 'redirected' | 'timeout' | 'blocked';

export interface ReachFigure {
  _id: Types.ObjectId;
  metric: ReachMetric;
  value: number;
  /** The day the figure was read at its source: figures are dated so growth shows. */
  asOf: Date;
  source: string;
  reportedBy: Types.ObjectId;
  reportedAt: Date;
  verifiedBy?: Types.ObjectId;
  verifiedAt?: Date;
  /** A screenshot or file showing the figure at its source, for staff to verify against. */
  evidence?: Evidence;
}

/** A reach figure's screenshot or file (bytes in storage). */
export type Evidence = StoredUploadFields;

/** One published piece of a funded story (an award has several: article, TV segment, social post). */
export interface Piece {
  _id: Types.ObjectId;
  awardId: Types.ObjectId;
  /** The award's journalist, copied so every read is scoped inside the query. */
  ownerId: Types.ObjectId;
  outlet: string;
  url: string;
  publishedOn: Date;
  language: 'mn' | 'en' | 'other';
  format: PieceFormat;
  /** The journalist agreed to list this piece on the public page (only once it is verified). */
  listPublicly: boolean;
  link: { status: LinkStatus; checkedAt?: Date; httpStatus?: number };
  reach: ReachFigure[];
  createdAt: Date;
  updatedAt: Date;
}

const reachSchema = new Schema<ReachFigure>({
  metric: { type: String, enum: ['views', 'shares', 'comments', 'airings'], required: true },
  value: { type: Number, required: true, min: 0 },
  asOf: { type: Date, required: true },
  source: { type: String, required: true, maxlength: 300 },
  reportedBy: { type: Schema.Types.ObjectId, required: true },
  reportedAt: { type: Date, required: true },
  verifiedBy: { type: Schema.Types.ObjectId },
  verifiedAt: { type: Date },
  evidence: {
    type: new Schema<Evidence>(storedUploadSchemaFields, { _id: false }),
  },
});

const pieceSchema = new Schema<Piece>(
  {
    awardId: { type: Schema.Types.ObjectId, required: true },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    outlet: { type: String, required: true, maxlength: 200 },
    url: { type: String, required: true, maxlength: 2000 },
    publishedOn: { type: Date, required: true },
    language: { type: String, enum: ['mn', 'en', 'other'], required: true },
    format: { type: String, enum: ['article', 'tv', 'radio', 'social'], required: true },
    listPublicly: { type: Boolean, required: true, default: false },
    link: {
      _id: false,
      status: {
        type: String,
        enum: ['unchecked', 'ok', 'dead', 'redirected', 'timeout', 'blocked'],
        required: true,
        default: 'unchecked',
      },
      checkedAt: { type: Date },
      httpStatus: { type: Number },
    },
    reach: { type: [reachSchema], default: [] },
  },
  { timestamps: true },
);
pieceSchema.index({ awardId: 1, url: 1 }, { unique: true });
pieceSchema.index({ ownerId: 1 });
pieceSchema.index({ 'link.checkedAt': 1 });

export const pieceModel = (db: Connection) => modelOn<Piece>(db, 'ImpactPiece', pieceSchema);
