import type { AppContext } from '../../server/context';
import { outboxModel } from '../../modules/notifications/model';

/**
 * The newest outbox message to `to` from `template`, waiting for background enqueues (returns as soon
 * as it is there; the long deadline is for a loaded machine).
 */
export async function waitForEmail(ctx: AppContext, to: string, template: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const msg = await outboxModel(ctx.db).findOne({ to, template }).sort({ createdAt: -1 }).lean();
    if (msg) return msg;
    if (Date.now() > deadline) {
      const all = await outboxModel(ctx.db).find({}, { to: 1, template: 1 }).lean();
      throw new Error(`no ${template} e-mail to ${to}; outbox: ${JSON.stringify(all)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The token from a `/reset/<token>` or `/invite/<token>` link in a text e-mail. */
export function linkToken(text: string, kind: 'reset' | 'invite'): string {
  const m = new RegExp(`/${kind}/([A-Za-z0-9_-]+)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${kind} link in e-mail`);
  return m[1];
}
