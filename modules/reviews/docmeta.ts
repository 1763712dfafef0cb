/**
 * Removes what names the author from documents handed to blind reviewers. A file it cannot read or
 * clean is refused (422), never handed over as it came: staff still have the original.
 */
import { strToU8, strFromU8, zipSync } from 'fflate';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFStream } from 'pdf-lib';
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

const METADATA = PDFName.of('Metadata');

function cleanPdf(doc: PDFDocument): void {
  // The document's own info dictionary, whatever keys it holds (a /Title and a /Company alone too).
  const info = doc.context.lookupMaybe(doc.context.trailerInfo.Info, PDFDict);
  if (info) stripInfo(info);
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    const dict = obj instanceof PDFStream ? obj.dict : obj instanceof PDFDict ? obj : undefined;
    if (!dict) continue;
    // XMP, with or without its /Type: pdf-lib writes every object, linked or not, so delete it.
    if (dict.get(TYPE) === METADATA || dict.get(SUBTYPE) === PDFName.of('XML')) {
      doc.context.delete(ref);
      continue;
    }
    const linked = dict.get(METADATA);
    if (linked instanceof PDFRef) doc.context.delete(linked);
    dict.delete(METADATA);
    dict.delete(PDFName.of('PieceInfo'));
    if (isInfo(dict)) stripInfo(dict);
    if (isComment(dict)) dict.delete(PDFName.of('T'));
  }
  // Every page's annotations, direct or indirect, /Type or not: a comment's /T names its author.
  for (const page of doc.getPages()) {
    const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray);
    for (let i = 0; annots && i < annots.size(); i++) {
      const a = annots.lookup(i);
      if (a instanceof PDFDict && a.get(SUBTYPE) !== PDFName.of('Widget')) a.delete(PDFName.of('T'));
    }
  }
}

function stripInfo(dict: PDFDict): void {
  for (const key of dict.keys()) if (!INFO_KEPT.has(key.decodeText())) dict.delete(key);
}

const emptyTags = (xml: string, tags: string[]) =>
  tags.reduce(
    (x, tag) => x.replace(new RegExp(`(<${tag}(?:\\s[^>]*)?>)[\\s\\S]*?(</${tag}>)`, 'g'), '$1$2'),
    xml,
  );

/**
 * Person attributes in Office XML: comment and revision authors, initials, co-authors' account ids and
 * display names (word/people.xml, xl/persons).
 */
const PERSON_ATTRS = /\b((?:\w+:)?(?:author|initials|userId|providerId|displayName))="[^"]*"/g;

/** Pictures anywhere in the package (word/media, xl/media, ppt/media). */
const MEDIA = /\/media\/[^/]+\.(jpe?g|png|tiff?)$/i;

/** Office files embedded in the document (an Excel budget pasted in as an object, a chart's data). */
const EMBEDDED_OFFICE = /\/embeddings\/[^/]+\.(docx|xlsx|pptx)$/i;

/** A picture inside the document, written afresh (EXIF and GPS gone, as for uploaded images). */
async function cleanImage(data: Uint8Array, ext: string): Promise<Uint8Array> {
  try {
    const img = sharp(data, { limitInputPixels: 40_000_000, failOn: 'error' });
    const out = /png/i.test(ext)
      ? await img.png().toBuffer()
      : /tiff?/i.test(ext)
        ? await img.tiff().toBuffer()
        : await img.jpeg({ quality: 90 }).toBuffer();
    return new Uint8Array(out);
  } catch {
    throw unreadable();
  }
}

/** Unzips within the upload's limits (a zip bomb is refused, not unpacked); unreadable is a 422. */
function unzipOffice(input: Uint8Array): Record<string, Uint8Array> {
  try {
    return Object.fromEntries(unzipCapped(Buffer.from(input), DOCX_LIMITS));
  } catch (err) {
    if (!(err instanceof ZipRefused)) throw err;
    throw unreadable();
  }
}

/**
 * Cleans an Office package in place: document properties (creator, last editor, title, company,
 * custom ones), every person attribute and comment author in its XML, the page-one thumbnail, the
 * pictures' EXIF, and the same again inside Office files embedded in it (one level down, as Word
 * embeds them).
 */
async function cleanPackage(entries: Record<string, Uint8Array>, depth = 0): Promise<void> {
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
  // Presentation comment authors are named by a plain name attribute.
  rewrite('ppt/commentAuthors.xml', (x) => x.replace(/\b(name|initials)="[^"]*"/g, '$1=""'));
  // The thumbnail is a picture of page one, byline included: drop it and the package's link to it.
  for (const name of Object.keys(entries).filter((n) => /^docProps\/thumbnail\.\w+$/i.test(n)))
    delete entries[name];
  rewrite('_rels/.rels', (x) =>
    x.replace(/<Relationship\b[^>]*Target="\/?docProps\/thumbnail\.\w+"[^>]*\/>/gi, ''),
  );
  for (const name of Object.keys(entries).filter((n) => /\.xml$/i.test(n) && !n.startsWith('docProps/')))
    // Spreadsheet comments keep their authors as <author> elements.
    rewrite(name, (x) => emptyTags(x.replace(PERSON_ATTRS, '$1=""'), ['author']));
  for (const name of Object.keys(entries).filter((n) => MEDIA.test(n)))
    entries[name] = await cleanImage(entries[name]!, name.split('.').pop()!);
  for (const name of Object.keys(entries).filter((n) => EMBEDDED_OFFICE.test(n))) {
    if (depth > 0) throw unreadable(); // a package inside a package inside a package: not worth the risk
    const inner = unzipOffice(entries[name]!);
    await cleanPackage(inner, depth + 1);
    entries[name] = zipSync(inner);
  }
}

/** Rewrites a DOCX without what names its author (see cleanPackage); a file it cannot read is refused. */
export async function stripDocxMetadata(input: Buffer): Promise<Buffer> {
  const entries = unzipOffice(input);
  await cleanPackage(entries);
  return Buffer.from(zipSync(entries));
}

/** Strips what names the author for the file's type; images were cleaned on upload, other types pass. */
export async function stripDocumentMetadata(data: Buffer, ext: string): Promise<Buffer> {
  if (ext === 'pdf') return stripPdfMetadata(data);
  if (ext === 'docx') return stripDocxMetadata(data);
  return data;
}
