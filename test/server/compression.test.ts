import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { binary } from '../support/binary';
import { buildUser, signIn } from '../factories';
import { buildFixture } from '../reports/fixture';

let t: TestApp;
let off: TestApp;
let f: Awaited<ReturnType<typeof buildFixture>>;
before(async () => {
  t = await buildTestApp();
  off = await buildTestApp({ config: { compression: false } });
  f = await buildFixture(t.ctx);
});
after(async () => {
  await t.close();
  await off.close();
});

test('pages go out gzip or brotli when the browser accepts it, as they are when not', async () => {
  const gz = await request(t.app).get('/login').set('Accept-Encoding', 'gzip').expect(200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(String(gz.headers.vary), /Accept-Encoding/);
  assert.match(gz.text, /<form[^>]+action="\/login"/, 'decodes to the page');

  // What Chromium offers; supertest decodes brotli too.
  const br = await request(t.app).get('/login').set('Accept-Encoding', 'gzip, deflate, br, zstd').expect(200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(br.text, /<form[^>]+action="\/login"/);

  const plain = await request(t.app).get('/login').set('Accept-Encoding', 'identity').expect(200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.ok(Number(plain.headers['content-length']) > 1024);
});

function fetchRaw(port: number, path: string, acceptEncoding: string) {
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

test('a page sent whole: its length is the compressed length, it decodes to the same bytes; br;q=0 means gzip', async () => {
  const plain = await request(t.app).get('/login').set('Accept-Encoding', 'identity').expect(200);
  // Raw HTTP: supertest would decode the body and hide what went on the wire.
  const server = http.createServer(t.app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    for (const [offer, expected, decode] of [
      ['br', 'br', brotliDecompressSync],
      ['gzip, br;q=0', 'gzip', gunzipSync],
      ['br;q=0.5, gzip;q=0', 'br', brotliDecompressSync],
    ] as const) {
      const res = await fetchRaw(port, '/login', offer);
      assert.equal(res.headers['content-encoding'], expected, offer);
      assert.equal(
        Number(res.headers['content-length']),
        res.body.length,
        'Content-Length counts what is sent',
      );
      // The CSRF token differs per session; the rest of the page is the same.
      const page = decode(res.body)
        .toString('utf8')
        .replace(/value="[0-9a-f]{64}"/g, '');
      assert.equal(page, plain.text.replace(/value="[0-9a-f]{64}"/g, ''), offer);
    }
  } finally {
    server.close();
  }
  const none = await request(t.app).get('/login').set('Accept-Encoding', 'br;q=0, gzip;q=0').expect(200);
  assert.equal(none.headers['content-encoding'], undefined);
  const head = await request(t.app).head('/login').set('Accept-Encoding', 'br').expect(200);
  assert.equal(head.headers['content-encoding'], undefined, 'HEAD: nothing to compress');
});

test('COMPRESSION=off: nothing is compressed (a proxy in front does it)', async () => {
  for (const path of ['/login', '/assets/app.css']) {
    const res = await request(off.app).get(path).set('Accept-Encoding', 'gzip, deflate, br').expect(200);
    assert.equal(res.headers['content-encoding'], undefined, path);
  }
});

test('a page loaded from another site is not compressed (BREACH); the public stylesheet still is', async () => {
  const cross = await request(t.app)
    .get('/login?next=/learn')
    .set('Accept-Encoding', 'gzip')
    .set('Sec-Fetch-Site', 'cross-site')
    .expect(200);
  assert.equal(cross.headers['content-encoding'], undefined);
  const own = await request(t.app)
    .get('/login')
    .set('Accept-Encoding', 'gzip')
    .set('Sec-Fetch-Site', 'same-origin')
    .expect(200);
  assert.equal(own.headers['content-encoding'], 'gzip');
  const typed = await request(t.app)
    .get('/login')
    .set('Accept-Encoding', 'gzip')
    .set('Sec-Fetch-Site', 'none');
  assert.equal(typed.headers['content-encoding'], 'gzip', 'typed or bookmarked: nobody else chose the URL');
  const css = await request(t.app)
    .get('/assets/app.css')
    .set('Accept-Encoding', 'gzip')
    .set('Sec-Fetch-Site', 'cross-site')
    .expect(200);
  assert.equal(css.headers['content-encoding'], 'gzip');
});

test('CSV exports still stream, compressed, to the same bytes; XLSX and PDF go as they are', async () => {
  const admin = await signIn(t.app, f.admin);
  const url = '/reports/export/completion?course=tip&format=csv';
  const zipped = await admin.get(url).set('Accept-Encoding', 'gzip').buffer(true).parse(binary).expect(200);
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(zipped.headers['content-length'], undefined, 'streamed (chunked), not buffered');
  assert.equal(zipped.headers['cache-control'], 'no-store');
  const plain = await admin
    .get(url)
    .set('Accept-Encoding', 'identity')
    .buffer(true)
    .parse(binary)
    .expect(200);
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.deepEqual(zipped.body, plain.body, 'the CSV decodes to exactly the uncompressed bytes');
  assert.deepEqual([...(zipped.body as Buffer).subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM kept');

  const xlsx = await admin
    .get('/reports/export/items?course=tip&quiz=post&format=xlsx')
    .set('Accept-Encoding', 'gzip, br')
    .buffer(true)
    .parse(binary)
    .expect(200);
  assert.equal(xlsx.headers['content-encoding'], undefined, 'a ZIP already');
  assert.equal((xlsx.body as Buffer).subarray(0, 2).toString(), 'PK');
  const pdf = await admin
    .get('/reports/cohort-summary?course=tip')
    .set('Accept-Encoding', 'gzip, br')
    .buffer(true)
    .parse(binary)
    .expect(200);
  assert.equal(pdf.headers['content-encoding'], undefined);
  assert.equal((pdf.body as Buffer).subarray(0, 4).toString(), '%PDF');
});

test('a download of known size keeps its length and goes uncompressed', async () => {
  const agent = await signIn(t.app, await buildUser(t.ctx));
  const res = await agent.get('/account/export').set('Accept-Encoding', 'gzip').expect(200);
  assert.match(String(res.headers['content-disposition']), /^attachment/);
  assert.equal(res.headers['content-encoding'], undefined);
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.text));
});
