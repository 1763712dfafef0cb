import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { deflateRawSync } from 'node:zlib';
import { stripDocumentMetadata, stripPdfMetadata } from '../../modules/reviews/docmeta';
import { AppError } from '../../server/http/errors';
import { checkZip, DOCX_LIMITS, unzipCapped, ZipRefused } from '../../server/storage/zip';
import { docx, docxBomb } from '../grants/helpers';

/** What the three parts of the helper's DOCX inflate to. */
const docxSize = () =>
  Object.values(unzipSync(new Uint8Array(docx()))).reduce((n, part) => n + part.length, 0);

test('PDF: literal (with escapes and nesting) and hex author strings are blanked, offsets kept', () => {
  const src = Buffer.from(
    '%PDF-1.7\n<< /Author (Saran \\(Ikon\\) (Tsogt)) /Creator <53617261> /Producer (Writer) /Keywords [] >>\n' +
      'xref\n0 1\n0000000000 65535 f \n%%EOF',
    'latin1',
  );
  const out = stripPdfMetadata(src);
  assert.equal(out.length, src.length);
  const text = out.toString('latin1');
  assert.ok(!/Saran|Ikon|Tsogt|Writer/.test(text), text);
  assert.ok(!text.includes('53617261'));
  assert.match(text, /\/Author \( +\) \/Creator <(20)+> \/Producer \( +\)/);
  assert.match(text, /xref\n0 1\n/);
});

test('DOCX: creator, last editor, company and tracked-change authors are emptied; other types pass through', () => {
  const docx = Buffer.from(
    zipSync({
      'docProps/core.xml': strToU8(
        '<cp:coreProperties><dc:creator>Saran</dc:creator><cp:lastModifiedBy>Saran T.</cp:lastModifiedBy><dc:title>Plan</dc:title></cp:coreProperties>',
      ),
      'docProps/app.xml': strToU8('<Properties><Company>Ikon</Company><Manager>Bold</Manager></Properties>'),
      'word/comments.xml': strToU8('<w:comments><w:comment w:author="Saran" w:initials="ST"/></w:comments>'),
    }),
  );
  const files = unzipSync(new Uint8Array(stripDocumentMetadata(docx, 'docx')));
  const all = Object.values(files)
    .map((f) => strFromU8(f))
    .join('');
  assert.ok(!/Saran|Ikon|Bold|ST"/.test(all), all);
  assert.match(all, /<dc:creator><\/dc:creator>/);
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  assert.equal(stripDocumentMetadata(png, 'png'), png);
  // A DOCX it cannot read is refused, never handed to a blind reviewer unstripped.
  assert.throws(
    () => stripDocumentMetadata(Buffer.from('not a zip'), 'docx'),
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

test('the blind-metadata rewrite never inflates a bomb: refused with 422 before the cap is passed', () => {
  const before = process.memoryUsage().arrayBuffers;
  const started = Date.now();
  assert.throws(
    () => stripDocumentMetadata(docxBomb(), 'docx'),
    (err: unknown) =>
      err instanceof AppError && err.status === 422 && err.key === 'reviews.errors.attachmentUnreadable',
  );
  assert.ok(Date.now() - started < 5000, 'stopped early');
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < DOCX_LIMITS.maxTotalBytes + 16 * 1024 * 1024, `held ${grown} bytes`);
  // An ordinary document is rewritten as before.
  const out = unzipSync(new Uint8Array(stripDocumentMetadata(docx(), 'docx')));
  assert.match(strFromU8(out['word/document.xml']!), /Sample/);
});
