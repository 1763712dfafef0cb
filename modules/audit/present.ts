import type { AuditEvent } from './model';

export interface AuditRow {
  id: string;
  at: Date;
  actorId?: string;
  actorRole?: string;
  action: string;
  targetType: string;
  targetId?: string;
}

/** What the log page shows; `meta` stays out of the page (it may hold details only services need). */
export function presentAudit(events: AuditEvent[]): AuditRow[] {
  return events.map((e) => ({
    id: String(e._id),
    at: e.at,
    actorId: e.actorId ? String(e.actorId) : undefined,
    actorRole: e.actorRole,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
  }));
}
