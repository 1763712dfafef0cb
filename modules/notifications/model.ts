import { Schema, type Connection, type Types } from 'mongoose';
import { modelOn } from '../../server/db/connect';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** An e-mail waiting to go out. The business write never waits for SMTP; the worker sends these. */
export interface OutboxMessage {
  _id: Types.ObjectId;
  to: string;
  subject: string;
  /**
   * The body. Kept until the message settles, so a retry (or a take-over after a crash) can send it;
   * erased once sent, and for one-time links once given up (retention.ts): '' after `erasedAt`.
   */
  text: string;
  html: string;
  /** Small text files sent with the message (a calendar invitation). */
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
  /** When the body (text, html, attachments) was erased; to, subject and template stay for the list. */
  erasedAt?: Date;
  template: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil?: Date;
  lockedBy?: string;
  lastError?: string;
  sentAt?: Date;
  messageId?: string;
  /** Makes "send this once" idempotent: a second enqueue with the same key is ignored. */
  dedupeKey?: string;
  createdAt: Date;
  updatedAt: Date;
}

const outboxSchema = new Schema<OutboxMessage>(
  {
    to: { type: String, required: true, maxlength: 254 },
    subject: { type: String, required: true, maxlength: 300 },
    // Required when queued; erasure later empties them with an update, which does not validate.
    text: { type: String, required: true },
    html: { type: String, required: true },
    attachments: {
      type: [
        {
          _id: false,
          filename: { type: String, maxlength: 100 },
          contentType: { type: String, maxlength: 100 },
          content: { type: String, maxlength: 100_000 },
        },
      ],
      default: undefined,
    },
    template: { type: String, required: true, maxlength: 80 },
    status: {
      type: String,
      enum: ['pending', 'sending', 'sent', 'dead'],
      default: 'pending',
      required: true,
    },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lockedUntil: { type: Date },
    lockedBy: { type: String },
    lastError: { type: String, maxlength: 1000 },
    sentAt: { type: Date },
    messageId: { type: String },
    dedupeKey: { type: String, maxlength: 200 },
    erasedAt: { type: Date },
  },
  { timestamps: true },
);
outboxSchema.index({ status: 1, nextAttemptAt: 1 });
// Sparse, not partial: the embedded server ignores partialFilterExpression and would then treat every
// message without a key as a duplicate of the first.
outboxSchema.index({ dedupeKey: 1 }, { unique: true, sparse: true });
outboxSchema.index({ to: 1, createdAt: -1 });

export const outboxModel = (db: Connection) => modelOn<OutboxMessage>(db, 'OutboxMessage', outboxSchema);
