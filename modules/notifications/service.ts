import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { outboxModel } from './model';
import { renderEmail } from './render';

export interface EmailRequest {
  to: string;
  template: string;
  locale: Locale;
  data?: Record<string, unknown>;
  /** Same key twice → one message. */
  dedupeKey?: string;
}

/** Queues an e-mail; the outbox worker sends it. Returns false when the dedupe key was already used. */
export async function enqueueEmail(ctx: AppContext, req: EmailRequest): Promise<boolean> {
  const rendered = await renderEmail(req.template, req.locale, req.data ?? {}, ctx.config.baseUrl);
  try {
    await outboxModel(ctx.db).create({
      to: req.to,
      template: req.template,
      ...rendered,
      nextAttemptAt: ctx.clock.now(),
      dedupeKey: req.dedupeKey,
    });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return false;
    throw err;
  }
}
