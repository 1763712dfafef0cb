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
import { buildUser } from '../factories';
import { linkHostUser, type HostUser } from '../../modules/accounts';

let db: Connection;
let umbrella: Umbrella;
const host = express();

before(async () => {
  db = await connectDatabase(process.env.TEST_MONGODB_URI!, `t_hostlink_${randomUUID().slice(0, 8)}`);
  // The host's own sign-in: a header stands in for its session (what it says is passed on as is).
  host.use((req, _res, next) => {
    const who = req.get('x-host-user');
    if (who) (req as unknown as { hostUser: HostUser }).hostUser = JSON.parse(who) as HostUser;
    next();
  });
  umbrella = createUmbrella({
    connection: db,
    jobs: 'none',
    config: { sessionSecret: TEST_SECRET, secureCookies: false, env: 'test', logLevel: 'silent' },
    hostUsers: (req) => (req as unknown as { hostUser?: HostUser }).hostUser,
  });
  host.use('/training', umbrella.app);
});
after(async () => {
  await umbrella.stop();
  await db.dropDatabase();
  await db.close();
});

const as = (u: HostUser) => JSON.stringify(u);
const account = (hostUser: HostUser) =>
  request(host).get('/training/account').set('x-host-user', as(hostUser)).expect(200);

test('a host user whose address the host has not verified never gets the local account with it', async () => {
  const victim = await buildUser(umbrella.ctx, { name: 'Victim', outlet: 'Secret Desk' });
  for (const [i, emailVerified] of [undefined, false].entries()) {
    const claimant: HostUser = {
      id: `unverified-${i}`,
      email: victim.email.toUpperCase(),
      name: 'Claimant',
      role: 'journalist',
      ...(emailVerified === undefined ? {} : { emailVerified }),
    };
    const page = await account(claimant);
    assert.doesNotMatch(page.text, /Secret Desk/);
    assert.match(page.text, /value="Claimant"/);
    const own = (await userModel(db).findOne({ hostId: claimant.id }).lean())!;
    assert.notEqual(String(own._id), String(victim._id), 'a separate account');
    assert.match(own.email, /^host-[0-9a-f]{24}@host\.invalid$/);
  }
  const untouched = (await userModel(db).findById(victim._id).lean())!;
  assert.equal(untouched.hostId, undefined);
  assert.equal(untouched.name, 'Victim');
  assert.equal(untouched.role, 'journalist');
});

test('a host user with a verified address is linked to the existing local account', async () => {
  const local = await buildUser(umbrella.ctx, { name: 'Local Name', outlet: 'Daily News' });
  const hostUser: HostUser = {
    id: 'verified-1',
    email: local.email,
    name: 'Host Name',
    role: 'journalist',
    emailVerified: true,
  };
  const page = await account(hostUser);
  assert.match(page.text, /Daily News/);
  const linked = (await userModel(db).findById(local._id).lean())!;
  assert.equal(linked.hostId, 'verified-1');
  assert.equal(linked.name, 'Host Name');
  assert.equal(await userModel(db).countDocuments({ hostId: 'verified-1' }), 1);

  // Another host identity claiming the same (verified) address does not take it over either.
  const second: HostUser = { ...hostUser, id: 'verified-2', name: 'Second' };
  await account(second);
  const other = (await userModel(db).findOne({ hostId: 'verified-2' }).lean())!;
  assert.notEqual(String(other._id), String(local._id));
  assert.equal((await userModel(db).findById(local._id).lean())!.hostId, 'verified-1');
});

test('a free address is used as is, verified or not; the next request finds the same account', async () => {
  const email = `fresh-${randomUUID().slice(0, 8)}@example.org`;
  const hostUser: HostUser = { id: 'fresh-1', email, name: 'Fresh', role: 'journalist' };
  await account(hostUser);
  await account(hostUser);
  const rows = await userModel(db).find({ hostId: 'fresh-1' }).lean();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.email, email);
});

test('two first requests of one host user at once make one account, not an error', async () => {
  const local = await buildUser(umbrella.ctx);
  const hostUser: HostUser = { id: 'racing-1', email: local.email, name: 'Racer', role: 'journalist' };
  const [a, b] = await Promise.all([
    linkHostUser(umbrella.ctx, hostUser),
    linkHostUser(umbrella.ctx, hostUser),
  ]);
  assert.equal(a!.id, b!.id);
  assert.notEqual(a!.id, String(local._id));
  assert.equal(await userModel(db).countDocuments({ hostId: 'racing-1' }), 1);
});

test('an account a host created gets no password reset: its address may never have been checked', async () => {
  const email = `claimed-${randomUUID().slice(0, 8)}@example.org`;
  // A free address, unverified by the host, becomes the host-made account's address.
  await account({ id: `claim-${email}`, email, name: 'Claimant', role: 'journalist' });
  const made = (await userModel(db)
    .findOne({ hostId: `claim-${email}` })
    .lean())!;
  assert.equal(made.email, email);
  // The address's real owner asks for a reset here: nothing is sent, so nobody can set a password on it.
  const forgot = await request(host).get('/training/forgot').expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(forgot.text)![1]!;
  const cookie = String(forgot.headers['set-cookie']).split(';')[0]!;
  await request(host)
    .post('/training/forgot')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: csrf, email })
    .expect(200);
  // A local account with a password still gets its reset e-mail the same way.
  const local = await buildUser(umbrella.ctx);
  await request(host)
    .post('/training/forgot')
    .set('Cookie', cookie)
    .type('form')
    .send({ _csrf: csrf, email: local.email })
    .expect(200);
  for (
    let i = 0;
    i < 200 && !(await db.collection('outboxmessages').countDocuments({ to: local.email }));
    i++
  )
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(await db.collection('outboxmessages').countDocuments({ to: local.email }), 1);
  // Asked first, answered by now: the host-made account got nothing.
  assert.equal(await db.collection('outboxmessages').countDocuments({ to: email }), 0);
});
