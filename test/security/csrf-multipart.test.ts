import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { storedFileModel } from '../../modules/grants/model';
import { journalistWithDraft, PDF } from '../grants/helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const stored = () => storedFileModel(t.ctx.db).countDocuments();

test('a CSRF token in the query string is refused (form posts and uploads), nothing changes', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const token = await tokenFor(agent);
  const res = await agent
    .post('/account')
    .query({ _csrf: token })
    .type('form')
    .send({ name: 'Changed by URL', locale: 'en' });
  assert.equal(res.status, 403);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.name, user.name);

  const { agent: j, token: jt, pitchId } = await journalistWithDraft(t);
  const before = await stored();
  await j
    .post(`/grants/pitches/${pitchId}/files`)
    .query({ _csrf: jt })
    .field('kind', 'sample')
    .attach('file', PDF, 'a.pdf')
    .expect(403);
  assert.equal(await stored(), before);
});

test('the upload form sends its token as the first field, not in its action URL', async () => {
  const { agent, pitchId } = await journalistWithDraft(t);
  const page = await agent.get(`/grants/pitches/${pitchId}`).expect(200);
  const form = /<form[^>]*enctype="multipart\/form-data"[^>]*>([\s\S]*?)<\/form>/.exec(page.text);
  assert.ok(form, 'the upload form is on the page');
  assert.doesNotMatch(form[0], /action="[^"]*_csrf/);
  const firstField = /<(input|select|textarea)\b[^>]*>/.exec(form[1]!)?.[0] ?? '';
  assert.match(firstField, /type="hidden" name="_csrf"/);
});

test('multipart: the token as first field or header is accepted; later, wrong or missing is refused', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  const url = `/grants/pitches/${pitchId}/files`;
  const before = await stored();
  // Refused, and no file is stored: token after the file, after another field, wrong, missing.
  await agent
    .post(url)
    .field('kind', 'sample')
    .attach('file', PDF, 'a.pdf')
    .field('_csrf', token)
    .expect(403);
  await agent
    .post(url)
    .field('kind', 'sample')
    .field('_csrf', token)
    .attach('file', PDF, 'a.pdf')
    .expect(403);
  await agent
    .post(url)
    .field('_csrf', 'x'.repeat(token.length))
    .field('kind', 'sample')
    .attach('file', PDF, 'a.pdf')
    .expect(403);
  await agent.post(url).field('kind', 'sample').attach('file', PDF, 'a.pdf').expect(403);
  assert.equal(await stored(), before);

  // Accepted: the field never reaches the route's strict schema (which knows only `kind`).
  await agent
    .post(url)
    .field('_csrf', token)
    .field('kind', 'sample')
    .attach('file', PDF, 'a.pdf')
    .expect(303);
  await agent
    .post(url)
    .set('X-CSRF-Token', token)
    .field('kind', 'sample')
    .attach('file', PDF, 'b.pdf')
    .expect(303);
  assert.equal(await stored(), before + 2);
});

test('multipart: a real request whose first part arrives byte by byte is checked and stored', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  const cookie = (
    agent as unknown as { jar: { getCookies(o: object): Array<{ toValueString(): string }> } }
  ).jar
    .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
    .map((c) => c.toValueString())
    .join('; ');
  const server = t.app.listen(0);
  const port = (server.address() as AddressInfo).port;
  const send = (csrf: string) =>
    new Promise<number>((resolve, reject) => {
      const boundary = '----umbrellaBoundary7MA4YWxkTrZu0gW';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nsample\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.pdf"\r\n` +
          `Content-Type: application/pdf\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const body = Buffer.concat([head, PDF, tail]);
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/grants/pitches/${pitchId}/files`,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(body.length),
          cookie,
        },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The token part in tiny pieces, the rest at once.
      let i = 0;
      const drip = () => {
        if (i < 120) {
          req.write(body.subarray(i, i + 3));
          i += 3;
          return setTimeout(drip, 1);
        }
        req.end(body.subarray(i));
      };
      drip();
    });
  try {
    const before = await stored();
    assert.equal(await send('forged-token-value'), 403);
    assert.equal(await stored(), before);
    assert.equal(await send(token), 303);
    assert.equal(await stored(), before + 1);
  } finally {
    server.close();
  }
});
