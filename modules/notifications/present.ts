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
  /** Only in dev mode, where no SMTP server exists and a developer must be able to follow links. */
  text?: string;
}

export function presentOutbox(msgs: OutboxMessage[], devMode: boolean): OutboxRow[] {
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
    text: devMode ? m.text : undefined,
  }));
}
