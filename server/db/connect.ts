import mongoose, { type Connection } from 'mongoose';

/**
 * A Mongoose instance of our own, so its options never touch a host app's. Queries skip recording
 * where they were executed (a debugging aid for "Query was already executed"): under source maps that
 * stack costs more CPU than the rest of a small query.
 */
const ours = new mongoose.Mongoose({ skipOriginalStackTraces: true });

/** Our own connection (never the global mongoose, which may belong to a host app). */
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
  await db.asPromise();
  return db;
}

/** Every query operation a schema can run (mongoose's query middleware names). */
const QUERY_OPS: mongoose.MongooseQueryMiddleware[] = [
  'countDocuments',
  'deleteMany',
  'deleteOne',
  'distinct',
  'find',
  'findOne',
  'findOneAndDelete',
  'findOneAndReplace',
  'findOneAndUpdate',
  'replaceOne',
  'updateMany',
  'updateOne',
];

const hardened = new WeakSet<mongoose.Schema>();

/**
 * Our models carry their own defence against operator injection, so the connection (which may be a
 * host's) keeps its own settings: every query's filter is sanitised (an operator object from input
 * becomes an equality match; our own operators are marked with `trusted`) and unknown query keys throw.
 */
function harden(schema: mongoose.Schema): void {
  if (hardened.has(schema)) return;
  hardened.add(schema);
  schema.set('strictQuery', 'throw');
  schema.pre(QUERY_OPS, { document: false, query: true }, function (this: mongoose.Query<unknown, unknown>) {
    this.setOptions({ sanitizeFilter: true });
  });
}

/**
 * Models register lazily on first use, once per connection. (The cast keeps the compiler from
 * exploring mongoose's generic overloads, which exhausts its memory.)
 */
export function modelOn<T>(db: Connection, name: string, schema: mongoose.Schema<T>): mongoose.Model<T> {
  const existing = db.models[name] as mongoose.Model<T> | undefined;
  if (existing) return existing;
  harden(schema);
  return db.model(name, schema) as unknown as mongoose.Model<T>;
}
