/**
 * LTI under a mount path: the example host mounts the tool under /training and an LMS launches a
 * learner there. The launch's cookies must live under /training/lti/… or the browser never sends them
 * back and every launch is refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';
import { buildHostApp } from '../../examples/host-app';
import { importCourses } from '../../modules/learning';
import { toSessionUser } from '../../modules/accounts';
import { registerPlatform } from '../../modules/interop/lti/service';
import { platformForm } from '../../modules/interop/lti/schemas';
import { buildUser } from '../factories';
import { TEST_SECRET } from '../support/app';
import { continueHandoff, startPlatform, type PlatformSim } from '../support/lti-platform';

const PREFIX = '/training';
const BASE_URL = `http://localhost:4000${PREFIX}`;
let db: Connection;
let host: Awaited<ReturnType<typeof buildHostApp>>;
let sim: PlatformSim;

before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_ltimount_${randomUUID().slice(0, 8)}`);
  host = await buildHostApp(db, TEST_SECRET, {
    baseUrl: BASE_URL,
    jobs: 'none',
    config: { logLevel: 'silent' },
  });
  const ctx = host.umbrella.ctx;
  await importCourses(ctx);
  sim = await startPlatform(BASE_URL);
  const admin = toSessionUser(await buildUser(ctx, { role: 'admin' }));
  await registerPlatform(ctx, admin, platformForm.parse(sim.registration()));
});

after(async () => {
  await sim?.close();
  await host?.umbrella.stop();
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

test('mounted under /training, an LTI learner launch and hand-off work end to end in one browser', async () => {
  // One browser (a cookie jar that honours each cookie's Path), as the LMS frame and then the new tab.
  const browser = request.agent(host.host);
  sim.next = { sub: 'mounted-1', name: 'Mounted Learner', custom: { target: 'course:tip-reporting' } };
  const login = await browser
    .get(`${PREFIX}/lti/login`)
    .query({
      iss: sim.issuer,
      login_hint: 'h',
      target_link_uri: `${BASE_URL}/lti/launch`,
      client_id: sim.clientId,
    })
    .expect(302);
  assert.match(String(login.headers['set-cookie']), /lti-state-[^;]+; Max-Age=600; Path=\/training\/lti\//);

  const form = await sim.authorize(login.headers.location!);
  assert.equal(form.action, `${BASE_URL}/lti/launch`);
  const launched = await browser
    .post(`${PREFIX}/lti/launch`)
    .type('form')
    .send({ id_token: form.id_token, state: form.state });
  assert.equal(launched.status, 200, 'the state cookie came back under the mount path');
  assert.match(launched.text, /href="\/training\/lti\/continue\/[A-Za-z0-9_-]{43}"/);
  assert.match(String(launched.headers['set-cookie']), /lti-state-[^;]+=; Path=\/training\/lti\//, 'cleared');

  const go = await continueHandoff(browser, launched);
  assert.equal(go.status, 303);
  assert.equal(go.headers.location, `${PREFIX}/learn/tip-reporting`);
  const course = await browser.get(go.headers.location!).expect(200);
  assert.match(course.text, /action="\/training\/logout"/, 'signed in under the prefix');
});
