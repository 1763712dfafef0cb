import type { ByteRange } from '../storage/storage';

/**
 * The one byte range a `Range` header asks of a file of `size` bytes (RFC 9110 §14.1.2), as media
 * players ask when they seek: `bytes=0-99`, `bytes=100-`, `bytes=-500` (the last 500). No header, a
 * unit other than bytes, several ranges or a malformed one: undefined, and the whole file is sent
 * (the RFC allows ignoring Range). A range that starts past the end: 'unsatisfiable' (a 416).
 */
export function byteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
