import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export interface Bilingual {
  en: string;
  mn: string;
}

export const SESSION_KINDS = ['workshop', 'webinar'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/**
 * A live session of a course. Sign-ups live in the document itself so that "take a seat if one is
 * left and this person has none" is one conditional update: `seatsLeft` only goes down while above 0,
 * and `registeredIds` names each person once. Attendance is a second set, marked by the trainer or by
 * the attendee's check-in code.
 */
export interface LiveSession {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  kind: SessionKind;
  title: Bilingual;
  startsAt: Date;
  endsAt: Date;
  /** The zone the trainer entered the time in (the course's zone), for showing it back. */
  timeZone: string;
  place?: string;
  link?: string;
  capacity: number;
  seatsLeft: number;
  status: 'scheduled' | 'cancelled';
  registeredIds: Types.ObjectId[];
  registrations: Array<{ userId: Types.ObjectId; at: Date }>;
  attendedIds: Types.ObjectId[];
  attendance: Array<{ userId: Types.ObjectId; at: Date; by: 'code' | 'trainer' }>;
  checkInCode: string;
  /** RFC 5545 SEQUENCE: goes up with each change a calendar must pick up. */
  sequence: number;
  remindedAt?: Date;
  reminderLockedUntil?: Date;
  createdBy?: Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const bilingual = { en: { type: String, maxlength: 200 }, mn: { type: String, maxlength: 200 } };

const liveSessionSchema = new Schema<LiveSession>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: SESSION_KINDS, required: true },
    title: bilingual,
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    timeZone: { type: String, required: true, maxlength: 64 },
    place: { type: String, maxlength: 300 },
    link: { type: String, maxlength: 500 },
    capacity: { type: Number, required: true, min: 1, max: 1000 },
    seatsLeft: { type: Number, required: true, min: 0 },
    status: { type: String, enum: ['scheduled', 'cancelled'], default: 'scheduled' },
    registeredIds: [{ type: Schema.Types.ObjectId }],
    registrations: [{ _id: false, userId: Schema.Types.ObjectId, at: Date }],
    attendedIds: [{ type: Schema.Types.ObjectId }],
    attendance: [{ _id: false, userId: Schema.Types.ObjectId, at: Date, by: String }],
    checkInCode: { type: String, required: true, maxlength: 12 },
    sequence: { type: Number, default: 0 },
    remindedAt: { type: Date },
    reminderLockedUntil: { type: Date },
    createdBy: { type: Schema.Types.ObjectId },
  },
  { timestamps: true },
);
liveSessionSchema.index({ courseId: 1, startsAt: 1 });
liveSessionSchema.index({ registeredIds: 1 });
liveSessionSchema.index({ status: 1, startsAt: 1 });

/** Per course: how many sessions a trainee must attend to complete it, and the zone sessions use. */
export interface SessionRules {
  _id: Types.ObjectId;
  courseId: Types.ObjectId;
  requiredSessions: number;
  timeZone: string;
}

const sessionRulesSchema = new Schema<SessionRules>(
  {
    courseId: { type: Schema.Types.ObjectId, required: true },
    requiredSessions: { type: Number, default: 0, min: 0, max: 50 },
    timeZone: { type: String, default: 'Asia/Ulaanbaatar', maxlength: 64 },
  },
  { timestamps: true },
);
sessionRulesSchema.index({ courseId: 1 }, { unique: true });

export const liveSessionModel = (db: Connection) =>
  modelOn<LiveSession>(db, 'LiveSession', liveSessionSchema);
export const sessionRulesModel = (db: Connection) =>
  modelOn<SessionRules>(db, 'SessionRules', sessionRulesSchema);
