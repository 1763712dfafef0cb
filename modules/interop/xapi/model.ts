import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../../server/db/connect';

/** The one settings document: where the LRS is, and the per-install secret behind actor pseudonyms. */
export interface XapiSettings {
  _id: Types.ObjectId;
  key: 'settings';
  endpoint?: string;
  username?: string;
  /** Never rendered back to a page. */
  password?: string;
  enabled: boolean;
  actorSecret: string;
  enabledAt?: Date;
  /** Events up to this instant are already queued. */
  checkpoint?: Date;
  updatedAt: Date;
}
const settingsSchema = new Schema<XapiSettings>(
  {
    key: { type: String, enum: ['settings'], required: true },
    endpoint: { type: String, maxlength: 500 },
    username: { type: String, maxlength: 200 },
    password: { type: String, maxlength: 500 },
    enabled: { type: Boolean, default: false },
    actorSecret: { type: String, required: true },
    enabledAt: { type: Date },
    checkpoint: { type: Date },
  },
  { timestamps: true },
);
settingsSchema.index({ key: 1 }, { unique: true });

/** Outbox of statements for the LRS. */
export interface XapiStatement {
  _id: Types.ObjectId;
  statementId: string;
  sourceKey: string;
  body: Record<string, unknown>;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  sentAt?: Date;
}
const statementSchema = new Schema<XapiStatement>(
  {
    statementId: { type: String, required: true },
    sourceKey: { type: String, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    status: { type: String, enum: ['pending', 'sent', 'dead'], default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, maxlength: 500 },
    sentAt: { type: Date },
  },
  { timestamps: true, minimize: false },
);
statementSchema.index({ sourceKey: 1 }, { unique: true });
statementSchema.index({ status: 1, nextAttemptAt: 1 });

export const xapiSettingsModel = (db: Connection) =>
  modelOn<XapiSettings>(db, 'XapiSettings', settingsSchema);
export const xapiStatementModel = (db: Connection) =>
  modelOn<XapiStatement>(db, 'XapiStatement', statementSchema);
