import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkLink, guardedLookup, isPrivateAddress } from '../../modules/impact/link-check';

let server: http.Server;
let base: string;
const hanging: http.ServerResponse[] = [];
before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/ok') return res.end('story');
    if (req.url === '/same') return res.writeHead(301, { location: '/ok' }).end();
    if (req.url === '/elsewhere') return res.writeHead(302, { location: 'https://spam.example.net/' }).end();
    if (req.url === '/slow') return void hanging.push(res); // never answers
    res.writeHead(404).end('gone');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const r of hanging) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const opts = { allowPrivate: true, timeoutMs: 500 };

test('a page that answers 200 is reachable', async () => {
  assert.deepEqual(await checkLink(`${base}/ok`, opts), { status: 'ok', httpStatus: 200 });
});

test('a 404 is a dead link', async () => {
  assert.deepEqual(await checkLink(`${base}/missing`, opts), { status: 'dead', httpStatus: 404 });
});

test('a redirect within the site is live; one to another host is flagged', async () => {
  assert.deepEqual(await checkLink(`${base}/same`, opts), { status: 'ok', httpStatus: 301 });
  assert.deepEqual(await checkLink(`${base}/elsewhere`, opts), { status: 'redirected', httpStatus: 302 });
});

test('a server that never answers ends as a timeout', async () => {
  assert.deepEqual(await checkLink(`${base}/slow`, opts), { status: 'timeout' });
});

test('loopback and private addresses are refused unless allowed; other schemes too', async () => {
  assert.deepEqual(await checkLink(`${base}/ok`, { timeoutMs: 500 }), { status: 'blocked' });
  assert.deepEqual(await checkLink('http://localhost:1/', { timeoutMs: 500 }), { status: 'blocked' });
  assert.deepEqual(await checkLink('file:///etc/passwd', opts), { status: 'blocked' });
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])
    assert.ok(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '172.32.0.1', '2001:4860::8888']) assert.ok(!isPrivateAddress(a), a);
});

test('a closed port is a dead link, not an exception', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  assert.deepEqual(await checkLink(`http://127.0.0.1:${port}/`, opts), { status: 'dead' });
});

test('names are checked by the resolver the connection uses, so the address approved is the one opened', async () => {
  // No separate look-up before connecting: "localhost" is refused by the connection's own resolver.
  const refused = await new Promise<Error | null>((resolve) =>
    guardedLookup(false)('localhost', {}, (err) => resolve(err)),
  );
  assert.match(String(refused), /private address/);
  const allowed = await new Promise<string>((resolve, reject) =>
    guardedLookup(true)('localhost', { family: 4 }, (err, address) =>
      err ? reject(err) : resolve(String(address)),
    ),
  );
  assert.equal(allowed, '127.0.0.1');
  const all = await new Promise<unknown>((resolve, reject) =>
    guardedLookup(true)('localhost', { all: true }, (err, list) => (err ? reject(err) : resolve(list))),
  );
  assert.ok(Array.isArray(all) && all.length >= 1);
  assert.deepEqual(await checkLink('http://localhost:1/', { timeoutMs: 500 }), { status: 'blocked' });
  assert.deepEqual(await checkLink('http://[::1]:1/', { timeoutMs: 500 }), { status: 'blocked' });
});
