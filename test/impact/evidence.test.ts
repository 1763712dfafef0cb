/**
 * Evidence for reach figures: a screenshot or PDF checked by its bytes, images stored without their
 * metadata, opened only by the award's journalist and staff, and gone with the journalist's account.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import sharp from 'sharp';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { binary } from '../support/binary';
import { publishedAwardOn } from './helpers';
import { pieceModel } from '../../modules/impact/model';
import { impactModule, impactSettings } from '../../modules/impact';
import { verifyFiles } from '../../server/cli/files';

let t: TestApp;
let server: http.Server;
let base: string;
before(async () => {
  t = await buildTestApp();
  server = http.createServer((_req, res) => res.end('story'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  impactSettings.allowPrivate = true;
});
after(async () => {
  impactSettings.allowPrivate = false;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

/** A JPEG screenshot that carries an EXIF note, as a phone's would carry its location. */
const screenshotWithExif = () =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } })
    .jpeg()
    .withExif({ IFD0: { Copyright: 'SECRET-PLACE-47.9N' } })
    .toBuffer();

async function pieceOfNewAward() {
  const award = await publishedAwardOn(t);
  const { id, agent, token } = award;
  await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({
      _csrf: token,
      outlet: 'Ikon.mn',
      url: `${base}/story`,
      publishedOn: '2024-01-02',
      language: 'mn',
      format: 'article',
    })
    .expect(303);
  const p = await pieceModel(t.ctx.db).findOne({ awardId: id }).lean();
  return { ...award, pieceId: String(p!._id), reachUrl: `/impact/awards/${id}/pieces/${p!._id}/reach` };
}

const postReach = (
  agent: ReturnType<typeof request.agent>,
  url: string,
  token: string | null,
  file?: [Buffer, string],
) => {
  const req = agent.post(url);
  if (token) void req.field('_csrf', token);
  void req
    .field('metric', 'views')
    .field('value', '1200')
    .field('asOf', '2024-01-10')
    .field('source', 'Ikon.mn counter');
  return file ? req.attach('evidence', file[0], file[1]) : req;
};

test('a figure with a screenshot: stored without its metadata, opened by the journalist and staff only', async () => {
  const { id, agent, token, admin, pieceId, reachUrl } = await pieceOfNewAward();
  const shot = await screenshotWithExif();
  assert.ok(shot.toString('latin1').includes('SECRET-PLACE'), 'the fixture carries the EXIF note');
  await postReach(agent, reachUrl, token, [shot, 'Дэлгэц 1.jpg']).expect(303);
  const figure = (await pieceModel(t.ctx.db).findById(pieceId).lean())!.reach[0]!;
  assert.equal(figure.evidence!.mime, 'image/jpeg');
  assert.equal(figure.evidence!.originalName, 'Дэлгэц 1.jpg');
  const href = `/impact/pieces/${pieceId}/reach/${figure._id}/evidence`;
  const page = await agent.get(`/impact/awards/${id}`).expect(200);
  assert.ok(page.text.includes(href), 'the figure links its evidence');

  const mine = await agent.get(href).buffer(true).parse(binary).expect(200);
  assert.equal(mine.headers['content-type'], 'image/jpeg');
  assert.equal(mine.headers['cache-control'], 'no-store');
  assert.match(
    mine.headers['content-disposition']!,
    /^attachment; filename="Delgets_1\.jpg"; filename\*=UTF-8''/,
  );
  const bytes = mine.body as Buffer;
  assert.equal((await sharp(bytes).metadata()).width, 40);
  assert.ok(!bytes.toString('latin1').includes('SECRET-PLACE'), 'EXIF is gone');
  await admin.get(href).expect(200);

  const other = await signIn(t.app, await buildUser(t.ctx, { role: 'journalist' }));
  await other.get(href).expect(404);
  await request(t.app).get(href).expect(303);
  await agent.get(`/impact/pieces/${pieceId}/reach/${pieceId}/evidence`).expect(404);
  await agent.get(`/impact/pieces/not-an-id/reach/${figure._id}/evidence`).expect(404);
});

test('a figure without evidence is still recorded; a PDF is accepted as it is', async () => {
  const { agent, token, pieceId, reachUrl } = await pieceOfNewAward();
  await postReach(agent, reachUrl, token).expect(303);
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
  await postReach(agent, reachUrl, token, [pdf, 'report.pdf']).expect(303);
  const reach = (await pieceModel(t.ctx.db).findById(pieceId).lean())!.reach;
  assert.equal(reach.length, 2);
  assert.equal(reach[0]!.evidence, undefined);
  assert.equal(reach[1]!.evidence!.sha256.length, 64);
  assert.ok(await t.ctx.storage.exists(reach[1]!.evidence!.storageKey));
});

test('wrong type, disguised bytes, a broken image and a file too big: the form says so, nothing kept', async () => {
  const { agent, token, pieceId, reachUrl } = await pieceOfNewAward();
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const before = await storedKeys();
  const txt = await postReach(agent, reachUrl, token, [Buffer.from('views: 9000'), 'notes.txt']).expect(400);
  assert.match(txt.text, /Evidence must be a PNG, JPEG, WebP or PDF file/);
  assert.match(txt.text, /name="value" inputmode="numeric" value="1200"/);
  assert.match(txt.text, /aria-invalid=true/);
  const disguised = await postReach(agent, reachUrl, token, [png, 'proof.pdf']).expect(400);
  assert.match(disguised.text, /not what its name says/);
  const broken = Buffer.concat([png.subarray(0, 40)]);
  await postReach(agent, reachUrl, token, [broken, 'cut.png']).expect(400);
  const big = await postReach(agent, reachUrl, token, [Buffer.alloc(11 * 1024 * 1024, 1), 'huge.pdf']).expect(
    413,
  );
  assert.match(big.text, /over 10 MB/);
  assert.equal((await pieceModel(t.ctx.db).findById(pieceId).lean())!.reach.length, 0);
  // Without the token as the first field: refused before any byte of the file is read.
  await postReach(agent, reachUrl, null, [png, 'a.png']).expect(403);
  assert.deepEqual(await storedKeys(), before, 'no bytes kept from refused uploads');
});

test('a figure refused after its file was checked leaves no bytes behind', async () => {
  const { agent, token, pieceId } = await pieceOfNewAward();
  const other = await pieceOfNewAward();
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const keysBefore = await storedKeys();
  // Someone else's piece under one's own award: not found, and the stored evidence is removed again.
  await postReach(agent, `/impact/awards/${other.id}/pieces/${other.pieceId}/reach`, token, [
    png,
    'a.png',
  ]).expect(404);
  assert.deepEqual(await storedKeys(), keysBefore);
  assert.equal((await pieceModel(t.ctx.db).findById(other.pieceId).lean())!.reach.length, 0);
  assert.ok(pieceId);
});

test("erasing the journalist's account removes the evidence bytes; the export names them", async () => {
  const { journalist, agent, token, pieceId, reachUrl } = await pieceOfNewAward();
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  await postReach(agent, reachUrl, token, [png, 'shot.png']).expect(303);
  const key = (await pieceModel(t.ctx.db).findById(pieceId).lean())!.reach[0]!.evidence!.storageKey;
  const hook = impactModule.personalData![0]!;
  const exported = JSON.stringify(await hook.export!(t.ctx, String(journalist._id)));
  assert.match(exported, /shot\.png/);
  await hook.erase!(t.ctx, String(journalist._id));
  assert.equal(await t.ctx.storage.exists(key), false);
  assert.equal((await pieceModel(t.ctx.db).findById(pieceId).lean())!.reach[0]!.evidence, undefined);
});

/** Every file the storage holds (the test app's storage is its own). */
const storedKeys = async () => (await t.ctx.storage.list()).sort();

test('verify-files knows evidence: checked against its SHA-256, never called an orphan', async () => {
  const { agent, token, pieceId, reachUrl } = await pieceOfNewAward();
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  await postReach(agent, reachUrl, token, [png, 'shot.png']).expect(303);
  const key = (await pieceModel(t.ctx.db).findById(pieceId).lean())!.reach[0]!.evidence!.storageKey;
  const ok = await verifyFiles(t.ctx);
  assert.ok(!ok.orphans.includes(key), 'not an orphan');
  assert.ok(ok.ok);
  // Bytes replaced behind our back: the recorded hash no longer matches.
  await t.ctx.storage.remove(key);
  await t.ctx.storage.putAs(key, Buffer.from('something else'));
  const bad = await verifyFiles(t.ctx);
  assert.deepEqual(bad.mismatched, [key]);
  assert.equal(bad.ok, false);
});
