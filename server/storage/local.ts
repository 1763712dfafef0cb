import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  assertStorageKey,
  FileExists,
  hashingPieces,
  newStorageKey,
  readAll,
  STORAGE_KEY,
  type FileStorage,
  type StoredFile,
} from './storage';

const PIECE = 64 * 1024;

/**
 * Files on local disk under random names, two-level fan-out. Bytes stream into a temporary part file
 * that becomes the file only when complete (rename; a link for putAs, which must not overwrite).
 */
export function createLocalStorage(root: string): FileStorage {
  const pathOf = (key: string) => {
    assertStorageKey(key);
    return path.join(root, key.slice(0, 2), key);
  };

  async function write(key: string, data: Buffer | Readable, overwrite: boolean): Promise<StoredFile> {
    const target = pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    const out = createWriteStream(tmp, { flags: 'wx' });
    const { pieces, tally } = hashingPieces(data, PIECE);
    try {
      for await (const piece of pieces) if (!out.write(piece)) await once(out, 'drain');
      out.end();
      await finished(out);
      if (overwrite) await rename(tmp, target);
      else {
        await link(tmp, target).catch((err: { code?: string }) => {
          throw err.code === 'EEXIST' ? new FileExists(key) : err;
        });
        await rm(tmp, { force: true });
      }
    } catch (err) {
      // Wait for the stream to close (it may still be opening the file) before removing the part.
      out.destroy();
      await finished(out).catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size: tally.size, sha256: tally.sha256() };
  }

  /** Every name in the fan-out folders: files, and the parts of writes in progress or abandoned. */
  async function names(): Promise<string[]> {
    const dirs = await readdir(root).catch(() => [] as string[]);
    const all: string[] = [];
    for (const d of dirs) if (/^[a-f0-9]{2}$/.test(d)) all.push(...(await readdir(path.join(root, d))));
    return all;
  }

  return {
    kind: 'local',
    collections: [],
    put: (data) => write(newStorageKey(), data, true),
    putAs: (key, data) => write(key, data, false),
    read: (key) => readAll(createReadStream(pathOf(key))),
    stream: (key, range) => createReadStream(pathOf(key), range && { start: range.start, end: range.end }),
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        (s) => s.isFile(),
        () => false,
      );
    },
    list: async () => (await names()).filter((f) => STORAGE_KEY.test(f)),
    unfinishedWrites: async () => (await names()).filter((f) => f.endsWith('.part')).length,
  };
}
