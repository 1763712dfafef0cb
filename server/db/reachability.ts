import type { Connection } from 'mongoose';
import type { TopologyDescriptionChangedEvent } from 'mongodb';

const trackers = new WeakMap<Connection, () => boolean>();

/**
 * Whether the driver knows a server that holds data, from its own topology events. Not mongoose's
 * `readyState`: that also reads "disconnected" whenever two heartbeats are late, so a database that
 * is merely busy (a heavy report in the queue) turned every page into a 503 for seconds at a time.
 */
export function databaseReachable(db: Connection): () => boolean {
  const known = trackers.get(db);
  if (known) return known;
  let reachable = db.readyState === 1;
  db.getClient().on('topologyDescriptionChanged', (event: TopologyDescriptionChangedEvent) => {
    reachable = event.newDescription.hasDataBearingServers;
  });
  const check = () => reachable;
  trackers.set(db, check);
  return check;
}
