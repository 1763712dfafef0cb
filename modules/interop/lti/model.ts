import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../../server/db/connect';

/** An LMS registered by an admin: where its OIDC login, token and key endpoints are. */
export interface LtiPlatform {
  _id: Types.ObjectId;
  name: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authLoginUrl: string;
  accessTokenUrl: string;
  keysetUrl: string;
  /**
   * Which grade a line item keeps when a learner tries again: the best so far (a retake never lowers
   * it) or the first. Either way nothing lower than what the LMS already has is sent.
   */
  gradePolicy: GradePolicy;
  createdAt: Date;
}
export const GRADE_POLICIES = ['best', 'first'] as const;
export type GradePolicy = (typeof GRADE_POLICIES)[number];
const platformSchema = new Schema<LtiPlatform>(
  {
    name: { type: String, required: true, maxlength: 120 },
    issuer: { type: String, required: true, maxlength: 500 },
    clientId: { type: String, required: true, maxlength: 255 },
    deploymentIds: [{ type: String, maxlength: 255 }],
    authLoginUrl: { type: String, required: true, maxlength: 1000 },
    accessTokenUrl: { type: String, required: true, maxlength: 1000 },
    keysetUrl: { type: String, required: true, maxlength: 1000 },
    gradePolicy: { type: String, enum: GRADE_POLICIES, default: 'best' },
  },
  { timestamps: true },
);
platformSchema.index({ issuer: 1, clientId: 1 }, { unique: true });

/** The tool's own RSA key pair (one per installation), created on first use. */
export interface LtiKey {
  _id: Types.ObjectId;
  use: 'tool';
  kid: string;
  publicJwk: Record<string, unknown>;
  privateJwk: Record<string, unknown>;
  createdAt: Date;
}
const keySchema = new Schema<LtiKey>(
  {
    use: { type: String, enum: ['tool'], required: true },
    kid: { type: String, required: true },
    publicJwk: { type: Schema.Types.Mixed, required: true },
    privateJwk: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: true },
);
keySchema.index({ use: 1 }, { unique: true });

/** OIDC login state: one-time, short-lived, swept when expired. */
export interface LtiState {
  _id: Types.ObjectId;
  state: string;
  nonce: string;
  platformId: Types.ObjectId;
  /** SHA-256 of the secret in the cookie of the browser that began the login. */
  browserHash: string;
  expiresAt: Date;
  usedAt?: Date;
}
const stateSchema = new Schema<LtiState>({
  state: { type: String, required: true },
  nonce: { type: String, required: true },
  platformId: { type: Schema.Types.ObjectId, required: true },
  browserHash: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date },
});
stateSchema.index({ state: 1 }, { unique: true });
stateSchema.index({ expiresAt: 1 });

/** Which of our users an LMS user (issuer + sub) is. */
export interface LtiLink {
  _id: Types.ObjectId;
  issuer: string;
  sub: string;
  userId: Types.ObjectId;
  createdAt: Date;
}
const linkSchema = new Schema<LtiLink>(
  {
    issuer: { type: String, required: true, maxlength: 500 },
    sub: { type: String, required: true, maxlength: 255 },
    userId: { type: Schema.Types.ObjectId, required: true, ref: 'User' },
  },
  { timestamps: true },
);
linkSchema.index({ issuer: 1, sub: 1 }, { unique: true });
linkSchema.index({ userId: 1 });

export interface LtiTarget {
  kind: 'course' | 'lesson' | 'quiz';
  courseSlug: string;
  lessonSlug?: string;
  quizKey?: string;
}
const targetSchema = new Schema<LtiTarget>(
  {
    kind: { type: String, enum: ['course', 'lesson', 'quiz'], required: true },
    courseSlug: { type: String, required: true },
    lessonSlug: { type: String },
    quizKey: { type: String },
  },
  { _id: false },
);

/** One user's launches from one resource link: where grades go back to (AGS line item). */
export interface LtiLaunch {
  _id: Types.ObjectId;
  platformId: Types.ObjectId;
  deploymentId: string;
  resourceLinkId: string;
  contextId?: string;
  userId: Types.ObjectId;
  sub: string;
  gradable: boolean;
  lineitem?: string;
  target?: LtiTarget;
  courseId?: Types.ObjectId;
  firstLaunchedAt: Date;
  lastLaunchedAt: Date;
  /** Attempts submitted before this were already queued as scores. */
  scannedUntil?: Date;
}
const launchSchema = new Schema<LtiLaunch>({
  platformId: { type: Schema.Types.ObjectId, required: true },
  deploymentId: { type: String, required: true },
  resourceLinkId: { type: String, required: true },
  contextId: { type: String },
  userId: { type: Schema.Types.ObjectId, required: true },
  sub: { type: String, required: true },
  gradable: { type: Boolean, default: false },
  lineitem: { type: String },
  target: { type: targetSchema, default: undefined },
  courseId: { type: Schema.Types.ObjectId },
  firstLaunchedAt: { type: Date, required: true },
  lastLaunchedAt: { type: Date, required: true },
  scannedUntil: { type: Date },
});
launchSchema.index({ platformId: 1, resourceLinkId: 1, userId: 1 }, { unique: true });
launchSchema.index({ gradable: 1 });

/** One-time tokens (stored hashed): the launch → new tab hand-off, and a deep-linking selection. */
export interface LtiTicket {
  _id: Types.ObjectId;
  /** `registration`: a one-time link an admin gives an LMS for dynamic registration. */
  purpose: 'handoff' | 'deep-link' | 'registration';
  tokenHash: string;
  userId?: Types.ObjectId;
  path?: string;
  /** The language the LMS launched in (en or mn), for the learner's new tab. */
  lang?: 'en' | 'mn';
  platformId?: Types.ObjectId;
  deploymentId?: string;
  returnUrl?: string;
  data?: string;
  /** The platform accepts several items in one deep-linking response. */
  acceptMultiple?: boolean;
  expiresAt: Date;
  usedAt?: Date;
}
const ticketSchema = new Schema<LtiTicket>({
  purpose: { type: String, enum: ['handoff', 'deep-link', 'registration'], required: true },
  tokenHash: { type: String, required: true },
  userId: { type: Schema.Types.ObjectId },
  path: { type: String },
  lang: { type: String, enum: ['en', 'mn'] },
  platformId: { type: Schema.Types.ObjectId },
  deploymentId: { type: String },
  returnUrl: { type: String },
  data: { type: String },
  acceptMultiple: { type: Boolean },
  expiresAt: { type: Date, required: true },
  usedAt: { type: Date },
});
ticketSchema.index({ tokenHash: 1 }, { unique: true });
ticketSchema.index({ expiresAt: 1 });

/** A grade to send back to the LMS (outbox pattern). */
export interface LtiScoreJob {
  _id: Types.ObjectId;
  /** 'attempt:<id>' or 'completion:<enrolmentId>'. */
  sourceKey: string;
  attemptId?: Types.ObjectId;
  platformId: Types.ObjectId;
  lineitem: string;
  userSub: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: 'Completed';
  gradingProgress: 'FullyGraded';
  timestamp: Date;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  sentAt?: Date;
}
const scoreSchema = new Schema<LtiScoreJob>(
  {
    sourceKey: { type: String, required: true },
    attemptId: { type: Schema.Types.ObjectId },
    platformId: { type: Schema.Types.ObjectId, required: true },
    lineitem: { type: String, required: true },
    userSub: { type: String, required: true },
    scoreGiven: { type: Number, required: true, min: 0 },
    scoreMaximum: { type: Number, required: true, default: 100 },
    activityProgress: { type: String, enum: ['Completed'], default: 'Completed' },
    gradingProgress: { type: String, enum: ['FullyGraded'], default: 'FullyGraded' },
    timestamp: { type: Date, required: true },
    status: { type: String, enum: ['pending', 'sent', 'dead'], default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, maxlength: 500 },
    sentAt: { type: Date },
  },
  { timestamps: true },
);
scoreSchema.index({ sourceKey: 1, lineitem: 1 }, { unique: true });
scoreSchema.index({ status: 1, nextAttemptAt: 1 });
scoreSchema.index({ lineitem: 1, userSub: 1, scoreGiven: -1 });

/**
 * An LMS course (context) whose roster this tool reads with Names and Role Provisioning Services,
 * and the course here its learners are enrolled in.
 */
export interface LtiContext {
  _id: Types.ObjectId;
  platformId: Types.ObjectId;
  contextId: string;
  membershipsUrl: string;
  courseId: Types.ObjectId;
  /** Sync lease: another sweep leaves the context alone until then. */
  syncingUntil?: Date;
  syncedAt?: Date;
  enrolled?: number;
  lastError?: string;
}
const contextSchema = new Schema<LtiContext>({
  platformId: { type: Schema.Types.ObjectId, required: true },
  contextId: { type: String, required: true, maxlength: 255 },
  membershipsUrl: { type: String, required: true, maxlength: 1000 },
  courseId: { type: Schema.Types.ObjectId, required: true },
  syncingUntil: { type: Date },
  syncedAt: { type: Date },
  enrolled: { type: Number },
  lastError: { type: String, maxlength: 500 },
});
contextSchema.index({ platformId: 1, contextId: 1, courseId: 1 }, { unique: true });
contextSchema.index({ syncedAt: 1 });

export const ltiPlatformModel = (db: Connection) => modelOn<LtiPlatform>(db, 'LtiPlatform', platformSchema);
export const ltiKeyModel = (db: Connection) => modelOn<LtiKey>(db, 'LtiKey', keySchema);
export const ltiStateModel = (db: Connection) => modelOn<LtiState>(db, 'LtiState', stateSchema);
export const ltiLinkModel = (db: Connection) => modelOn<LtiLink>(db, 'LtiLink', linkSchema);
export const ltiLaunchModel = (db: Connection) => modelOn<LtiLaunch>(db, 'LtiLaunch', launchSchema);
export const ltiTicketModel = (db: Connection) => modelOn<LtiTicket>(db, 'LtiTicket', ticketSchema);
export const ltiScoreModel = (db: Connection) => modelOn<LtiScoreJob>(db, 'LtiScoreJob', scoreSchema);
export const ltiContextModel = (db: Connection) => modelOn<LtiContext>(db, 'LtiContext', contextSchema);
