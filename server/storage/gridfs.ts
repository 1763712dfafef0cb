import { Readable } from 'node:stream';
import { GridFSBucket, ObjectId, type Db, type GridFSBucketWriteStream } from 'mongodb';
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
  type StoredFile,
} from './storage';

export const GRIDFS_BUCKET = 'uploads';
const CHUNK_BYTES = 255 * 1024;

interface ChunkRef {
  files_id: ObjectId;
}

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
    db().collection<{ _id: ObjectId; filename: string; length: number }>(`${bucketName}.files`);
  const chunks = () => db().collection<ChunkRef>(`${bucketName}.chunks`);

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

  async function* relay(key: string): AsyncGenerator<Buffer> {
    const source = getBucket().openDownloadStreamByName(key);
    try {
      for await (const chunk of source) yield chunk as Buffer;
    } catch (err) {
      throw (err as { code?: string }).code === 'ENOENT' ? new MissingFile(key) : err;
    } finally {
      source.destroy();
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
    stream(key) {
      assertStorageKey(key);
      return Readable.from(relay(key), { objectMode: false });
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
