import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { Conflict, NotFound } from '../../server/http/errors';
import { outboxModel, type OutboxMessage } from './model';
import { renderEmail } from './render';

export interface EmailRequest {
  to: string;
  template: string;
  locale: Locale;
  data?: Record<string, unknown>;
  /** Same key twice → one message. */
  dedupeKey?: string;
  /** Small text files to send with it (e.g. an .ics calendar file). */
  attachments?: Array<{ filename: string; contentType: string; content: string }>;
}

/** Queues an e-mail; the outbox worker sends it. Returns false when the dedupe key was already used. */
export async function enqueueEmail(ctx: AppContext, req: EmailRequest): Promise<boolean> {
  const rendered = await renderEmail(req.template, req.locale, req.data ?? {}, ctx.config.baseUrl);
  const Outbox = outboxModel(ctx.db);
  // The unique dedupe index must exist before the first keyed insert, or a double enqueue slips by.
  await Outbox.init();
  try {
    await Outbox.create({
      to: req.to,
      template: req.template,
      ...rendered,
      nextAttemptAt: ctx.clock.now(),
      dedupeKey: req.dedupeKey,
      ...(req.attachments?.length ? { attachments: req.attachments } : {}),
    });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    throw err;
  }
}

/** What a page may say about an e-mail: 'pending' (queued or being sent), 'sent', 'dead' (gave up). */
export type EmailStatus = 'pending' | 'sent' | 'dead';

/** The delivery state of the message queued with this dedupe key; undefined when none was queued. */
export async function emailStatusFor(ctx: AppContext, dedupeKey: string): Promise<EmailStatus | undefined> {
  const msg = await outboxModel(ctx.db)
    .findOne({ dedupeKey: String(dedupeKey) }, { status: 1 })
    .lean<Pick<OutboxMessage, 'status'>>();
  if (!msg) return undefined;
  return msg.status === 'sending' ? 'pending' : msg.status;
}

/** Newest first, for the admin outbox page. */
export async function listOutbox(ctx: AppContext, limit = 100): Promise<OutboxMessage[]> {
  return outboxModel(ctx.db).find({}).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<OutboxMessage[]>();
}

/**
 * Puts a dead-lettered message back in the queue for one more round of attempts. One whose body was
 * erased (it carried a one-time link) cannot be sent again: the person asks for a new link instead.
 */
export async function retryDeadEmail(ctx: AppContext, id: string): Promise<void> {
  const Outbox = outboxModel(ctx.db);
  const revived = await Outbox.findOneAndUpdate(
    // `null` matches a missing field without a query operator (filters are sanitised).
    { _id: id, status: 'dead', erasedAt: null },
    { $set: { status: 'pending', attempts: 0, nextAttemptAt: ctx.clock.now() } },
    { new: true },
  ).lean();
  if (revived) return;
  const msg = await Outbox.findOne({ _id: id }, { erasedAt: 1 }).lean();
  if (!msg) throw new NotFound();
  throw new Conflict(msg.erasedAt ? 'notifications.errors.erased' : undefined);
}

/** A test message to the admin's own address, to check the mail set-up end to end. */
export async function sendTestEmail(ctx: AppContext, to: string, locale: Locale): Promise<void> {
  await enqueueEmail(ctx, {
    to,
    template: 'notifications/test-message',
    locale,
    data: { at: ctx.clock.now().toISOString() },
  });
}
