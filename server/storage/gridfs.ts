import { Readable } from 'node:stream';
import { GridFSBucket, ObjectId, type Binary, type Db, type GridFSBucketWriteStream } from 'mongodb';
import type { Connection } from 'mongoose';
import {
  assertStorageKey,
  FileExists,
  hashingPieces,
  MissingFile,
  newStorageKey,
  readAll,
  STORAGE_KEY,
  type FileStorage,
  type ByteRange,
  type StoredFile,
} from './storage';

export const GRIDFS_BUCKET = 'uploads';
const CHUNK_BYTES = 255 * 1024;

interface Chunk {
  files_id: ObjectId;
  n: number;
  data: Binary;
}

/** Chunks fetched per round trip when reading: a file is never in memory whole, only ~4 MB of it. */
const READ_BATCH = 16;

/**
 * Files in the database (GridFS: `uploads.files` and `uploads.chunks`), so every app process on the
 * same database serves every file. The storage key is the GridFS `filename`; each write has its own
 * ObjectId, so cleaning up a failed write can only ever touch that write's chunks.
 *
 * GridFS writes the `files` document after the last chunk: until then (and forever, if the process
 * dies mid-write) the chunks belong to no file, are invisible to reads and `list`, and are counted by
 * `unfinishedWrites`.
 */
export function createGridFsStorage(connection: Connection, bucketName = GRIDFS_BUCKET) {
  const db = (): Db => {
    // The mongoose connection's own driver database: same pool, same settings.
    const d = connection.db as Db | undefined;
    if (!d) throw new Error('GridFS storage: the database is not connected');
    return d;
  };
  let bucket: { db: Db; bucket: GridFSBucket } | undefined;
  const getBucket = () => {
    const d = db();
    if (bucket?.db !== d)
      bucket = { db: d, bucket: new GridFSBucket(d, { bucketName, chunkSizeBytes: CHUNK_BYTES }) };
    return bucket.bucket;
  };
  const files = () =>
    db().collection<{ _id: ObjectId; filename: string; length: number; chunkSize: number; uploadDate: Date }>(
      `${bucketName}.files`,
    );
  const chunks = () => db().collection<Chunk>(`${bucketName}.chunks`);

  // The driver creates these only on a process's first upload; a process that only reads (or a fresh
  // database) needs the filename index too. Same keys and options as the driver's, so they never clash.
  let indexed: Promise<void> | undefined;
  const ensureIndexes = () =>
    (indexed ??= Promise.all([
      files().createIndex({ filename: 1, uploadDate: 1 }, { background: false }),
      chunks().createIndex({ files_id: 1, n: 1 }, { unique: true, background: true }),
    ]).then(
      () => undefined,
      (err: unknown) => {
        indexed = undefined;
        throw err;
      },
    ));

  const writePiece = (up: GridFSBucketWriteStream, piece: Buffer) =>
    new Promise<void>((resolve, reject) => up.write(piece, (err) => (err ? reject(err) : resolve())));
  const endStream = (up: GridFSBucketWriteStream) =>
    new Promise<void>((resolve, reject) => {
      up.once('finish', resolve);
      up.once('error', reject);
      up.end();
    });

  async function write(key: string, data: Buffer | Readable): Promise<StoredFile> {
    assertStorageKey(key);
    await ensureIndexes();
    const id = new ObjectId();
    const up = getBucket().openUploadStreamWithId(id, key);
    up.on('error', () => undefined); // failures arrive through the write and end callbacks
    // Pieces no bigger than a chunk: each write inserts at most one chunk and its callback waits for
    // it, so when anything fails no insert of this write is still in flight and the cleanup is final.
    const { pieces, tally } = hashingPieces(data, CHUNK_BYTES);
    try {
      for await (const piece of pieces) await writePiece(up, piece);
      await endStream(up);
    } catch (err) {
      up.destroy();
      await Promise.all([chunks().deleteMany({ files_id: id }), files().deleteOne({ _id: id })]).catch(
        () => undefined,
      );
      throw err;
    }
    return { key, size: tally.size, sha256: tally.sha256() };
  }

  /**
   * Reads the newest file of that name chunk by chunk (only the chunks a range covers), checking each
   * chunk's number and size as the GridFS spec asks. (Not the driver's download stream: its cursor takes
   * the server's default batch, and mongo-java-server answers that with every chunk of the file at once.)
   */
  async function* chunksOf(key: string, range?: ByteRange): AsyncGenerator<Buffer> {
    const file = await files().findOne({ filename: key }, { sort: { uploadDate: -1 } });
    if (!file) throw new MissingFile(key);
    const size = file.chunkSize;
    const count = Math.ceil(file.length / size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? file.length - 1, file.length - 1);
    const first = Math.floor(start / size);
    const last = end < start ? first - 1 : Math.floor(end / size);
    const cursor = chunks()
      .find({ files_id: file._id, n: { $gte: first, $lte: last } }, { projection: { n: 1, data: 1 } })
      .sort({ n: 1 })
      .batchSize(READ_BATCH);
    try {
      let n = first;
      for await (const chunk of cursor) {
        const expected = n === count - 1 ? file.length - n * size : size;
        if (chunk.n !== n || n > last || chunk.data.length() !== expected)
          throw new Error(`GridFS file ${key}: chunk ${n} is missing, extra or the wrong size`);
        const bytes = chunk.data.buffer;
        const from = n === first ? start - n * size : 0;
        const to = n === last ? end - n * size + 1 : expected;
        n++;
        yield Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from);
      }
      if (n !== last + 1) throw new Error(`GridFS file ${key}: ${last + 1 - n} chunks missing`);
    } finally {
      await cursor.close();
    }
  }

  const storage: FileStorage = {
    kind: 'gridfs',
    collections: [`${bucketName}.files`, `${bucketName}.chunks`],
    put: (data) => write(newStorageKey(), data),
    async putAs(key, data) {
      if (await storage.exists(key)) throw new FileExists(key);
      return write(key, data);
    },
    read: (key) => readAll(storage.stream(key)),
    stream(key, range) {
      assertStorageKey(key);
      return Readable.from(chunksOf(key, range), { objectMode: false });
    },
    async remove(key) {
      assertStorageKey(key);
      const ids = (
        await files()
          .find({ filename: key }, { projection: { _id: 1 } })
          .toArray()
      ).map((f) => f._id);
      if (!ids.length) return;
      // The file disappears for readers first; its chunks follow.
      await files().deleteMany({ _id: { $in: ids } });
      await chunks().deleteMany({ files_id: { $in: ids } });
    },
    async exists(key) {
      assertStorageKey(key);
      return (await files().countDocuments({ filename: key }, { limit: 1 })) > 0;
    },
    async list() {
      const keys = new Set<string>();
      for await (const f of files().find({}, { projection: { filename: 1 } }))
        if (STORAGE_KEY.test(f.filename)) keys.add(f.filename);
      return [...keys];
    },
    async unfinishedWrites() {
      const owners = await chunks().distinct('files_id');
      if (!owners.length) return 0;
      const known = new Set(
        (
          await files()
            .find({ _id: { $in: owners } }, { projection: { _id: 1 } })
            .toArray()
        ).map((f) => String(f._id)),
      );
      return owners.filter((o) => !known.has(String(o))).length;
    },
  };
  return storage;
}
