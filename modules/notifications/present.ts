import type { OutboxMessage } from './model';

export interface OutboxRow {
  id: string;
  to: string;
  subject: string;
  template: string;
  status: OutboxMessage['status'];
  attempts: number;
  lastError?: string;
  createdAt: Date;
  nextAttemptAt: Date;
  sentAt?: Date;
  /** The body was erased: nothing to show, nothing to send again. */
  erased: boolean;
  /** Only where `showBody` allows it (development, never a one-time link). */
  text?: string;
}

export function presentOutbox(msgs: OutboxMessage[], showBody: (msg: OutboxMessage) => boolean): OutboxRow[] {
  return msgs.map((m) => ({
    id: String(m._id),
    to: m.to,
    subject: m.subject,
    template: m.template,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    createdAt: m.createdAt,
    nextAttemptAt: m.nextAttemptAt,
    sentAt: m.sentAt,
    erased: !!m.erasedAt,
    text: showBody(m) ? m.text : undefined,
  }));
}
