import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, signIn, tokenFor } from '../factories';
import { pitchModel, storedFileModel } from '../../modules/grants/model';
import {
  completePitch,
  docx,
  docxBomb,
  jpegWithGps,
  journalistWithDraft,
  PDF,
  png,
  trainedJournalist,
} from './helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** Every file under the uploads folder, temporary parts included. */
function filesOnDisk(dir = t.uploadsDir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesOnDisk(p) : [p];
  });
}

const setup = () => journalistWithDraft(t);

type Agent = Awaited<ReturnType<typeof setup>>['agent'];
const upload = (
  agent: Agent,
  token: string | undefined,
  pitchId: string,
  data: Buffer,
  name: string,
  kind = 'sample',
) => {
  // As the browser sends the form: the hidden token is the first field, before the file.
  const req = agent.post(`/grants/pitches/${pitchId}/files`);
  if (token) void req.field('_csrf', token);
  return req.field('kind', kind).attach('file', data, name);
};

async function nothingStored(run: () => Promise<unknown>) {
  const disk = filesOnDisk().length;
  const records = await storedFileModel(t.ctx.db).countDocuments();
  await run();
  assert.equal(filesOnDisk().length, disk, 'no bytes written');
  assert.equal(await storedFileModel(t.ctx.db).countDocuments(), records, 'no record');
}

test('PDF, DOCX and PNG are stored under random keys with their SHA-256, downloadable by owner and admin only', async () => {
  const { agent, token, pitchId, user } = await setup();
  await upload(agent, token, pitchId, PDF, 'sample.pdf').expect(303);
  await upload(agent, token, pitchId, docx(), 'letter.docx', 'outlet-letter').expect(303);
  await upload(agent, token, pitchId, await png(), 'photo.png', 'other').expect(303);
  const files = await storedFileModel(t.ctx.db).find({ pitchId }).sort({ createdAt: 1, _id: 1 }).lean();
  assert.deepEqual(files.map((f) => f.ext).sort(), ['docx', 'pdf', 'png']);
  const pdf = files.find((f) => f.ext === 'pdf')!;
  assert.match(pdf.storageKey, /^[a-f0-9]{32}$/);
  assert.equal(pdf.sha256, createHash('sha256').update(PDF).digest('hex'));
  assert.equal(String(pdf.ownerId), String(user._id));
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.fileIds.length, 3);

  const res = await agent
    .get(`/grants/files/${String(pdf._id)}`)
    .buffer(true)
    .expect(200);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.equal(
    res.headers['content-disposition'],
    `attachment; filename="sample.pdf"; filename*=UTF-8''sample.pdf`,
  );
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['content-security-policy'], "default-src 'none'; sandbox");
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.ok(Buffer.from(res.body as Buffer).equals(PDF));

  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  await admin.get(`/grants/files/${String(pdf._id)}`).expect(200);
  const other = await signIn(t.app, await buildUser(t.ctx));
  await other.get(`/grants/files/${String(pdf._id)}`).expect(404);
  await other.get('/grants/files/not-an-id').expect(404);
  const reviewer = await signIn(t.app, await buildUser(t.ctx, { role: 'reviewer' }));
  await reviewer.get(`/grants/files/${String(pdf._id)}`).expect(403);
});

test('EXIF and GPS are stripped from JPEGs', async () => {
  const { agent, token, pitchId } = await setup();
  const original = await jpegWithGps();
  assert.ok((await sharp(original).metadata()).exif, 'fixture carries EXIF');
  await upload(agent, token, pitchId, original, 'interview.jpg').expect(303);
  const record = await storedFileModel(t.ctx.db).findOne({ pitchId }).lean();
  const stored = await t.ctx.storage.read(record!.storageKey);
  const meta = await sharp(stored).metadata();
  assert.equal(meta.format, 'jpeg');
  assert.equal(meta.exif, undefined);
  assert.equal(meta.xmp, undefined);
  assert.equal(meta.iptc, undefined);
  assert.ok(!stored.includes(Buffer.from('SpyCam')));
  assert.equal(record!.sha256, createHash('sha256').update(stored).digest('hex'));
  assert.equal(record!.size, stored.length);
});

test('a path-traversal file name is stored under a random key and shown sanitised', async () => {
  const { agent, token, pitchId } = await setup();
  await upload(agent, token, pitchId, PDF, '../../etc/passwd.pdf').expect(303);
  const record = await storedFileModel(t.ctx.db).findOne({ pitchId }).lean();
  assert.equal(record!.originalName, 'passwd.pdf');
  assert.match(record!.storageKey, /^[a-f0-9]{32}$/);
  assert.ok(filesOnDisk().every((f) => f.startsWith(t.uploadsDir)));
  const page = await agent.get(`/grants/pitches/${pitchId}`).expect(200);
  assert.match(page.text, />passwd\.pdf</);
  assert.doesNotMatch(page.text, /etc\/passwd/);

  await upload(agent, token, pitchId, PDF, 'Нийтлэл 1.pdf').expect(303);
  const mn = await storedFileModel(t.ctx.db).findOne({ pitchId, originalName: 'Нийтлэл 1.pdf' }).lean();
  assert.ok(mn, 'UTF-8 name kept');
  const res = await agent.get(`/grants/files/${String(mn!._id)}`).expect(200);
  assert.equal(
    res.headers['content-disposition'],
    `attachment; filename="Niitlel_1.pdf"; filename*=UTF-8''${encodeURIComponent('Нийтлэл 1.pdf')}`,
  );
});

test('bidi and control characters are stripped from file names; Cyrillic gets a transliterated fallback', async () => {
  const { agent, token, pitchId } = await setup();
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "invoice\u202Efdp.exe" as "invoiceexe.pdf".
  const names: Array<[string, string, string]> = [
    ['invoice\u202Efdp.exe.pdf', 'invoicefdp.exe.pdf', 'invoicefdp.exe.pdf'],
    ['\u2066Өргөдөл\u2069\u200B ба үнэлгээ\u0085.pdf', 'Өргөдөл ба үнэлгээ.pdf', 'Urgudul_ba_unelgee.pdf'],
    ['Төсөв.pdf', 'Төсөв.pdf', 'Tusuv.pdf'],
    ['報告.pdf', '報告.pdf', 'file.pdf'],
    ['Café résumé.pdf', 'Café résumé.pdf', 'Cafe_resume.pdf'],
  ];
  for (const [sent, shown, ascii] of names) {
    await upload(agent, token, pitchId, PDF, sent).expect(303);
    const record = await storedFileModel(t.ctx.db).findOne({ pitchId, originalName: shown }).lean();
    assert.ok(record, `${JSON.stringify(sent)} stored as ${JSON.stringify(shown)}`);
    const res = await agent.get(`/grants/files/${String(record!._id)}`).expect(200);
    assert.equal(
      res.headers['content-disposition'],
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(shown)}`,
    );
  }
  const page = await agent.get(`/grants/pitches/${pitchId}`).expect(200);
  assert.doesNotMatch(page.text, /[\u202A-\u202E\u2066-\u2069\u200B\u0085]/);
  assert.match(page.text, />Өргөдөл ба үнэлгээ\.pdf</);

  // Records stored before this rule are cleaned where they are shown and sent.
  const old = await storedFileModel(t.ctx.db).findOne({ pitchId, originalName: 'Төсөв.pdf' }).lean();
  await storedFileModel(t.ctx.db).updateOne(
    { _id: old!._id },
    { $set: { originalName: 'old\u202Efdp.pdf' } },
  );
  const oldRes = await agent.get(`/grants/files/${String(old!._id)}`).expect(200);
  assert.equal(
    oldRes.headers['content-disposition'],
    `attachment; filename="oldfdp.pdf"; filename*=UTF-8''oldfdp.pdf`,
  );
  const again = await agent.get(`/grants/pitches/${pitchId}`).expect(200);
  assert.doesNotMatch(again.text, /\u202E/);
});

test('spoofed types, SVG, HTML and unknown extensions are refused with 400 and nothing stored', async () => {
  const { agent, token, pitchId } = await setup();
  const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>');
  await nothingStored(async () => {
    const spoof = await upload(agent, token, pitchId, html, 'report.pdf').expect(400);
    assert.match(spoof.text, /contents do not match its type/);
    await upload(agent, token, pitchId, svg, 'logo.svg').expect(400);
    await upload(agent, token, pitchId, svg, 'logo.png').expect(400);
    await upload(agent, token, pitchId, html, 'page.html').expect(400);
    await upload(agent, token, pitchId, PDF, 'sample.jpg').expect(400);
    await upload(agent, token, pitchId, await png(), 'photo.pdf').expect(400);
    await upload(agent, token, pitchId, PDF, 'noextension').expect(400);
    await upload(agent, token, pitchId, PDF, 'sample.pdf', 'passport').expect(400);
  });
});

test('a DOCX zip bomb (200 KB that inflates to 200 MB) or one with 1,001 parts is refused with a clear message', async () => {
  const { agent, token, pitchId } = await setup();
  const bomb = docxBomb();
  assert.ok(bomb.length < 300 * 1024, `bomb is ${bomb.length} bytes`);
  const many = docx(
    Array.from({ length: 1001 }, (_, i) => ({ name: `word/p${i}.xml`, data: Buffer.from('x') })),
  );
  const locked = docx([{ name: 'word/secret.xml', data: Buffer.from('x'), flags: 1 }]);
  await nothingStored(async () => {
    for (const [file, message] of [
      [bomb, /unpacks to more than 64 MB or holds more than 1,000 parts/],
      [many, /unpacks to more than 64 MB or holds more than 1,000 parts/],
      [locked, /damaged or protected/],
    ] as const) {
      const res = await upload(agent, token, pitchId, file, 'story.docx').set('Accept-Language', 'en');
      assert.equal(res.status, 400);
      assert.match(res.text, message);
    }
  });
  // A real document is still welcome.
  await upload(agent, token, pitchId, docx(), 'story.docx').expect(303);
});

test('limits: too big → 413, two files or extra fields → 400, nothing stored', async () => {
  const { agent, token, pitchId } = await setup();
  await nothingStored(async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)]);
    await upload(agent, token, pitchId, big, 'big.pdf').expect(413);
    await agent
      .post(`/grants/pitches/${pitchId}/files`)
      .field('_csrf', token)
      .field('kind', 'sample')
      .attach('file', PDF, 'a.pdf')
      .attach('file', PDF, 'b.pdf')
      .expect(400);
    const req = agent.post(`/grants/pitches/${pitchId}/files`).field('_csrf', token);
    for (let i = 0; i < 6; i++) void req.field(`f${i}`, 'x');
    await req.attach('file', PDF, 'a.pdf').expect(400);
    await agent
      .post(`/grants/pitches/${pitchId}/files`)
      .field('_csrf', token)
      .field('kind', 'x'.repeat(2000))
      .attach('file', PDF, 'a.pdf')
      .expect(400);
    await agent
      .post(`/grants/pitches/${pitchId}/files`)
      .field('_csrf', token)
      .field('kind', 'sample')
      .expect(400);
  });
});

test('no CSRF token or a cross-site request → 403 with zero bytes written', async () => {
  const { agent, token, pitchId } = await setup();
  await nothingStored(async () => {
    await upload(agent, undefined, pitchId, PDF, 'a.pdf').expect(403);
    await upload(agent, 'forged-token', pitchId, PDF, 'a.pdf').expect(403);
    await upload(agent, token, pitchId, PDF, 'a.pdf').set('Origin', 'https://evil.example').expect(403);
    await upload(agent, token, pitchId, PDF, 'a.pdf').set('Sec-Fetch-Site', 'cross-site').expect(403);
  });
});

test("another journalist's pitch or file is a 404, and nothing is stored", async () => {
  const owner = await setup();
  await upload(owner.agent, owner.token, owner.pitchId, PDF, 'mine.pdf').expect(303);
  const file = await storedFileModel(t.ctx.db).findOne({ pitchId: owner.pitchId }).lean();
  const intruder = await signIn(t.app, await trainedJournalist(t.ctx));
  const token = await tokenFor(intruder, '/grants');
  await nothingStored(async () => {
    await upload(intruder, token, owner.pitchId, PDF, 'theirs.pdf').expect(404);
  });
  await intruder
    .post(`/grants/pitches/${owner.pitchId}/files/${String(file!._id)}/remove`)
    .type('form')
    .send({ _csrf: token })
    .expect(404);
  await intruder.get(`/grants/files/${String(file!._id)}`).expect(404);
  assert.ok(await t.ctx.storage.exists(file!.storageKey));
});

test('a failed record write removes the stored bytes', async () => {
  const { agent, token, pitchId } = await setup();
  const Files = storedFileModel(t.ctx.db);
  const original = Files.create.bind(Files);
  (Files as unknown as { create: unknown }).create = async () => {
    throw new Error('database write failed');
  };
  try {
    await nothingStored(async () => {
      await upload(agent, token, pitchId, PDF, 'a.pdf').expect(500);
    });
  } finally {
    (Files as unknown as { create: unknown }).create = original;
  }
});

test('an upload aborted mid-body leaves nothing behind', async () => {
  const { agent, token, pitchId } = await setup();
  const cookie = (
    agent as unknown as { jar: { getCookies(o: object): Array<{ toValueString(): string }> } }
  ).jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => c.toValueString())
    .join('; ');
  assert.match(cookie, /=/, 'the raw request carries the session cookie');
  const server = t.app.listen(0);
  const port = (server.address() as AddressInfo).port;
  try {
    await nothingStored(async () => {
      await new Promise<void>((resolve) => {
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
        req.on('error', () => resolve());
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.write(
          `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nsample\r\n--${boundary}\r\n` +
            `Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        );
        req.write(Buffer.concat([PDF, Buffer.alloc(512 * 1024, 0x20)]));
        setTimeout(() => {
          req.destroy();
          setTimeout(resolve, 300);
        }, 200);
      });
    });
  } finally {
    server.close();
  }
});

test('at most 8 files per pitch; removing deletes the record then the bytes; no uploads after submit on rolling calls', async () => {
  const { agent, token, pitchId } = await setup();
  for (let i = 0; i < 8; i++) await upload(agent, token, pitchId, PDF, `s${i}.pdf`).expect(303);
  await nothingStored(async () => {
    await upload(agent, token, pitchId, PDF, 'ninth.pdf').expect(409);
  });
  const file = await storedFileModel(t.ctx.db).findOne({ pitchId }).lean();
  await agent
    .post(`/grants/pitches/${pitchId}/files/${String(file!._id)}/remove`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  assert.equal(await storedFileModel(t.ctx.db).countDocuments({ _id: file!._id }), 0);
  assert.equal(await t.ctx.storage.exists(file!.storageKey), false);
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.fileIds.length, 7);

  const rolling = await buildCall(t.ctx, { deadlineMode: 'rolling' });
  const created = await agent
    .post(`/grants/${String(rolling._id)}/pitches`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  const rid = created.headers.location!.split('/').pop()!;
  await agent
    .post(`/grants/pitches/${rid}/autosave`)
    .set('X-CSRF-Token', token)
    .set('Accept', 'application/json')
    .send(completePitch(0))
    .expect(200);
  await agent.post(`/grants/pitches/${rid}/submit`).type('form').send({ _csrf: token }).expect(303);
  await nothingStored(async () => {
    await upload(agent, token, rid, PDF, 'late.pdf').expect(409);
  });
});
