/**
 * Runs an identical read-only computation once while it is in flight: callers asking for the same key
 * meanwhile share its result. Nothing is kept once it settles, so no answer predates the request that
 * started it. Meant for heavy reports, where a burst of identical requests would otherwise queue one
 * full computation each on the database.
 */
export class InFlight<V> {
  private readonly running = new Map<string, Promise<V>>();

  run(key: string, compute: () => Promise<V>): Promise<V> {
    const known = this.running.get(key);
    if (known) return known;
    const result = compute().finally(() => this.running.delete(key));
    this.running.set(key, result);
    return result;
  }
}
