import { performance } from 'node:perf_hooks';
import type { Collection } from 'mongodb';
import type { Connection } from 'mongoose';

/**
 * In-process cache for content that changes only when staff publish or import (course outlines, quiz
 * definitions), so hot pages read it without a database round trip. It holds promises: parallel
 * misses share one load, and a failed load is forgotten. Entries read through `current` carry the
 * database's content version (below): a publish in any process makes them stale everywhere within
 * CONTENT_CHECK_MS. `ttlMs` is a backstop; its times come from the caller's clock.
 */
export class ContentCache<V> {
  private readonly entries = new Map<string, { at: number; version: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  /** The entry, loaded again when older than `ttlMs` or from another content version. */
  get(key: string, now: number, load: () => PromiseLike<V>, version = 0): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version && Math.abs(now - hit.at) < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    // Resolved once here: a mongoose query is a thenable that would run again on every then().
    const value = Promise.resolve(load());
    this.entries.set(key, { at: now, version, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** As `get`, checked against the content version of `db` (read at most once per CONTENT_CHECK_MS). */
  async current(db: Connection, key: string, now: number, load: () => PromiseLike<V>): Promise<V> {
    return this.get(key, now, load, await contentVersion(db));
  }

  drop(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix` (e.g. everything of one database). */
  dropPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

/** How often a process reads the content version at most: the delay before it serves another's publish. */
export const CONTENT_CHECK_MS = 1000;
export const CONTENT_VERSION_COLLECTION = 'contentversion';

interface VersionDoc {
  _id: string;
  v: number;
}
interface VersionState {
  value: number;
  /** Monotonic time of the last read (a test's fixed clock must not freeze the check). */
  readAt: number;
  reading?: Promise<number>;
}
const versions = new WeakMap<Connection, VersionState>();

const versionDocs = (db: Connection): Collection<VersionDoc> =>
  db.collection<VersionDoc>(CONTENT_VERSION_COLLECTION);

/**
 * The database's content version, as this process last read it: one small read per second at most,
 * shared by every request that asks meanwhile. If the read fails the last value stands (the loads
 * behind it would fail the request anyway, and the next call reads again).
 */
export function contentVersion(db: Connection): Promise<number> {
  let state = versions.get(db);
  if (!state) versions.set(db, (state = { value: -1, readAt: -Infinity }));
  const s = state;
  if (performance.now() - s.readAt < CONTENT_CHECK_MS) return Promise.resolve(s.value);
  s.reading ??= versionDocs(db)
    .findOne({ _id: 'content' })
    .then(
      (doc) => {
        s.value = doc?.v ?? 0;
        s.readAt = performance.now();
        return s.value;
      },
      () => s.value,
    )
    .finally(() => (s.reading = undefined));
  return s.reading;
}

/**
 * Called after content changed (publish, import, reorder): every process's cached content of this
 * database turns stale. This process sees the new version at once.
 */
export async function bumpContentVersion(db: Connection): Promise<void> {
  const bump = () =>
    versionDocs(db).findOneAndUpdate(
      { _id: 'content' },
      { $inc: { v: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
  // Two first bumps racing both try to insert: the loser increments the winner's document.
  const doc = await bump().catch((err: { code?: number }) => {
    if (err?.code !== 11000) throw err;
    return bump();
  });
  const state = versions.get(db);
  if (doc && state && doc.v > state.value) Object.assign(state, { value: doc.v, readAt: performance.now() });
}
