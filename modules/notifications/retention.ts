import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import { outboxModel, type OutboxMessage } from './model';

/**
 * Templates whose body carries a one-time secret: a link that signs its reader in or sets a password.
 * Their text is never shown on the outbox page, and is erased as soon as the message is sent or given up.
 */
const ONE_TIME_LINK_TEMPLATES: readonly string[] = ['accounts/password-reset', 'accounts/invitation'];

export const carriesSecret = (template: string) => ONE_TIME_LINK_TEMPLATES.includes(template);

/**
 * Whether a message's body goes when it settles. A sent body is read by nothing afterwards, so it goes
 * (development keeps the harmless ones for the outbox page); a dead letter keeps its body for an
 * admin's "send again", unless it carries a secret.
 */
export function eraseOnSettle(
  ctx: AppContext,
  msg: Pick<OutboxMessage, 'template'>,
  status: 'sent' | 'dead',
): boolean {
  if (carriesSecret(msg.template)) return true;
  return status === 'sent' && ctx.config.env !== 'development';
}

/** An erasure empties everything the recipient reads; to, subject and template stay for the list. */
export const erasure = (now: Date) => ({
  $set: { text: '', html: '', erasedAt: now },
  $unset: { attachments: '' },
});

/** The body may be shown to an admin: in development only, and never one with a secret. */
export const mayShowBody = (ctx: AppContext, msg: Pick<OutboxMessage, 'template'>) =>
  ctx.config.env === 'development' && !carriesSecret(msg.template);

const swept = new WeakSet<object>();

/**
 * Erases, once per process and database, bodies that settled before erasure existed, so no reset or
 * invitation link queued by an older version outlives the upgrade.
 */
export async function sweepSettledBodies(ctx: AppContext): Promise<void> {
  if (swept.has(ctx.db)) return;
  const notErased = null; // `null` matches the missing field without a query operator
  const secret = mongoose.trusted({ $in: ONE_TIME_LINK_TEMPLATES });
  const settled = mongoose.trusted({ $in: ['sent', 'dead'] });
  const stale: Array<Record<string, unknown>> = [{ status: settled, template: secret, erasedAt: notErased }];
  if (ctx.config.env !== 'development') stale.push({ status: 'sent', erasedAt: notErased });
  await outboxModel(ctx.db).updateMany({ $or: stale }, erasure(ctx.clock.now()));
  swept.add(ctx.db);
}
