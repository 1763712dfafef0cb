import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface StoredFile {
  key: string;
  size: number;
  sha256: string;
}

export type StorageKind = 'local' | 'gridfs';

/**
 * Where uploaded bytes live: the local disk (one process) or GridFS in the database (any number of
 * processes). Both stream in and out, hash while writing, and leave nothing behind when a write fails.
 */
export interface FileStorage {
  readonly kind: StorageKind;
  /** Collections holding the bytes (GridFS): a backup writes them as files, not as documents. */
  readonly collections: readonly string[];
  /** Stores the bytes under a new random key. A source that errors or a failed write leaves nothing. */
  put(data: Buffer | Readable): Promise<StoredFile>;
  /** Stores under a given key (restore, moving between storages); refuses a key that exists. */
  putAs(key: string, data: Buffer | Readable): Promise<StoredFile>;
  read(key: string): Promise<Buffer>;
  /**
   * The bytes (or the inclusive `range` of them, for media players that seek) as a stream; a missing
   * file ends it with an error whose `code` is 'ENOENT'. The caller checks the range against the size.
   */
  stream(key: string, range?: ByteRange): Readable;
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Keys of every complete file (never a write still in progress or abandoned). */
  list(): Promise<string[]>;
  /** Writes begun and not finished (parts on disk, GridFS chunks without a file): in progress, or left by a dead process. */
  unfinishedWrites(): Promise<number>;
}

/** Bytes `start` to `end`, both included (as HTTP's Range header counts them). */
export interface ByteRange {
  start: number;
  end: number;
}

export const STORAGE_KEY = /^[a-f0-9]{32}$/;

export function newStorageKey(): string {
  return randomBytes(16).toString('hex');
}

export function assertStorageKey(key: string): void {
  if (!STORAGE_KEY.test(key)) throw new Error('invalid storage key');
}

/** A file the storage does not hold; `code` matches what the file system says. */
export class MissingFile extends Error {
  readonly code = 'ENOENT';
  constructor(key: string) {
    super(`no stored file ${key}`);
  }
}

/** Whether an error says the file is not there (from either storage). */
export const isMissing = (err: unknown): boolean =>
  err instanceof MissingFile || (err as { code?: unknown } | undefined)?.code === 'ENOENT';

/** putAs on a key already present: nothing is overwritten. */
export class FileExists extends Error {
  readonly code = 'EEXIST';
  constructor(key: string) {
    super(`stored file ${key} exists already`);
  }
}

/**
 * The source as pieces of at most `max` bytes, counted and hashed as they pass, so a writer never
 * holds more than one piece and the hash is ready when the last one is written.
 */
export function hashingPieces(data: Buffer | Readable, max: number) {
  const hash = createHash('sha256');
  const tally = { size: 0, sha256: () => hash.digest('hex') };
  async function* pieces(): AsyncGenerator<Buffer> {
    const source: AsyncIterable<Buffer | string> | Buffer[] = Buffer.isBuffer(data) ? [data] : data;
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = 0; at < buf.length; at += max) {
        const piece = buf.subarray(at, Math.min(at + max, buf.length));
        hash.update(piece);
        tally.size += piece.length;
        yield piece;
      }
    }
  }
  return { pieces: pieces(), tally };
}

/** SHA-256 of a stream, read piece by piece. */
export async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
