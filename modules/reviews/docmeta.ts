/**
 * Cheap removal of author metadata from documents handed to blind reviewers. Best effort: compressed
 * PDF object streams and metadata inside them are not touched (see the module report).
 */
import { strToU8, strFromU8, zipSync } from 'fflate';
import { AppError } from '../../server/http/errors';
import { DOCX_LIMITS, unzipCapped, ZipRefused } from '../../server/storage/zip';

const PDF_KEYS = ['Author', 'Creator', 'Producer', 'Title', 'Subject', 'Keywords'];
const XMP_TAGS = [
  'dc:creator',
  'dc:title',
  'xmp:CreatorTool',
  'pdf:Producer',
  'pdf:Author',
  'xmpMM:Manifest',
];

/** Same-length blanking keeps every byte offset (the PDF xref table) valid. */
const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');

/** Blanks a PDF literal string starting at `open` (a '('), honouring escapes and nesting. */
function literalEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

export function stripPdfMetadata(input: Buffer): Buffer {
  let text = input.toString('latin1');
  for (const key of PDF_KEYS) {
    const re = new RegExp(`/${key}\\s*([(<])`, 'g');
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const start = m.index + m[0].length - 1;
      if (m[1] === '(') {
        const end = literalEnd(text, start);
        if (end < 0) continue;
        text = text.slice(0, start + 1) + blank(text.slice(start + 1, end)) + text.slice(end);
      } else {
        const end = text.indexOf('>', start);
        if (end < 0 || text[start + 1] === '<') continue;
        const inner = text
          .slice(start + 1, end)
          .replace(/[0-9a-fA-F]/g, (_c, i: number) => (i % 2 ? '0' : '2'));
        text = text.slice(0, start + 1) + inner + text.slice(end);
      }
    }
  }
  for (const tag of XMP_TAGS) {
    const re = new RegExp(`(<${tag}[^>]*>)([\\s\\S]*?)(</${tag}>)`, 'g');
    text = text.replace(re, (_all, a: string, body: string, b: string) => a + blank(body) + b);
  }
  return Buffer.from(text, 'latin1');
}

/**
 * Rewrites docProps (creator, last editor, company) and tracked-change/comment authors in a DOCX.
 * Never inflates more than the upload limit allows (a zip bomb stored before that check is refused,
 * not unpacked), and a file it cannot read is refused rather than handed over unstripped.
 */
export function stripDocxMetadata(input: Buffer): Buffer {
  let entries: Record<string, Uint8Array>;
  try {
    entries = Object.fromEntries(unzipCapped(input, DOCX_LIMITS));
  } catch (err) {
    if (!(err instanceof ZipRefused)) throw err;
    throw new AppError(422, 'reviews.errors.attachmentUnreadable');
  }
  const rewrite = (name: string, fn: (xml: string) => string) => {
    const data = entries[name];
    if (data) entries[name] = strToU8(fn(strFromU8(data)));
  };
  const emptyTags = (xml: string, tags: string[]) =>
    tags.reduce(
      (x, tag) => x.replace(new RegExp(`(<${tag}(?:\\s[^>]*)?>)[\\s\\S]*?(</${tag}>)`, 'g'), '$1$2'),
      xml,
    );
  rewrite('docProps/core.xml', (x) =>
    emptyTags(x, [
      'dc:creator',
      'cp:lastModifiedBy',
      'dc:title',
      'dc:subject',
      'cp:keywords',
      'dc:description',
    ]),
  );
  rewrite('docProps/app.xml', (x) => emptyTags(x, ['Company', 'Manager']));
  for (const name of Object.keys(entries).filter((n) => /^word\/.*\.xml$/.test(n)))
    rewrite(name, (x) => x.replace(/\bw:(author|initials)="[^"]*"/g, 'w:$1=""'));
  return Buffer.from(zipSync(entries));
}

/** Strips what we can for the file's type; other types pass through unchanged. */
export function stripDocumentMetadata(data: Buffer, ext: string): Buffer {
  if (ext === 'pdf') return stripPdfMetadata(data);
  if (ext === 'docx') return stripDocxMetadata(data);
  return data;
}
