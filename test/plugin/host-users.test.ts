import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella, type Umbrella } from '../../server/plugin';
import { userModel } from '../../modules/accounts/model';
import { TEST_SECRET } from '../support/app';

let db: Connection;
let umbrella: Umbrella;
const host = express();

interface HostReqUser {
  uid: string;
  mail: string;
  displayName: string;
  teacher?: boolean;
}

before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_host_${randomUUID().slice(0, 8)}`);
  // The host's own sign-in: here, a header stands in for its session.
  host.use((req, _res, next) => {
    const who = req.get('x-host-user');
    if (who) (req as unknown as { hostUser: HostReqUser }).hostUser = JSON.parse(who) as HostReqUser;
    next();
  });
  umbrella = createUmbrella({
    connection: db,
    config: { sessionSecret: TEST_SECRET, secureCookies: false, env: 'test', logLevel: 'silent' },
    hostUsers: (req) => {
      const u = (req as unknown as { hostUser?: HostReqUser }).hostUser;
      return (
        u && { id: u.uid, email: u.mail, name: u.displayName, role: u.teacher ? 'trainer' : 'journalist' }
      );
    },
  });
  host.use('/training', umbrella.app);
});
after(async () => {
  await umbrella.stop();
  await db.dropDatabase();
  await db.close();
});

const as = (u: HostReqUser) => JSON.stringify(u);

test("the host's signed-in user is ours at once, linked once, with the mapped role", async () => {
  const user = { uid: 'h-1', mail: 'Saran@Example.org', displayName: 'Saran' };
  const res = await request(host).get('/training/account').set('x-host-user', as(user)).expect(200);
  assert.match(res.text, /value="Saran"/);
  await request(host).get('/training/account').set('x-host-user', as(user)).expect(200);
  const rows = await userModel(db).find({ hostId: 'h-1' }).lean();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.email, 'saran@example.org');
  assert.equal(rows[0]!.role, 'journalist');
  await request(host).get('/training/trainer/courses').set('x-host-user', as(user)).expect(403);
  const teacher = { uid: 'h-2', mail: 'teacher@example.org', displayName: 'Teacher', teacher: true };
  await request(host).get('/training/trainer/courses').set('x-host-user', as(teacher)).expect(200);
});

test('no host user means anonymous; a disabled account stays out', async () => {
  const anonymous = await request(host).get('/training/account').expect(303);
  assert.match(anonymous.headers.location!, /^\/training\/login/);
  const user = { uid: 'h-3', mail: 'off@example.org', displayName: 'Off' };
  await request(host).get('/training/account').set('x-host-user', as(user)).expect(200);
  await userModel(db).updateOne({ hostId: 'h-3' }, { $set: { status: 'disabled' } });
  await request(host).get('/training/account').set('x-host-user', as(user)).expect(303);
});
