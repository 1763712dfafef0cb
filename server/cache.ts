/**
 * In-process cache for content that changes only when staff publish or import (course outlines, quiz
 * definitions), so hot pages read it without a database round trip. It holds promises: parallel
 * misses share one load, and a failed load is forgotten. The process that writes drops the entry at
 * once; other processes see the change within `ttlMs`. Times come from the caller's clock.
 */
export class ContentCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  get(key: string, now: number, load: () => PromiseLike<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && Math.abs(now - hit.at) < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    // Resolved once here: a mongoose query is a thenable that would run again on every then().
    const value = Promise.resolve(load());
    this.entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  drop(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix` (e.g. everything of one database). */
  dropPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
