/**
 * Removes what names the author from documents handed to blind reviewers. A file it cannot read or
 * clean is refused (422), never handed over as it came: staff still have the original.
 */
import { strToU8, strFromU8, zipSync } from 'fflate';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFStream } from 'pdf-lib';
import sharp from 'sharp';
import { AppError } from '../../server/http/errors';
import { DOCX_LIMITS, unzipCapped, ZipRefused } from '../../server/storage/zip';

const unreadable = () => new AppError(422, 'reviews.errors.attachmentUnreadable');

/** Info-dictionary keys kept: dates say nothing of who wrote it. Every other key (custom ones too) goes. */
const INFO_KEPT = new Set(['CreationDate', 'ModDate', 'Trapped']);
const INFO_MARKS = ['Author', 'Creator', 'Producer', 'CreationDate', 'ModDate'].map((k) => PDFName.of(k));
const TYPE = PDFName.of('Type');
const SUBTYPE = PDFName.of('Subtype');

/** A dictionary the way an info dictionary looks (no /Type, and one of its usual keys). */
const isInfo = (dict: PDFDict) => !dict.has(TYPE) && INFO_MARKS.some((k) => dict.has(k));

/** An annotation other than a form field: its /T is the name of whoever wrote the comment. */
const isComment = (dict: PDFDict) =>
  (dict.get(TYPE) === PDFName.of('Annot') || dict.has(PDFName.of('Popup')) || dict.has(PDFName.of('IRT'))) &&
  dict.get(SUBTYPE) !== PDFName.of('Widget');

/**
 * Rewrites the PDF through a real parser, so metadata inside compressed object streams is reached
 * too: XMP streams are deleted (referenced or left over from earlier saves), info dictionaries keep
 * only their dates, comments lose their author, and page-piece data (an editor's private notes) goes.
 */
export async function stripPdfMetadata(input: Buffer): Promise<Buffer> {
  try {
    const doc = await PDFDocument.load(input, { updateMetadata: false });
    cleanPdf(doc);
    return Buffer.from(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }));
  } catch {
    throw unreadable(); // damaged or encrypted: we could not prove it clean
  }
}

function cleanPdf(doc: PDFDocument): void {
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    const dict = obj instanceof PDFStream ? obj.dict : obj instanceof PDFDict ? obj : undefined;
    if (!dict) continue;
    if (dict.get(TYPE) === PDFName.of('Metadata')) {
      doc.context.delete(ref);
      continue;
    }
    dict.delete(PDFName.of('Metadata'));
    dict.delete(PDFName.of('PieceInfo'));
    if (isInfo(dict)) for (const key of dict.keys()) if (!INFO_KEPT.has(key.decodeText())) dict.delete(key);
    if (isComment(dict)) dict.delete(PDFName.of('T'));
  }
  // Direct annotation dictionaries inside a page's /Annots array are not indirect objects.
  for (const page of doc.getPages()) {
    const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    for (let i = 0; annots && i < annots.size(); i++) {
      const a = annots.get(i);
      if (a instanceof PDFDict && isComment(a)) a.delete(PDFName.of('T'));
    }
  }
}

const emptyTags = (xml: string, tags: string[]) =>
  tags.reduce(
    (x, tag) => x.replace(new RegExp(`(<${tag}(?:\\s[^>]*)?>)[\\s\\S]*?(</${tag}>)`, 'g'), '$1$2'),
    xml,
  );

/** People attributes in WordprocessingML: comment and revision authors, and co-authors' account ids. */
const PERSON_ATTRS = /\b(w\d*:(?:author|initials|userId|providerId))="[^"]*"/g;

const MEDIA = /^word\/media\/[^/]+\.(jpe?g|png)$/i;

/** A picture inside the document, written afresh (EXIF and GPS gone, as for uploaded images). */
async function cleanImage(data: Uint8Array, ext: string): Promise<Uint8Array> {
  try {
    const img = sharp(data, { limitInputPixels: 40_000_000, failOn: 'error' });
    const out = /png/i.test(ext) ? await img.png().toBuffer() : await img.jpeg({ quality: 90 }).toBuffer();
    return new Uint8Array(out);
  } catch {
    throw unreadable();
  }
}

/**
 * Rewrites a DOCX: document properties (creator, last editor, title, company, custom ones), every
 * person attribute in word/*.xml (people.xml's co-author ids included), the page-one thumbnail and the
 * pictures' EXIF. Never inflates more than the upload limit allows (a zip bomb stored before that check
 * is refused, not unpacked), and a file it cannot read is refused.
 */
export async function stripDocxMetadata(input: Buffer): Promise<Buffer> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = Object.fromEntries(unzipCapped(input, DOCX_LIMITS));
  } catch (err) {
    if (!(err instanceof ZipRefused)) throw err;
    throw unreadable();
  }
  const rewrite = (name: string, fn: (xml: string) => string) => {
    const data = entries[name];
    if (data) entries[name] = strToU8(fn(strFromU8(data)));
  };
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
  rewrite('docProps/custom.xml', (x) => x.replace(/(<vt:\w+>)[^<]*(<\/vt:\w+>)/g, '$1$2'));
  // The thumbnail is a picture of page one, byline included: drop it and the package's link to it.
  for (const name of Object.keys(entries).filter((n) => /^docProps\/thumbnail\.\w+$/i.test(n)))
    delete entries[name];
  rewrite('_rels/.rels', (x) =>
    x.replace(/<Relationship\b[^>]*Target="\/?docProps\/thumbnail\.\w+"[^>]*\/>/gi, ''),
  );
  for (const name of Object.keys(entries).filter((n) => /^word\/.*\.xml$/.test(n)))
    rewrite(name, (x) => x.replace(PERSON_ATTRS, '$1=""'));
  for (const name of Object.keys(entries).filter((n) => MEDIA.test(n)))
    entries[name] = await cleanImage(entries[name]!, name.split('.').pop()!);
  return Buffer.from(zipSync(entries));
}

/** Strips what names the author for the file's type; images were cleaned on upload, other types pass. */
export async function stripDocumentMetadata(data: Buffer, ext: string): Promise<Buffer> {
  if (ext === 'pdf') return stripPdfMetadata(data);
  if (ext === 'docx') return stripDocxMetadata(data);
  return data;
}
