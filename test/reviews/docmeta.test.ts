import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { deflateRawSync } from 'node:zlib';
import { decodePDFRawStream, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import sharp from 'sharp';
import { stripDocumentMetadata, stripPdfMetadata } from '../../modules/reviews/docmeta';
import { AppError } from '../../server/http/errors';
import { checkZip, DOCX_LIMITS, unzipCapped, ZipRefused } from '../../server/storage/zip';
import { docx, docxBomb } from '../grants/helpers';

/** What the three parts of the helper's DOCX inflate to. */
const docxSize = () =>
  Object.values(unzipSync(new Uint8Array(docx()))).reduce((n, part) => n + part.length, 0);

/** Every string a PDF holds once its streams are inflated: what a curious reviewer could dig out. */
async function pdfStrings(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const parts: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFRawStream)
      parts.push(Buffer.from(decodePDFRawStream(obj).decode()).toString('latin1'));
    parts.push(obj.toString());
  }
  return parts.join('\n');
}

/** A PDF the way an editor writes one: info in an object stream, compressed XMP, a signed comment. */
async function pdfWithAuthor(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([200, 200]);
  doc.setAuthor('Saran Tsogt');
  doc.setTitle('Plan by Saran');
  doc.setCreator('Word for Ikon News');
  doc.setKeywords(['Ikon']);
  doc.context
    .lookup(doc.context.trailerInfo.Info, PDFDict)
    .set(PDFName.of('Desk'), PDFString.of('Ikon investigations'));
  const xmp = doc.context.flateStream('<x:xmpmeta><dc:creator>Saran Tsogt</dc:creator></x:xmpmeta>', {
    Type: 'Metadata',
    Subtype: 'XML',
  });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(xmp));
  const comment = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Text',
    Rect: [10, 10, 30, 30],
    Contents: PDFString.of('Check the dates'),
    T: PDFString.of('Saran Tsogt'),
  });
  page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(comment)]));
  page.drawText('Story plan', { x: 20, y: 100, size: 12 });
  return Buffer.from(await doc.save({ useObjectStreams: true }));
}

test('PDF: author, creator, custom info, compressed XMP and comment authors are gone; the text stays', async () => {
  const src = await pdfWithAuthor();
  assert.match(await pdfStrings(src), /Saran/, 'the fixture does carry the name');
  const out = await stripPdfMetadata(src);
  const seen = await pdfStrings(out);
  assert.ok(!/Saran|Ikon/.test(seen), seen);
  assert.match(seen, /Check the dates/, 'the comment itself stays');
  const reread = await PDFDocument.load(out, { updateMetadata: false });
  assert.equal(reread.getPageCount(), 1);
  assert.equal(reread.getAuthor(), undefined);
  assert.ok(reread.getCreationDate(), 'dates are kept');
});

/** A PDF with a classic trailer (no cross-reference stream), so a test can add to it as text. */
async function plainPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([100, 100]);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

test('PDF: an info dictionary with only a title and a company, XMP without its /Type and an untyped comment are cleaned too', async () => {
  const doc = await PDFDocument.create();
  const page = doc.addPage([200, 200]);
  const info = doc.context.obj({ Title: PDFString.of('Plan by Saran'), Company: PDFString.of('Ikon') });
  doc.context.trailerInfo.Info = doc.context.register(info);
  const xmp = doc.context.flateStream('<x:xmpmeta><dc:creator>Saran Tsogt</dc:creator></x:xmpmeta>', {
    Subtype: 'XML',
  });
  page.node.set(PDFName.of('Metadata'), doc.context.register(xmp));
  // A comment with no /Type and no popup, kept as an indirect object.
  const note = doc.context.obj({ Subtype: 'Text', Rect: [1, 1, 9, 9], T: PDFString.of('Saran Tsogt') });
  page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(note)]));
  const src = Buffer.from(await doc.save({ useObjectStreams: false }));
  assert.match(await pdfStrings(src), /Saran/);
  const seen = await pdfStrings(await stripPdfMetadata(src));
  assert.ok(!/Saran|Ikon/.test(seen), seen);
});

test('PDF: a damaged or encrypted file is refused, never handed over as it came', async () => {
  const refused = (err: unknown) =>
    err instanceof AppError && err.status === 422 && err.key === 'reviews.errors.attachmentUnreadable';
  await assert.rejects(stripDocumentMetadata(Buffer.from('%PDF-1.4\n(Saran) garbage'), 'pdf'), refused);
  const encrypted = Buffer.from(
    (await plainPdf())
      .toString('latin1')
      .replace('trailer\n<<', 'trailer\n<<\n/Encrypt << /Filter /Standard >>'),
    'latin1',
  );
  await assert.rejects(stripDocumentMetadata(encrypted, 'pdf'), refused);
});

test('DOCX: properties, people, co-author ids, thumbnail and picture EXIF are emptied; other types pass through', async () => {
  const photo = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } })
    .jpeg()
    .withExif({ IFD0: { Artist: 'Saran Tsogt', Copyright: 'Ikon' } })
    .toBuffer();
  assert.ok((await sharp(photo).metadata()).exif, 'the fixture photo carries EXIF');
  const docx = Buffer.from(
    zipSync({
      '_rels/.rels': strToU8(
        '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail" Target="docProps/thumbnail.jpeg"/></Relationships>',
      ),
      'docProps/core.xml': strToU8(
        '<cp:coreProperties><dc:creator>Saran</dc:creator><cp:lastModifiedBy>Saran T.</cp:lastModifiedBy><dc:title>Plan</dc:title></cp:coreProperties>',
      ),
      'docProps/app.xml': strToU8('<Properties><Company>Ikon</Company><Manager>Bold</Manager></Properties>'),
      'docProps/custom.xml': strToU8(
        '<Properties><property name="Desk"><vt:lpwstr>Saran, Ikon investigations</vt:lpwstr></property></Properties>',
      ),
      'docProps/thumbnail.jpeg': new Uint8Array(photo),
      'word/document.xml': strToU8('<w:document><w:t>Story text</w:t></w:document>'),
      'word/comments.xml': strToU8('<w:comments><w:comment w:author="Saran" w:initials="ST"/></w:comments>'),
      'word/people.xml': strToU8(
        '<w15:people><w15:person w15:author="Saran Tsogt"><w15:presenceInfo w15:providerId="AD" w15:userId="S::saran@ikon.mn::1"/></w15:person></w15:people>',
      ),
      'word/media/image1.jpeg': new Uint8Array(photo),
    }),
  );
  const files = unzipSync(new Uint8Array(await stripDocumentMetadata(docx, 'docx')));
  const all = Object.entries(files)
    .filter(([name]) => name.endsWith('.xml') || name.endsWith('.rels'))
    .map(([, f]) => strFromU8(f))
    .join('');
  assert.ok(!/Saran|Ikon|Bold|ST"|ikon\.mn/.test(all), all);
  assert.match(all, /<dc:creator><\/dc:creator>/);
  assert.match(all, /Story text/);
  assert.equal(files['docProps/thumbnail.jpeg'], undefined, 'the thumbnail is gone');
  assert.doesNotMatch(strFromU8(files['_rels/.rels']!), /thumbnail/, 'and so is the link to it');
  assert.match(strFromU8(files['_rels/.rels']!), /word\/document\.xml/);
  const picture = await sharp(Buffer.from(files['word/media/image1.jpeg']!)).metadata();
  assert.equal(picture.exif, undefined, 'the picture keeps no EXIF');
  assert.equal(picture.width, 4);
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  // An Excel budget embedded in the document carries its own author and comment authors.
  const xlsx = zipSync({
    'docProps/core.xml': strToU8(
      '<cp:coreProperties><dc:creator>Saran Tsogt</dc:creator></cp:coreProperties>',
    ),
    'xl/comments1.xml': strToU8('<comments><authors><author>Saran Tsogt</author></authors></comments>'),
  });
  const tiff = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } })
    .tiff()
    .withExif({ IFD0: { Artist: 'Saran Tsogt' } })
    .toBuffer();
  const withEmbedded = Buffer.from(
    zipSync({
      'word/document.xml': strToU8('<w:document><w:t>Budget below</w:t></w:document>'),
      'word/embeddings/Microsoft_Excel_Worksheet.xlsx': xlsx,
      'word/media/image2.tiff': new Uint8Array(tiff),
    }),
  );
  const out = unzipSync(new Uint8Array(await stripDocumentMetadata(withEmbedded, 'docx')));
  const inner = unzipSync(out['word/embeddings/Microsoft_Excel_Worksheet.xlsx']!);
  const innerText = Object.values(inner)
    .map((f) => strFromU8(f))
    .join('');
  assert.ok(!/Saran/.test(innerText), innerText);
  assert.equal((await sharp(Buffer.from(out['word/media/image2.tiff']!)).metadata()).exif, undefined);

  assert.equal(await stripDocumentMetadata(png, 'png'), png);
  // A DOCX it cannot read is refused, never handed to a blind reviewer unstripped.
  await assert.rejects(
    stripDocumentMetadata(Buffer.from('not a zip'), 'docx'),
    (err: unknown) => err instanceof AppError && err.status === 422,
  );
});

test('zip limits: real inflated size and entry count are counted, never the declared sizes', async () => {
  assert.deepEqual(await checkZip(docx(), DOCX_LIMITS), { entries: 3, bytes: docxSize() });
  const refused = async (buf: Buffer, problem: string) =>
    assert.rejects(
      checkZip(buf, DOCX_LIMITS),
      (err: unknown) => err instanceof ZipRefused && err.problem === problem,
    );
  await refused(docxBomb(), 'size');
  await refused(
    docx(Array.from({ length: 1001 }, (_, i) => ({ name: `p${i}.xml`, data: Buffer.from('x') }))),
    'entries',
  );
  await refused(docx([{ name: 'word/document.xml', data: Buffer.from('again') }]), 'corrupt'); // duplicate name
  await refused(docx([{ name: 'word/x.xml', data: Buffer.from('x'), flags: 1 }]), 'unsupported'); // encrypted
  await refused(Buffer.from('PK not really'), 'corrupt');
  // A bomb that lies about its sizes (declares 10 bytes per entry) is still measured by what it inflates to.
  const lying = docx(
    Array.from({ length: 80 }, (_, i) => ({
      name: `word/media/m${i}.bin`,
      packed: { bytes: deflateRawSync(Buffer.alloc(1024 * 1024)), size: 10 },
    })),
  );
  await refused(lying, 'size');
  assert.throws(
    () => unzipCapped(lying, DOCX_LIMITS),
    (err: unknown) => err instanceof ZipRefused,
  );
});

test('the blind-metadata rewrite never inflates a bomb: refused with 422 before the cap is passed', async () => {
  const before = process.memoryUsage().arrayBuffers;
  const started = Date.now();
  await assert.rejects(
    stripDocumentMetadata(docxBomb(), 'docx'),
    (err: unknown) =>
      err instanceof AppError && err.status === 422 && err.key === 'reviews.errors.attachmentUnreadable',
  );
  assert.ok(Date.now() - started < 5000, 'stopped early');
  const grown = process.memoryUsage().arrayBuffers - before;
  // The bomb inflates to 200 MB; stopping at the 64 MB cap holds about that much until the next
  // collection, with room for what the garbage collector has not reclaimed yet on a loaded machine.
  assert.ok(grown < 2 * DOCX_LIMITS.maxTotalBytes, `held ${grown} bytes`);
  // An ordinary document is rewritten as before.
  const out = unzipSync(new Uint8Array(await stripDocumentMetadata(docx(), 'docx')));
  assert.match(strFromU8(out['word/document.xml']!), /Sample/);
});
