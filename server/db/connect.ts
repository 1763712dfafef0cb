import mongoose, { type Connection } from 'mongoose';

/**
 * A Mongoose instance of our own, so its options never touch a host app's. Queries skip recording
 * where they were executed (a debugging aid for "Query was already executed"): under source maps that
 * stack costs more CPU than the rest of a small query.
 */
const ours = new mongoose.Mongoose({ skipOriginalStackTraces: true });

/**
 * Our own connection (never the global mongoose, which may belong to a host app), hardened against
 * operator injection: filters are sanitised and unknown query keys throw.
 */
export async function connectDatabase(uri: string, dbName?: string): Promise<Connection> {
  const db = ours.createConnection(uri, {
    dbName,
    serverSelectionTimeoutMS: 3000,
    // Notice an outage and a recovery within seconds, not the driver's default 10 s.
    heartbeatFrequencyMS: 2000,
    // Fail fast while the database is down instead of queueing requests: the user sees a 503.
    bufferCommands: false,
    autoIndex: true,
  });
  hardenConnection(db);
  await db.asPromise();
  return db;
}

export function hardenConnection(db: Connection): void {
  db.set('sanitizeFilter', true);
  db.plugin((schema: mongoose.Schema) => {
    schema.set('strictQuery', 'throw');
  });
}

/**
 * Models register lazily on first use, once per connection. (The cast keeps the compiler from
 * exploring mongoose's generic overloads, which exhausts its memory.)
 */
export function modelOn<T>(db: Connection, name: string, schema: mongoose.Schema<T>): mongoose.Model<T> {
  return (
    (db.models[name] as mongoose.Model<T> | undefined) ??
    (db.model(name, schema) as unknown as mongoose.Model<T>)
  );
}
