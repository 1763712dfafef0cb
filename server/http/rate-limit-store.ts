import type { Collection } from 'mongodb';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { AppContext } from '../context';

/** One counter: a limiter's name and a client key, hits in the window that ends at `resetAt`. */
interface Counter {
  _id: string;
  hits: number;
  resetAt: Date;
}

export const RATE_LIMIT_COLLECTION = 'ratelimits';
/** Expired counters are deleted at most this often per process (a TTL index never fires on the embedded server). */
const SWEEP_EVERY_MS = 60_000;
const lastSweep = new WeakMap<object, number>();

const isDuplicate = (err: unknown) => (err as { code?: number })?.code === 11000;

/**
 * An express-rate-limit store in our database, so every process behind a load balancer counts the
 * same hits. Each counter's window starts at its first hit (as the in-memory store's does); every
 * change is one atomic conditional update, so parallel requests in several processes never lose a hit.
 * `name` keeps limiters apart: two limiters with the same name share their counts.
 */
export class MongoRateLimitStore implements Store {
  /** Keys live in the database: the same key in two processes is one counter. */
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;

  constructor(
    private readonly ctx: AppContext,
    name: string,
  ) {
    this.prefix = `${name}:`;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private get counters(): Collection<Counter> {
    return this.ctx.db.collection<Counter>(RATE_LIMIT_COLLECTION);
  }

  private id(key: string): string {
    return `${this.prefix}${key}`;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const now = this.ctx.clock.now();
    const doc = await this.counters.findOne({ _id: this.id(key), resetAt: { $gt: now } });
    return doc ? { totalHits: doc.hits, resetTime: doc.resetAt } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    this.sweep();
    const _id = this.id(key);
    for (let attempt = 0; ; attempt++) {
      const now = this.ctx.clock.now();
      // A live window: count the hit in it.
      const live = await this.counters.findOneAndUpdate(
        { _id, resetAt: { $gt: now } },
        { $inc: { hits: 1 } },
        { returnDocument: 'after' },
      );
      if (live) return { totalHits: live.hits, resetTime: live.resetAt };
      // None, or an expired one: start a window. Two processes racing here insert one document (the
      // loser gets a duplicate-key error, or finds the window already restarted) and go round again.
      const resetAt = new Date(now.getTime() + this.windowMs);
      try {
        const fresh = await this.counters.findOneAndUpdate(
          { _id, resetAt: { $lte: now } },
          { $set: { hits: 1, resetAt } },
          { upsert: true, returnDocument: 'after' },
        );
        if (fresh) return { totalHits: fresh.hits, resetTime: fresh.resetAt };
      } catch (err) {
        if (!isDuplicate(err) || attempt >= 5) throw err;
      }
    }
  }

  async decrement(key: string): Promise<void> {
    const now = this.ctx.clock.now();
    await this.counters.updateOne(
      { _id: this.id(key), resetAt: { $gt: now }, hits: { $gt: 0 } },
      { $inc: { hits: -1 } },
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.counters.deleteOne({ _id: this.id(key) });
  }

  /** Deletes expired counters of every limiter, at most once a minute per process and database. */
  private sweep(): void {
    const now = this.ctx.clock.now().getTime();
    const last = lastSweep.get(this.ctx.db) ?? 0;
    if (Math.abs(now - last) < SWEEP_EVERY_MS) return;
    lastSweep.set(this.ctx.db, now);
    this.counters
      .deleteMany({ resetAt: { $lte: new Date(now) } })
      .catch((err: unknown) => this.ctx.log.warn({ err }, 'rate-limit sweep failed'));
  }
}
