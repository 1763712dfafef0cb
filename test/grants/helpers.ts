import { deflateRawSync } from 'node:zlib';
import zlib from 'node:zlib';
import { Types } from 'mongoose';
import sharp from 'sharp';
import type { AppContext } from '../../server/context';
import { buildCall, buildUser, signIn, tokenFor } from '../factories';
import type { TestApp } from '../support/app';
import type { Call } from '../../modules/grants/model';

/** Marks a user as having completed a course, the way the learning module records it. */
export async function markTrained(ctx: AppContext, userId: Types.ObjectId, slug = 'tip-reporting') {
  const courses = ctx.db.collection('courses');
  await courses.updateOne(
    { slug },
    { $setOnInsert: { slug, title: { en: slug, mn: slug } } },
    { upsert: true },
  );
  const course = await courses.findOne({ slug });
  await ctx.db.collection('enrolments').insertOne({
    userId,
    courseId: course!._id,
    status: 'completed',
    completedAt: new Date(),
  });
}

export async function trainedJournalist(ctx: AppContext) {
  const user = await buildUser(ctx);
  await markTrained(ctx, user._id);
  return user;
}

/**
 * A trained journalist signed in over HTTP, with a CSRF token and a fresh draft pitch on a new call
 * (created through the app, as the browser does).
 */
export async function journalistWithDraft(t: TestApp, callFields: Partial<Call> = {}) {
  const call = await buildCall(t.ctx, callFields);
  const user = await trainedJournalist(t.ctx);
  const agent = await signIn(t.app, user);
  const token = await tokenFor(agent, '/grants');
  const created = await agent
    .post(`/grants/${String(call._id)}/pitches`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  const pitchId = /\/grants\/pitches\/([a-f0-9]{24})$/.exec(created.headers.location!)![1]!;
  return { call, user, agent, token, pitchId };
}

/** A complete pitch form (flat, as the browser sends it). */
export function completePitch(version: number) {
  return {
    version,
    title: 'Jobs abroad that are not what they seem',
    angle: 'How recruiters on social media lure young women with offers in Korea.',
    audience: 'Women 18–27 in Darkhan-Uul and their parents',
    outlet: 'Darkhan News',
    format: 'Feature article and radio piece',
    themes: ['online'],
    ethicsPlan: 'Informed consent, no names or faces, referral to 1800-1903.',
    budgetItem: ['Travel to Darkhan', 'Editing'],
    budgetAmount: ['400000', '600 000'],
    timeline: 'Research in May, publication in June.',
  };
}

export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export const png = () =>
  sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();

/** A JPEG carrying EXIF with GPS coordinates and a camera model. */
export const jpegWithGps = () =>
  sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'SpyCam', Model: 'Secret 1', Copyright: 'Source Name' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '47/1 55/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '106/1 55/1 0/1',
      },
    })
    .toBuffer();

/** The three parts of a minimal DOCX: the OOXML content types, the package relations, the document. */
const DOCX_PARTS: Array<[string, string]> = [
  [
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  ],
  [
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  ],
  [
    'word/document.xml',
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Sample</w:t></w:r></w:p></w:body></w:document>',
  ],
];

/**
 * A zip written by hand (deflated entries), so tests control every header: `packed` gives an entry's
 * compressed bytes and real size directly (the same packed data can back many entries), `flags` sets
 * the general-purpose bits (bit 0: encrypted).
 */
export function zipOf(
  files: Array<{ name: string; data?: Buffer; packed?: { bytes: Buffer; size: number }; flags?: number }>,
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const data = file.data ?? Buffer.alloc(0);
    const packed = file.packed?.bytes ?? deflateRawSync(data);
    const size = file.packed?.size ?? data.length;
    const nameBuf = Buffer.from(file.name);
    const crc = file.packed ? 0 : zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(file.flags ?? 0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(file.flags ?? 0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A minimal DOCX: a zip with the OOXML content types and a word/document.xml. */
export function docx(extra: Parameters<typeof zipOf>[0] = []): Buffer {
  return zipOf([...DOCX_PARTS.map(([name, content]) => ({ name, data: Buffer.from(content) })), ...extra]);
}

/**
 * A DOCX of about 200 KB that inflates to about 200 MB: 200 media entries, each 1 MB of zeros
 * (about 1 KB deflated). Nothing here ever holds the inflated bytes.
 */
export function docxBomb(entries = 200): Buffer {
  const megabyte = { bytes: deflateRawSync(Buffer.alloc(1024 * 1024)), size: 1024 * 1024 };
  return docx(
    Array.from({ length: entries }, (_, i) => ({ name: `word/media/image${i}.bin`, packed: megabyte })),
  );
}

export { Types };
