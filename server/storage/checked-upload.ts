import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { displayName } from '../http/attachment';
import { Invalid } from '../http/errors';

/** A type a module accepts: the extension a name may carry and what the bytes must be. */
export interface AcceptedType {
  ext: string;
  mime: string;
}

/** Why an upload was refused; each module words it in its own messages. */
export class UploadRefused extends Error {
  constructor(readonly problem: 'type' | 'mismatch' | 'image') {
    super(`upload refused: ${problem}`);
  }
}

/** What a record keeps of an upload whose bytes live in storage under `storageKey`. */
export interface StoredUploadFields {
  storageKey: string;
  sha256: string;
  size: number;
  mime: string;
  ext: string;
  /** The cleaned name it was uploaded under (see safeOriginalName). */
  originalName: string;
}

/** The same fields for a mongoose schema, with their bounds. */
export const storedUploadSchemaFields = {
  storageKey: { type: String, required: true, maxlength: 64 },
  sha256: { type: String, required: true, maxlength: 64 },
  size: { type: Number, required: true, min: 0 },
  mime: { type: String, required: true, maxlength: 100 },
  ext: { type: String, required: true, maxlength: 10 },
  originalName: { type: String, required: true, maxlength: 160 },
} as const;

/** A file as multer hands it over (held in memory), or as an importer reads it from disk. */
export interface UploadedFile {
  buffer: Buffer;
  originalname: string;
}

export interface CheckedUpload {
  bytes: Buffer;
  mime: string;
  ext: string;
  originalName: string;
}

/**
 * A display name: last path segment, no control, format (bidi override, zero-width) or path
 * characters, bounded length.
 */
export function safeOriginalName(name: string): string {
  const base = displayName(name).split(/[\\/]/).pop() ?? '';
  const cleaned = [...base]
    .filter((ch) => !'<>:"|?*'.includes(ch))
    .join('')
    .replace(/^\.+/, '')
    .trim();
  const ext = path.extname(cleaned);
  const stem = cleaned.slice(0, cleaned.length - ext.length).slice(0, 120 - ext.length);
  return (stem + ext).slice(0, 120) || 'file';
}

const IMAGES = new Set(['jpg', 'png', 'webp']);

/**
 * The name's extension must be accepted and the bytes must really be that type (sniffed, never
 * trusted from the browser). Images are decoded and written afresh, which drops EXIF, GPS and XMP:
 * a screenshot or photo never carries where it was taken.
 */
export async function checkUpload(
  file: UploadedFile,
  accepted: Record<string, AcceptedType>,
): Promise<CheckedUpload> {
  const originalName = safeOriginalName(file.originalname);
  const allowed = accepted[path.extname(originalName).slice(1).toLowerCase()];
  if (!allowed) throw new UploadRefused('type');
  const detected = await fileTypeFromBuffer(file.buffer);
  if (!detected || detected.ext !== allowed.ext) throw new UploadRefused('mismatch');
  let bytes = file.buffer;
  if (IMAGES.has(allowed.ext)) {
    try {
      // Rotate by EXIF, then write a fresh image: sharp keeps no metadata unless asked.
      const img = sharp(file.buffer, { limitInputPixels: 40_000_000, failOn: 'error' }).rotate();
      bytes =
        allowed.ext === 'jpg'
          ? await img.jpeg({ quality: 88 }).toBuffer()
          : allowed.ext === 'png'
            ? await img.png().toBuffer()
            : await img.webp().toBuffer();
    } catch {
      throw new UploadRefused('image');
    }
  }
  return { bytes, mime: allowed.mime, ext: allowed.ext, originalName };
}

/** checkUpload, with a refusal as a 400 in the module's own words: the i18n key `${keyPrefix}${problem}`. */
export async function checkUploadOrRefuse(
  file: UploadedFile,
  accepted: Record<string, AcceptedType>,
  keyPrefix: string,
): Promise<CheckedUpload> {
  try {
    return await checkUpload(file, accepted);
  } catch (err) {
    if (err instanceof UploadRefused) throw new Invalid(`${keyPrefix}${err.problem}`);
    throw err;
  }
}
