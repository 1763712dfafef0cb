import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';
import { pino } from 'pino';
import { createUmbrella } from '../../server/plugin';
import { TEST_SECRET } from '../support/app';

/** A logger whose lines land in `lines` (pino JSON). */
function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

let db: Connection;
before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_baseurl_${randomUUID().slice(0, 8)}`);
});
after(async () => {
  await db.dropDatabase();
  await db.close();
});
const connection = () => db;

test('a host app in production without config.baseUrl is refused, and told why', () => {
  assert.throws(
    () => createUmbrella({ connection: connection(), jobs: 'none', config: { sessionSecret: TEST_SECRET } }),
    (err: Error) =>
      /config\.baseUrl is not set/.test(err.message) &&
      /certificate QR codes/.test(err.message) &&
      /Refusing to start in production/.test(err.message),
  );
});

test('a host app in development without config.baseUrl starts with a loud warning', () => {
  const { lines, logger } = capture();
  const { app } = createUmbrella({
    connection: connection(),
    jobs: 'none',
    logger,
    config: { sessionSecret: TEST_SECRET, env: 'development' },
  });
  assert.equal(typeof app, 'function');
  const warning = lines.find((l) => l.level === 40 && /baseUrl is not set/.test(l.msg));
  assert.ok(warning, `no warning logged: ${JSON.stringify(lines)}`);
});

test('a host app in production with config.baseUrl starts quietly', () => {
  const { lines, logger } = capture();
  const { ctx } = createUmbrella({
    connection: connection(),
    jobs: 'none',
    logger,
    config: { sessionSecret: TEST_SECRET, baseUrl: 'https://training.example.org' },
  });
  assert.equal(ctx.config.baseUrl, 'https://training.example.org');
  assert.equal(lines.filter((l) => /baseUrl/.test(l.msg)).length, 0);
});
