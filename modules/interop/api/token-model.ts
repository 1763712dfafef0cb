import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../../server/db/connect';

export const API_SCOPES = [
  'courses:read',
  'progress:read',
  'certificates:read',
  'grants:read',
  'enrolments:write',
  'calls:write',
  'assignments:read',
  'assignments:write',
  'decisions:read',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A credential for an integration. Only the SHA-256 of the secret is stored. */
export interface ApiToken {
  _id: Types.ObjectId;
  name: string;
  prefix: string;
  tokenHash: string;
  scopes: ApiScope[];
  createdBy: Types.ObjectId;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

const tokenSchema = new Schema<ApiToken>({
  name: { type: String, required: true, maxlength: 80 },
  prefix: { type: String, required: true },
  tokenHash: { type: String, required: true },
  scopes: { type: [String], enum: API_SCOPES, required: true },
  createdBy: { type: Schema.Types.ObjectId, required: true },
  createdAt: { type: Date, required: true },
  lastUsedAt: { type: Date },
  revokedAt: { type: Date },
});
tokenSchema.index({ tokenHash: 1 }, { unique: true });

export const apiTokenModel = (db: Connection) => modelOn<ApiToken>(db, 'ApiToken', tokenSchema);
