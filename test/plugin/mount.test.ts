import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';
import { buildHostApp } from '../../examples/host-app';
import { buildUser, csrfFrom, PASSWORD } from '../factories';
import { TEST_SECRET } from '../support/app';

let db: Connection;
let host: Awaited<ReturnType<typeof buildHostApp>>;

before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_mount_${randomUUID().slice(0, 8)}`);
  host = await buildHostApp(db, TEST_SECRET, { config: { logLevel: 'silent' } });
});
after(async () => {
  await host.umbrella.stop();
  await db.dropDatabase();
  await db.close();
});

test('mounted under /training, every link and redirect stays under the prefix and sign-in works', async () => {
  const user = await buildUser(host.umbrella.ctx);
  const agent = request.agent(host.host);
  assert.match((await agent.get('/').expect(200)).text, /Host/);
  const page = await agent.get('/training/login').expect(200);
  assert.match(page.text, /action="\/training\/login"/);
  assert.match(page.text, /href="\/training\/assets\/app\.[0-9a-f]{10}\.css"/);
  const signIn = await agent
    .post('/training/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: PASSWORD })
    .expect(303);
  assert.match(signIn.headers.location!, /^\/training\//);
  const home = await agent.get('/training/').redirects(3);
  assert.equal(home.status, 200);
  assert.match(home.text, /action="\/training\/logout"/);
  const anonymous = await request(host.host).get('/training/account').expect(303);
  assert.match(anonymous.headers.location!, /^\/training\/login\?next=/);
});

test('our 404 page is served inside the prefix; the host keeps its own routes', async () => {
  const res = await request(host.host).get('/training/no-such-page').expect(404);
  assert.match(res.text, /<html lang=/);
  await request(host.host).get('/elsewhere').expect(404);
});
