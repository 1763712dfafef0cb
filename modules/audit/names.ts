import type { AppContext } from '../../server/context';
import type { AuditEvent } from './model';

/**
 * Where the modules that own people and records name them for the log, without audit importing them
 * (they all sit above audit: they record events). Each registers in its own index.ts.
 */
export interface AuditNamer {
  /** Record types it names; 'user' also names who did each event. */
  types: string[];
  names(ctx: AppContext, type: string, ids: string[]): Promise<Map<string, string>>;
}

const namers = new Set<AuditNamer>();

/** Registers once per namer object (re-registering the same object is a no-op). */
export function extendAudit(namer: AuditNamer): void {
  namers.add(namer);
}

const isId = (v?: string): v is string => !!v && /^[a-f0-9]{24}$/i.test(v);

/** Names keyed `type:id` for the actors (as `user:id`) and targets of these events; unknown ids stay out. */
export async function auditNames(ctx: AppContext, events: AuditEvent[]): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<string>>();
  const want = (type: string, id?: string) => {
    if (!isId(id)) return;
    if (!wanted.has(type)) wanted.set(type, new Set());
    wanted.get(type)!.add(id);
  };
  for (const e of events) {
    want('user', e.actorId ? String(e.actorId) : undefined);
    want(e.targetType, e.targetId);
  }
  const out = new Map<string, string>();
  const lookups = [...namers].flatMap((n) =>
    n.types
      .filter((type) => wanted.has(type))
      .map(async (type) => {
        const found = await n.names(ctx, type, [...wanted.get(type)!]);
        for (const [id, name] of found) if (name) out.set(`${type}:${id}`, name);
      }),
  );
  await Promise.all(lookups);
  return out;
}
