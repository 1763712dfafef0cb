import type { Connection } from 'mongoose';
import type { TopologyDescription } from 'mongodb';

/**
 * Whether the driver currently knows a server that holds data, read live from its topology (as
 * mongoose itself reads it). Not mongoose's `readyState`: that also reads "disconnected" whenever two
 * heartbeats are late, so a database that is merely busy (a heavy report in the queue) turned every
 * page into a 503 for seconds at a time. Read per call, so a replaced client is followed too.
 */
export function databaseReachable(db: Connection): () => boolean {
  return () => {
    const client = db.getClient() as unknown as
      { topology?: { description: TopologyDescription } } | undefined;
    return client?.topology?.description.hasDataBearingServers ?? false;
  };
}

const UNREACHABLE = new Set([
  'MongooseServerSelectionError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
]);

/** Whether an error says the database could not be reached (not that it refused what was asked). */
export function isUnreachable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  if (UNREACHABLE.has(e?.name ?? '')) return true;
  return /buffering timed out|Client must be connected|connection .* closed/i.test(e?.message ?? '');
}
