import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export interface Bilingual {
  en: string;
  mn: string;
}

/** A course completion certificate. Issued once per (user, course); names and titles are snapshots. */
export interface Certificate {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  courseId: Types.ObjectId;
  /** Public verification code, `XXXX-XXXX-XXXX` in Crockford base32. */
  code: string;
  holderName: string;
  courseTitle: Bilingual;
  issuedAt: Date;
  /** The holder's choice: show their name on the public verification page. */
  showName: boolean;
  revokedAt?: Date;
  revokedBy?: Types.ObjectId;
  revokeReason?: string;
}

const bilingual = {
  en: { type: String, required: true, maxlength: 300 },
  mn: { type: String, required: true, maxlength: 300 },
};

const certificateSchema = new Schema<Certificate>({
  userId: { type: Schema.Types.ObjectId, required: true, ref: 'User' },
  courseId: { type: Schema.Types.ObjectId, required: true },
  code: { type: String, required: true, maxlength: 14 },
  holderName: { type: String, required: true, maxlength: 120 },
  courseTitle: { type: bilingual, required: true, _id: false },
  issuedAt: { type: Date, required: true },
  showName: { type: Boolean, required: true, default: false },
  revokedAt: { type: Date },
  revokedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  revokeReason: { type: String, maxlength: 500 },
});
certificateSchema.index({ userId: 1, courseId: 1 }, { unique: true });
certificateSchema.index({ code: 1 }, { unique: true });
certificateSchema.index({ issuedAt: -1 });

export const certificateModel = (db: Connection) =>
  modelOn<Certificate>(db, 'Certificate', certificateSchema);
