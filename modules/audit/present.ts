import type { AuditEvent } from './model';

export interface AuditRow {
  id: string;
  at: Date;
  actorId?: string;
  /** The person's name, when the module that owns people knows them (else the id is shown). */
  actorName?: string;
  actorRole?: string;
  action: string;
  targetType: string;
  targetId?: string;
  /** The record's name (a person, a pitch or call title), when its module names it. */
  targetName?: string;
}

/** What the log page shows; `meta` stays out of the page (it may hold details only services need). */
export function presentAudit(events: AuditEvent[], names: Map<string, string> = new Map()): AuditRow[] {
  return events.map((e) => ({
    id: String(e._id),
    at: e.at,
    actorId: e.actorId ? String(e.actorId) : undefined,
    actorName: e.actorId ? names.get(`user:${String(e.actorId)}`) : undefined,
    actorRole: e.actorRole,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    targetName: e.targetId ? names.get(`${e.targetType}:${e.targetId}`) : undefined,
  }));
}
