import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

/** Who did what to which record, when. Append-only: nothing updates or deletes these. */
export interface AuditEvent {
  _id: Types.ObjectId;
  at: Date;
  actorId?: Types.ObjectId;
  actorRole?: string;
  /** e.g. 'pitch.submitted', 'trainee.viewed', 'report.exported' */
  action: string;
  targetType: string;
  targetId?: string;
  meta?: Record<string, unknown>;
}

const auditSchema = new Schema<AuditEvent>({
  at: { type: Date, required: true },
  actorId: { type: Schema.Types.ObjectId },
  actorRole: { type: String },
  action: { type: String, required: true, maxlength: 80 },
  targetType: { type: String, required: true, maxlength: 40 },
  targetId: { type: String, maxlength: 80 },
  meta: { type: Schema.Types.Mixed },
});
auditSchema.index({ at: -1 });
auditSchema.index({ targetType: 1, targetId: 1, at: -1 });

export const auditModel = (db: Connection) => modelOn<AuditEvent>(db, 'AuditEvent', auditSchema);
