/**
 * Pitch attachments through the real app (supertest), once on each storage: upload, download, removal,
 * an aborted upload, a failed record write and missing bytes. With GridFS a second app on the same
 * database (another process, as behind a load balancer) serves what the first one received.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { binary } from '../support/binary';
import { TEST_SECRET, type TestApp } from '../support/app';
import { buildCall, buildUser, signIn } from '../factories';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella } from '../../server/plugin';
import { storedFileModel } from '../../modules/grants/model';
import { assignmentModel } from '../../modules/reviews/model';
import { buildPitch, buildStoredFile } from '../reviews/factories';
import { jpegWithGps, journalistWithDraft, PDF } from '../grants/helpers';
import { appWith, footprint, KINDS } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Agent = Awaited<ReturnType<typeof journalistWithDraft>>['agent'];
const upload = (agent: Agent, token: string, pitchId: string, data: Buffer, name: string) =>
  agent
    .post(`/grants/pitches/${pitchId}/files`)
    .field('_csrf', token)
    .field('kind', 'sample')
    .attach('file', data, name);

for (const kind of KINDS) {
  describe(`pitch attachments with STORAGE=${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await appWith(kind);
      assert.equal(t.ctx.storage.kind, kind);
    });
    after(() => t.close());

    /** Runs `run` and checks that it left no file, chunk, part or record behind. */
    async function nothingStored(run: () => Promise<unknown>) {
      const before = await footprint(t);
      const records = await storedFileModel(t.ctx.db).countDocuments();
      await run();
      assert.deepEqual(await footprint(t), before, 'no bytes written');
      assert.equal(await storedFileModel(t.ctx.db).countDocuments(), records, 'no record');
    }

    test('an attachment uploads and downloads with the same SHA-256; JPEG metadata is gone', async () => {
      const { agent, token, pitchId } = await journalistWithDraft(t);
      const before = await footprint(t);
      await upload(agent, token, pitchId, PDF, 'plan.pdf').expect(303);
      await upload(agent, token, pitchId, await jpegWithGps(), 'photo.jpg').expect(303);
      const files = await storedFileModel(t.ctx.db).find({ pitchId }).sort({ ext: -1 }).lean();
      assert.deepEqual(
        files.map((f) => f.ext),
        ['pdf', 'jpg'],
      );
      const now = await footprint(t);
      if (kind === 'gridfs') {
        assert.equal(now.files, before.files + 2);
        assert.equal(now.disk, 0, 'nothing on the local disk');
      } else {
        assert.equal(now.disk, before.disk + 2);
        assert.equal(now.files, 0, 'nothing in GridFS');
      }
      const [pdf, jpg] = files;
      assert.equal(pdf!.sha256, sha(PDF));
      const res = await agent
        .get(`/grants/files/${String(pdf!._id)}`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      assert.equal(sha(res.body as Buffer), pdf!.sha256);
      assert.equal(res.headers['content-length'], String(PDF.length));
      assert.equal(
        res.headers['content-disposition'],
        `attachment; filename="plan.pdf"; filename*=UTF-8''plan.pdf`,
      );
      const photo = await agent
        .get(`/grants/files/${String(jpg!._id)}`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      assert.equal(sha(photo.body as Buffer), jpg!.sha256);
      assert.equal((await sharp(photo.body as Buffer).metadata()).exif, undefined);
    });

    test('removing an attachment deletes its record and its bytes', async () => {
      const { agent, token, pitchId } = await journalistWithDraft(t);
      await upload(agent, token, pitchId, PDF, 'plan.pdf').expect(303);
      const file = await storedFileModel(t.ctx.db).findOne({ pitchId }).lean();
      const before = await footprint(t);
      await agent
        .post(`/grants/pitches/${pitchId}/files/${String(file!._id)}/remove`)
        .type('form')
        .send({ _csrf: token })
        .expect(303);
      assert.equal(await t.ctx.storage.exists(file!.storageKey), false);
      const now = await footprint(t);
      if (kind === 'gridfs') assert.deepEqual([now.files, now.chunks], [before.files - 1, before.chunks - 1]);
      else assert.equal(now.disk, before.disk - 1);
    });

    test('a multipart upload aborted mid-stream (raw HTTP) leaves no file, chunk or record', async () => {
      const { agent, token, pitchId } = await journalistWithDraft(t);
      const cookie = (
        agent as unknown as { jar: { getCookies(o: object): Array<{ toValueString(): string }> } }
      ).jar
        .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
        .map((c) => c.toValueString())
        .join('; ');
      const server = t.app.listen(0);
      const port = (server.address() as AddressInfo).port;
      try {
        const before = await footprint(t);
        await nothingStored(async () => {
          // Over when the server has closed its side of the exchange, not on a timer.
          const handled = new Promise<void>((resolve) =>
            server.once('request', (_req, res: http.ServerResponse) => res.once('close', () => resolve())),
          );
          const sent = new Promise<void>((resolve) => {
            const boundary = 'xBOUNDARYx';
            const req = http.request({
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/grants/pitches/${pitchId}/files`,
              headers: {
                'content-type': `multipart/form-data; boundary=${boundary}`,
                'content-length': String(5 * 1024 * 1024),
                cookie,
              },
            });
            // The server may answer or reset; either way the request is over.
            req.on('error', () => resolve());
            req.on('response', (res) => res.resume().on('end', () => resolve()));
            req.write(
              `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n` +
                `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nsample\r\n--${boundary}\r\n` +
                `Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
            );
            // A megabyte of the promised five, then the connection drops: the body is cut mid-file.
            req.write(Buffer.concat([PDF, Buffer.alloc(1024 * 1024, 0x20)]), () => req.destroy());
          });
          await Promise.all([handled, sent]);
        });
        // The same pitch still takes a complete upload, and only that one file lands.
        await upload(agent, token, pitchId, PDF, 'plan.pdf').expect(303);
        const now = await footprint(t);
        assert.equal(
          kind === 'gridfs' ? now.files : now.disk,
          (kind === 'gridfs' ? before.files : before.disk) + 1,
        );
      } finally {
        server.close();
      }
    });

    test('a failed record write removes the stored bytes', async () => {
      const { agent, token, pitchId } = await journalistWithDraft(t);
      const Files = storedFileModel(t.ctx.db);
      const original = Files.create.bind(Files);
      (Files as unknown as { create: unknown }).create = async () => {
        throw new Error('database write failed');
      };
      try {
        await nothingStored(() => upload(agent, token, pitchId, PDF, 'a.pdf').expect(500));
      } finally {
        (Files as unknown as { create: unknown }).create = original;
      }
    });

    test('a record whose bytes are gone is a 404 for the owner and for a reviewer, never a 500', async () => {
      const applicant = await buildUser(t.ctx);
      const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
      const call = await buildCall(t.ctx, { blind: false }, { closed: true });
      const pitch = await buildPitch(t.ctx, call, applicant, { status: 'under_review' });
      const file = await buildStoredFile(t.ctx, pitch, PDF, {
        ext: 'pdf',
        mime: 'application/pdf',
        originalName: 'plan.pdf',
      });
      const a = await assignmentModel(t.ctx.db).create({
        callId: call._id,
        pitchId: pitch._id,
        reviewerId: reviewer._id,
        status: 'accepted',
      });
      const owner = await signIn(t.app, applicant);
      const rev = await signIn(t.app, reviewer);
      const got = await rev
        .get(`/reviews/files/${String(a._id)}/1`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      // Not a blind call: the reviewer gets the file as it came.
      assert.ok((got.body as Buffer).equals(PDF));
      await owner.get(`/grants/files/${String(file._id)}`).expect(200);
      await t.ctx.storage.remove(file.storageKey);
      await owner.get(`/grants/files/${String(file._id)}`).expect(404);
      await rev.get(`/reviews/files/${String(a._id)}/1`).expect(404);
    });
  });
}

test('GridFS: a file uploaded through one app process downloads through another on the same database', async () => {
  const a = await appWith('gridfs');
  const otherUploads = mkdtempSync(path.join(os.tmpdir(), 'umbrella-uploads-b-'));
  const db = await connectDatabase(process.env.TEST_MONGODB_URI!, a.ctx.db.name);
  try {
    const b = createUmbrella({
      connection: db,
      jobs: 'none',
      passUnknownErrors: false,
      config: {
        env: 'test',
        sessionSecret: TEST_SECRET,
        secureCookies: false,
        baseUrl: 'http://127.0.0.1:3000',
        logLevel: 'silent',
        uploadsDir: otherUploads,
        storage: 'gridfs',
      },
    });
    const { agent, token, pitchId, user } = await journalistWithDraft(a);
    const data = Buffer.concat([PDF, Buffer.alloc(700 * 1024, 0x20)]);
    await upload(agent, token, pitchId, data, 'long-plan.pdf').expect(303);
    const file = await storedFileModel(a.ctx.db).findOne({ pitchId }).lean();
    const viaB = await signIn(b.app, user);
    const res = await viaB
      .get(`/grants/files/${String(file!._id)}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.equal(sha(res.body as Buffer), file!.sha256);
    assert.equal(sha(res.body as Buffer), sha(data));
  } finally {
    await db.close();
    await a.close();
    rmSync(otherUploads, { recursive: true, force: true });
  }
});
