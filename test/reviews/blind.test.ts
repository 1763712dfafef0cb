import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { buildTestApp, type TestApp } from '../support/app';
import { binary } from '../support/binary';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch, buildStoredFile } from './factories';
import { assignmentModel } from '../../modules/reviews/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const NAME = 'Oyuntsetseg Batbayar';
const OUTLET = 'Darkhan Daily';
const ORIGINAL = 'Oyuntsetseg-plan-final.pdf';
const DOCX_NAME = 'batbayar-notes.docx';

/** A real PDF (the download is rewritten through a PDF parser) whose metadata names the journalist. */
async function pdfWithAuthor(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]).drawText('Story plan', { x: 20, y: 100, size: 12 });
  doc.setTitle(`Plan by ${NAME}`);
  doc.setAuthor(NAME);
  doc.setCreator(`Word for ${OUTLET}`);
  return Buffer.from(await doc.save());
}

/** A one-page PDF saying `text`. */
async function pdfSaying(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  doc.setSubject(text);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

function docxWithAuthor(): Buffer {
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8('<Types/>'),
      'docProps/core.xml': strToU8(
        `<cp:coreProperties><dc:creator>${NAME}</dc:creator><cp:lastModifiedBy>${NAME}</cp:lastModifiedBy></cp:coreProperties>`,
      ),
      'docProps/app.xml': strToU8(`<Properties><Company>${OUTLET}</Company></Properties>`),
      'word/document.xml': strToU8(
        `<w:document><w:ins w:author="${NAME}"><w:t>Story text</w:t></w:ins></w:document>`,
      ),
    }),
  );
}

async function setup() {
  const applicant = await buildUser(t.ctx, { name: NAME, outlet: OUTLET });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', outlet: 'Zuunii Medee' });
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, applicant, { outlet: OUTLET, status: 'under_review' });
  await buildStoredFile(t.ctx, pitch, await pdfWithAuthor(), {
    ext: 'pdf',
    mime: 'application/pdf',
    originalName: ORIGINAL,
  });
  await buildStoredFile(t.ctx, pitch, docxWithAuthor(), {
    ext: 'docx',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    originalName: DOCX_NAME,
  });
  // The outlet's letter names the outlet and the journalist: on a blind call it stays with staff.
  await buildStoredFile(
    t.ctx,
    pitch,
    Buffer.from(`%PDF-1.4\n% ${OUTLET} commissions ${NAME}\n%%EOF\n`, 'latin1'),
    {
      ext: 'pdf',
      mime: 'application/pdf',
      originalName: 'letter.pdf',
      kind: 'outlet-letter',
    },
  );
  const a = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'offered',
  });
  const agent = await signIn(t.app, reviewer);
  return { applicant, reviewer, call, pitch, assignmentId: String(a._id), agent };
}

function assertNoIdentity(text: string, applicant: { email: string; _id: unknown }, where: string) {
  for (const needle of [
    NAME,
    'Oyuntsetseg',
    'Batbayar',
    applicant.email,
    OUTLET,
    ORIGINAL,
    DOCX_NAME,
    String(applicant._id),
  ])
    assert.ok(!text.toLowerCase().includes(needle.toLowerCase()), `${where} leaks "${needle}"`);
}

test('blind pages, headers and downloads carry no applicant identity', async () => {
  const { applicant, agent, assignmentId } = await setup();
  const list = await agent.get('/reviews').expect(200);
  assertNoIdentity(list.text, applicant, 'list');
  const declare = await agent.get(`/reviews/${assignmentId}`).expect(200);
  assertNoIdentity(declare.text, applicant, 'declaration page');
  // Files cannot be fetched before the declaration.
  await agent.get(`/reviews/files/${assignmentId}/1`).expect(404);
  await agent
    .post(`/reviews/${assignmentId}/declare`)
    .type('form')
    .send({ _csrf: csrfFrom(declare.text), answer: 'none' })
    .expect(303);

  const page = await agent.get(`/reviews/${assignmentId}`).expect(200);
  assertNoIdentity(page.text + JSON.stringify(page.headers), applicant, 'pitch page');
  assert.match(page.text, /Attachment 1 \(PDF, \d+ bytes\)/);
  assert.match(page.text, /Attachment 2 \(DOCX, /);
  assert.doesNotMatch(page.text, /Attachment 3|letter from the outlet/i, 'the outlet letter is not listed');

  const pdf = await agent.get(`/reviews/files/${assignmentId}/1`).buffer(true).parse(binary).expect(200);
  assert.equal(pdf.headers['content-disposition'], 'attachment; filename="attachment-1.pdf"');
  assert.equal(pdf.headers['x-content-type-options'], 'nosniff');
  assert.match(pdf.headers['content-security-policy'] ?? '', /sandbox/);
  const pdfText = (pdf.body as Buffer).toString('latin1');
  assertNoIdentity(pdfText + JSON.stringify(pdf.headers), applicant, 'PDF download');
  const reread = await PDFDocument.load(pdf.body as Buffer, { updateMetadata: false });
  assert.equal(reread.getPageCount(), 1, 'still the same document');
  assert.equal(reread.getAuthor(), undefined);

  const docx = await agent.get(`/reviews/files/${assignmentId}/2`).buffer(true).parse(binary).expect(200);
  assert.equal(docx.headers['content-disposition'], 'attachment; filename="attachment-2.docx"');
  const entries = unzipSync(new Uint8Array(docx.body as Buffer));
  const all = Object.values(entries)
    .map((e) => strFromU8(e))
    .join('\n');
  assertNoIdentity(all + JSON.stringify(docx.headers), applicant, 'DOCX download');
  assert.match(all, /Story text/);
  await agent.get(`/reviews/files/${assignmentId}/3`).expect(404);
});

test('pitch text is escaped in the reviewer view', async () => {
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
    status: 'under_review',
    title: '<script>alert(1)</script>',
    angle: '<img src=x onerror=alert(2)>',
  });
  const a = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'accepted',
  });
  const agent = await signIn(t.app, reviewer);
  for (const path of ['/reviews', `/reviews/${a._id}`]) {
    const page = await agent.get(path).expect(200);
    assert.ok(!page.text.includes('<script>alert(1)'), path);
    assert.ok(!page.text.includes('<img src=x'), path);
    assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), path);
  }
});

test('the outlet is shown only on calls that are not blind', async () => {
  const applicant = await buildUser(t.ctx, { name: NAME });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const call = await buildCall(t.ctx, { blind: false }, { closed: true });
  const pitch = await buildPitch(t.ctx, call, applicant, { outlet: 'Open Outlet', status: 'under_review' });
  const letter = await pdfSaying('Open Outlet commissions the story');
  await buildStoredFile(t.ctx, pitch, letter, {
    ext: 'pdf',
    mime: 'application/pdf',
    originalName: 'letter.pdf',
    kind: 'outlet-letter',
  });
  const a = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'accepted',
  });
  const agent = await signIn(t.app, reviewer);
  const page = await agent.get(`/reviews/${a._id}`).expect(200);
  assert.match(page.text, /Open Outlet/);
  assert.ok(!page.text.includes(NAME));
  // So is the outlet's letter.
  assert.match(page.text, /Attachment 1 \(PDF, /);
  const got = await agent.get(`/reviews/files/${a._id}/1`).buffer(true).parse(binary).expect(200);
  assert.ok((got.body as Buffer).equals(letter), 'not blind: the file goes out as it came');
});

test('a declared conflict removes access at once: every later request is a 404', async () => {
  const { agent, assignmentId, pitch, call, reviewer } = await setup();
  const page = await agent.get(`/reviews/${assignmentId}`).expect(200);
  const token = csrfFrom(page.text);
  await agent
    .post(`/reviews/${assignmentId}/declare`)
    .type('form')
    .send({ _csrf: token, answer: 'conflict', reason: 'I know the author' })
    .expect(303);
  await agent.get(`/reviews/${assignmentId}`).expect(404);
  await agent.get(`/reviews/files/${assignmentId}/1`).expect(404);
  await agent
    .post(`/reviews/${assignmentId}/review`)
    .type('form')
    .send({ _csrf: token, version: '0', action: 'save' })
    .expect(404);
  await agent
    .post(`/reviews/${assignmentId}/declare`)
    .type('form')
    .send({ _csrf: token, answer: 'none' })
    .expect(404);
  const list = await agent.get('/reviews').expect(200);
  assert.ok(!list.text.includes(pitch.title));
  // A conflict beats an assignment: the admin cannot re-assign the same reviewer.
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const staff = await signIn(t.app, admin);
  const staffToken = csrfFrom((await staff.get(`/admin/calls/${call._id}/assignments`).expect(200)).text);
  await staff
    .post(`/admin/calls/${call._id}/assignments`)
    .type('form')
    .send({ _csrf: staffToken, pitchId: String(pitch._id), reviewerId: String(reviewer._id) })
    .expect(409);
  await agent.get(`/reviews/${assignmentId}`).expect(404);
});

test("another reviewer's assignment is a 404; journalists and anonymous users are kept out", async () => {
  const { assignmentId } = await setup();
  const other = await signIn(t.app, await buildUser(t.ctx, { role: 'reviewer' }));
  await other.get(`/reviews/${assignmentId}`).expect(404);
  await other.get(`/reviews/files/${assignmentId}/1`).expect(404);
  const journalist = await signIn(t.app, await buildUser(t.ctx));
  await journalist.get(`/reviews/${assignmentId}`).expect(403);
  await other.get('/reviews/not-an-id').expect(404);
});
