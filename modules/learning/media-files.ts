import path from 'node:path';
import { asciiFileName } from '../../server/http/attachment';
import type { AcceptedType } from '../../server/storage/checked-upload';
import type { BlockType } from './model';

/**
 * The rules for lesson media, shared by the upload form, the publish check and the course importer:
 * which files a lesson may carry, how they are named, and which block may show which file.
 * A block points at a file of its course's library as `media/<name>`.
 */
export const MEDIA_PREFIX = 'media/';

export type MediaKind = 'image' | 'audio' | 'video' | 'file';

interface MediaType extends AcceptedType {
  kind: MediaKind;
}

/** Declared extension → what the bytes must be. Images are re-encoded without metadata on upload. */
export const MEDIA_TYPES: Record<string, MediaType> = {
  jpg: { ext: 'jpg', mime: 'image/jpeg', kind: 'image' },
  jpeg: { ext: 'jpg', mime: 'image/jpeg', kind: 'image' },
  png: { ext: 'png', mime: 'image/png', kind: 'image' },
  webp: { ext: 'webp', mime: 'image/webp', kind: 'image' },
  mp3: { ext: 'mp3', mime: 'audio/mpeg', kind: 'audio' },
  m4a: { ext: 'm4a', mime: 'audio/mp4', kind: 'audio' },
  mp4: { ext: 'mp4', mime: 'video/mp4', kind: 'video' },
  webm: { ext: 'webm', mime: 'video/webm', kind: 'video' },
  pdf: { ext: 'pdf', mime: 'application/pdf', kind: 'file' },
};

/** Trainees read on phones over slow links: a lesson file is at most this, and the page says its size. */
export const MAX_MEDIA_MB = 30;
export const MAX_MEDIA_PER_COURSE = 200;
/** A whole library, so the course still travels as one archive (see interop's archive limits). */
export const MAX_LIBRARY_MB = 300;

/** A stored name: lower-case ASCII letters, digits and dashes, then the type's extension. */
export const MEDIA_NAME = /^[a-z0-9][a-z0-9-]{0,59}\.(jpg|png|webp|mp3|m4a|mp4|webm|pdf)$/;

/** "Схем 1 (final).PNG" → "skhem-1-final.png": the name a block refers to. */
export function mediaName(uploadedName: string, ext: string): string {
  const ascii = asciiFileName(uploadedName, 'media');
  const stem = ascii
    .slice(0, ascii.length - path.extname(ascii).length)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${stem || 'media'}.${ext}`;
}

export const kindOfName = (name: string): MediaKind | undefined =>
  MEDIA_TYPES[path.extname(name).slice(1)]?.kind;

/** The library name a block's `src` refers to, or undefined for anything else (a web address). */
export function mediaRef(src: string | undefined): string | undefined {
  if (!src?.startsWith(MEDIA_PREFIX)) return undefined;
  return src.slice(MEDIA_PREFIX.length);
}

/**
 * What is wrong with a block's file, as an i18n key (none: fine). Images, audio and video must come from
 * the course's library (the page's security policy loads nothing from other sites) and be of their
 * kind; a file block may also link to a web address.
 */
export function blockMediaProblem(
  block: { type: BlockType; src?: string },
  has: (name: string) => boolean,
): string | undefined {
  if (block.type === 'markdown' || block.type === 'callout') return undefined;
  const src = block.src?.trim();
  if (!src) return 'learning.media.errors.missingSrc';
  const name = mediaRef(src);
  if (name === undefined)
    return block.type === 'file' && /^https:\/\//i.test(src)
      ? undefined
      : 'learning.media.errors.notInLibrary';
  if (!has(name)) return 'learning.media.errors.unknown';
  const kind = kindOfName(name);
  if (block.type !== 'file' && kind !== block.type) return `learning.media.errors.kind.${block.type}`;
  return undefined;
}
