import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { stripDocumentMetadata, stripPdfMetadata } from '../../modules/reviews/docmeta';

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
  const broken = Buffer.from('not a zip');
  assert.equal(stripDocumentMetadata(broken, 'docx'), broken);
});
