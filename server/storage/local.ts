import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { FileStorage } from './storage';

const KEY = /^[a-f0-9]{32}$/;

/** Files on local disk under random names, two-level fan-out, written atomically via rename. */
export function createLocalStorage(root: string): FileStorage {
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new Error('invalid storage key');
    return path.join(root, key.slice(0, 2), key);
  };
  return {
    async put(data) {
      const key = randomBytes(16).toString('hex');
      const target = pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.part`;
      await writeFile(tmp, data, { flag: 'wx' });
      await rename(tmp, target);
      return { key, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    },
    read: (key) => readFile(pathOf(key)),
    stream: (key) => createReadStream(pathOf(key)),
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async exists(key) {
      return stat(pathOf(key)).then(
        () => true,
        () => false,
      );
    },
    async list() {
      const dirs = await readdir(root).catch(() => [] as string[]);
      const keys: string[] = [];
      for (const d of dirs) {
        if (!/^[a-f0-9]{2}$/.test(d)) continue;
        for (const f of await readdir(path.join(root, d))) if (KEY.test(f)) keys.push(f);
      }
      return keys;
    },
  };
}
