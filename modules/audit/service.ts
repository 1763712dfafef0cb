import mongoose from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { auditModel, type AuditEvent } from './model';

export interface AuditTarget {
  type: string;
  id?: string | { toString(): string };
}

/** Records one event. Call it right after the state change it describes succeeds. */
export async function recordAudit(
  ctx: AppContext,
  // A person (by their role), or an integration acting by its API token (role 'api-token').
  actor: (Pick<SessionUser, 'id'> & { role: string }) | undefined,
  action: string,
  target: AuditTarget,
  meta?: Record<string, unknown>,
): Promise<void> {
  await auditModel(ctx.db).create({
    at: ctx.clock.now(),
    actorId: actor?.id,
    actorRole: actor?.role,
    action,
    targetType: target.type,
    targetId: target.id === undefined ? undefined : String(target.id),
    meta,
  });
}

export interface AuditQuery {
  targetType?: string;
  targetId?: string;
  action?: string;
  before?: Date;
  /** With `before`: the last event shown, for exact paging when several share one instant. */
  beforeId?: string;
  limit?: number;
}

/** Newest first, paged by time (`before`) so long logs stay cheap to read. */
export async function listAudit(ctx: AppContext, q: AuditQuery = {}) {
  const filter: Record<string, unknown> = {};
  if (q.targetType) filter.targetType = String(q.targetType);
  if (q.targetId) filter.targetId = String(q.targetId);
  if (q.action) filter.action = String(q.action);
  // sanitizeFilter would neutralise a plain operator object; this one is built here, not from input
  if (q.before && q.beforeId) {
    // Events sharing the boundary instant are split by id, so none is skipped between pages.
    filter.$or = [
      { at: mongoose.trusted({ $lt: new Date(q.before) }) },
      { at: new Date(q.before), _id: mongoose.trusted({ $lt: new mongoose.Types.ObjectId(q.beforeId) }) },
    ];
  } else if (q.before) filter.at = mongoose.trusted({ $lt: new Date(q.before) });
  return auditModel(ctx.db)
    .find(filter)
    .sort({ at: -1, _id: -1 })
    .limit(Math.min(q.limit ?? 100, 500))
    .lean<AuditEvent[]>();
}
