import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';
import { ROLES, LOCALES, type Locale, type Role } from '../../server/types';

export type UserStatus = 'active' | 'invited' | 'disabled';

/** What kind of outlet a journalist works for (optional; counted in programme statistics with consent). */
export const OUTLET_TYPES = ['newspaper', 'tv', 'radio', 'online', 'freelance', 'other'] as const;
export type OutletType = (typeof OUTLET_TYPES)[number];
export const GENDERS = ['female', 'male', 'other'] as const;
export type Gender = (typeof GENDERS)[number];

export interface User {
  _id: Types.ObjectId;
  email: string;
  name: string;
  passwordHash?: string;
  role: Role;
  status: UserStatus;
  outlet?: string;
  region?: string;
  outletType?: OutletType;
  /** Kept only while `statsConsentAt` is set: withdrawing consent removes it. */
  gender?: Gender;
  /** When the person agreed that outlet type and gender are counted (without their name) in statistics. */
  statsConsentAt?: Date;
  locale?: Locale;
  timeZone?: string;
  totpSecret?: string;
  totpEnabledAt?: Date;
  /** Last accepted TOTP time step: a code is never accepted twice. */
  totpLastStep?: number;
  /** SHA-256 of each unused recovery code (the codes themselves are shown once, never stored). */
  recoveryCodeHashes?: string[];
  /** Hashes of codes already used, so a second use is called used rather than wrong. */
  usedRecoveryCodeHashes?: string[];
  failedLogins: number;
  lockedUntil?: Date;
  /** Trainee opted out of reminder e-mails. */
  remindersOptOut: boolean;
  /** The user's id in a host app that mounts us with its own sign-in. */
  hostId?: string;
  /**
   * Set when an invitation was withdrawn before anyone accepted it: the account never had a password
   * (its owner was never confirmed), so it may be invited again but never switched to active by hand.
   */
  invitationWithdrawnAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new Schema<User>(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    passwordHash: { type: String },
    role: { type: String, enum: ROLES, required: true, default: 'journalist' },
    status: { type: String, enum: ['active', 'invited', 'disabled'], required: true, default: 'active' },
    outlet: { type: String, maxlength: 120 },
    region: { type: String, maxlength: 80 },
    outletType: { type: String, enum: OUTLET_TYPES },
    gender: { type: String, enum: GENDERS },
    statsConsentAt: { type: Date },
    locale: { type: String, enum: LOCALES },
    timeZone: { type: String, maxlength: 64 },
    totpSecret: { type: String },
    totpEnabledAt: { type: Date },
    totpLastStep: { type: Number },
    recoveryCodeHashes: { type: [String], default: undefined },
    usedRecoveryCodeHashes: { type: [String], default: undefined },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: Date },
    remindersOptOut: { type: Boolean, default: false },
    hostId: { type: String, maxlength: 200 },
    invitationWithdrawnAt: { type: Date },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ role: 1, status: 1 });
userSchema.index({ hostId: 1 }, { unique: true, sparse: true });

export const userModel = (db: Connection) => modelOn<User>(db, 'User', userSchema);

/** One-time links (password reset, invitation). Only a hash of the token is stored. */
export interface AccountToken {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  purpose: 'reset' | 'invite';
  tokenHash: string;
  expiresAt: Date;
  usedAt?: Date;
}

const tokenSchema = new Schema<AccountToken>({
  userId: { type: Schema.Types.ObjectId, required: true, ref: 'User' },
  purpose: { type: String, enum: ['reset', 'invite'], required: true },
  tokenHash: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date },
});
tokenSchema.index({ tokenHash: 1 }, { unique: true });
tokenSchema.index({ expiresAt: 1 });

export const accountTokenModel = (db: Connection) => modelOn<AccountToken>(db, 'AccountToken', tokenSchema);
