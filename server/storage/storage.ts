import type { Readable } from 'node:stream';

export interface StoredFile {
  key: string;
  size: number;
  sha256: string;
}

/** Where uploaded bytes live. Local disk now; an S3-compatible store can implement the same. */
export interface FileStorage {
  put(data: Buffer): Promise<StoredFile>;
  read(key: string): Promise<Buffer>;
  stream(key: string): Readable;
  remove(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  list(): Promise<string[]>;
}
