import path from 'node:path';
import type { Connection } from 'mongoose';
import { createGridFsStorage } from './gridfs';
import { createLocalStorage } from './local';
import type { FileStorage, StorageKind } from './storage';

/** The storage STORAGE names: the uploads folder on this machine, or GridFS on the app's database. */
export function createStorage(
  kind: StorageKind,
  where: { uploadsDir: string; connection: Connection },
): FileStorage {
  return kind === 'gridfs'
    ? createGridFsStorage(where.connection)
    : createLocalStorage(path.resolve(where.uploadsDir));
}
