/**
 * Zip archives from users (DOCX attachments) read with hard limits, so a few hundred kilobytes that
 * inflate to gigabytes (a zip bomb) are refused instead of filling memory.
 *
 * The central directory is read by hand (no library trusts it for us); every entry is inflated while
 * its real output is counted — declared sizes are never believed — and reading stops at the cap.
 * ZIP64, encryption and methods other than stored/deflate are refused: Office never needs them.
 */
import { createInflateRaw, inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Files in the archive. */
  maxEntries: number;
  /** Decompressed bytes, all entries together. */
  maxTotalBytes: number;
}

/** Word documents: a long report with photos is a few hundred parts and a few tens of MB inflated. */
export const DOCX_LIMITS: ZipLimits = { maxEntries: 1000, maxTotalBytes: 64 * 1024 * 1024 };

export type ZipProblem = 'entries' | 'size' | 'corrupt' | 'unsupported';

export class ZipRefused extends Error {
  constructor(readonly problem: ZipProblem) {
    super(`zip refused: ${problem}`);
  }
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  dataStart: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The central directory: every entry's name, method, sizes and where its data starts. */
function listEntries(buf: Buffer, limits: ZipLimits): Entry[] {
  const corrupt = () => new ZipRefused('corrupt');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--)
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw corrupt();
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    throw new ZipRefused('unsupported');
  if (count > limits.maxEntries) throw new ZipRefused('entries');
  if (cdOffset + cdSize > eocd) throw corrupt();
  const entries: Entry[] = [];
  const names = new Set<string>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CENTRAL) throw corrupt();
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLength);
    if (flags & 0x1) throw new ZipRefused('unsupported'); // encrypted
    if (method !== 0 && method !== 8) throw new ZipRefused('unsupported');
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localOffset === 0xffffffff)
      throw new ZipRefused('unsupported');
    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== LOCAL) throw corrupt();
    const dataStart =
      localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > buf.length) throw corrupt();
    if (method === 0 && compressedSize !== uncompressedSize) throw corrupt();
    // Two entries of one name: readers disagree on which counts (a stripped copy beside the original).
    if (names.has(name)) throw corrupt();
    names.add(name);
    entries.push({ name, method, compressedSize, uncompressedSize, dataStart });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Checks an archive without keeping what it inflates: each entry streams through inflate, its output
 * counted and dropped, and the stream is destroyed the moment the total passes the cap. Throws
 * ZipRefused; returns the entry count and real decompressed size otherwise.
 */
export async function checkZip(buf: Buffer, limits: ZipLimits): Promise<{ entries: number; bytes: number }> {
  const entries = listEntries(buf, limits);
  let total = 0;
  for (const entry of entries) {
    const data = buf.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    if (entry.method === 0) {
      total += data.length;
      if (total > limits.maxTotalBytes) throw new ZipRefused('size');
      continue;
    }
    await new Promise<void>((resolve, reject) => {
      const inflate = createInflateRaw();
      inflate.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxTotalBytes) {
          inflate.destroy();
          reject(new ZipRefused('size'));
        }
      });
      inflate.on('end', resolve);
      inflate.on('error', () => reject(new ZipRefused('corrupt')));
      inflate.end(data);
    });
  }
  return { entries: entries.length, bytes: total };
}

/**
 * Every entry inflated into memory, never more than the cap in all (each inflate is told how much is
 * left). For rewriting small archives after checkZip; throws ZipRefused like it.
 */
export function unzipCapped(buf: Buffer, limits: ZipLimits): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let left = limits.maxTotalBytes;
  for (const entry of listEntries(buf, limits)) {
    const data = buf.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    let bytes: Buffer;
    if (entry.method === 0) bytes = Buffer.from(data);
    else {
      try {
        bytes = inflateRawSync(data, { maxOutputLength: Math.max(1, left) });
      } catch (err) {
        throw new ZipRefused((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'size' : 'corrupt');
      }
    }
    left -= bytes.length;
    if (left < 0) throw new ZipRefused('size');
    out.set(entry.name, bytes);
  }
  return out;
}
