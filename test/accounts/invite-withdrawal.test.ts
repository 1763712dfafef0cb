import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, tokenFor, PASSWORD } from '../factories';
import { accountTokenModel, userModel } from '../../modules/accounts/model';
import { listAudit } from '../../modules/audit';
import { linkToken, waitForEmail } from './helpers';

type Agent = ReturnType<typeof request.agent>;

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

/** An admin invites `role` at a fresh address; returns the admin's agent, the user's id and the link token. */
async function invite(role: 'admin' | 'journalist') {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const email = `wrong-${role}-${Date.now()}@example.org`;
  const res = await agent
    .post('/admin/invite')
    .type('form')
    .send({
      _csrf: await tokenFor(agent, '/admin/invite'),
      stepUpSecret: PASSWORD,
      email,
      name: 'Wrong Address',
      role,
    })
    .expect(303);
  const id = /\/admin\/users\/([0-9a-f]{24})/.exec(res.headers.location!)![1]!;
  const token = linkToken((await waitForEmail(t.ctx, email, 'accounts/invitation')).text, 'invite');
  return { agent, id, token, email };
}

/** An access change on the admin's user page, answered in English. */
const changeAccess = (agent: Agent, id: string, body: Record<string, string>) =>
  agent.post(`/admin/users/${id}`).set('Accept-Language', 'en').type('form').send(body);

test('an admin withdraws a pending invitation: the link is refused and no account becomes active', async () => {
  const { agent, id, token, email } = await invite('admin');
  // The invitee opened the form before the withdrawal.
  const guest = request.agent(t.app);
  const form = await guest.get(`/invite/${token}`).expect(200);

  const page = await agent.get(`/admin/users/${id}`).set('Accept-Language', 'en').expect(200);
  assert.match(page.text, /has not accepted the invitation yet/);
  assert.match(page.text, /Withdraw the invitation/);
  assert.match(page.text, /<input type="hidden" name="status" value="disabled">/);
  const done = await changeAccess(agent, id, {
    _csrf: csrfFrom(page.text),
    role: 'admin',
    status: 'disabled',
  }).expect(303);
  assert.equal(done.headers.location, `/admin/users/${id}?withdrawn=1`);
  const after = await agent.get(done.headers.location!).set('Accept-Language', 'en').expect(200);
  assert.match(after.text, /The invitation is withdrawn/);

  // The link now gets the usual expired/used page, for showing and for accepting.
  const shown = await guest.get(`/invite/${token}`).set('Accept-Language', 'en').expect(404);
  assert.match(shown.text, /expired or was already used/);
  await guest
    .post(`/invite/${token}`)
    .type('form')
    .send({ _csrf: csrfFrom(form.text), name: 'Intruder', password: 'an-intruders-passphrase' })
    .expect(404);
  await guest.get('/account').expect(303);

  const stored = (await userModel(t.ctx.db).findOne({ email }).lean())!;
  assert.equal(stored.status, 'disabled');
  assert.equal(stored.passwordHash, undefined);
  const tokens = await accountTokenModel(t.ctx.db).find({ userId: stored._id }).lean();
  assert.ok(tokens.length > 0 && tokens.every((tk) => tk.usedAt), 'every invite link is used up');
  const audit = await listAudit(t.ctx, { action: 'user.access_changed', targetId: id });
  assert.deepEqual(audit[0]!.meta, {
    from: { role: 'admin', status: 'invited' },
    to: { role: 'admin', status: 'disabled' },
  });
});

test('withdrawing an invitation needs the same fresh confirmation as any access change', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const { id, token } = await invite('journalist');
  const csrf = await tokenFor(agent, `/admin/users/${id}`);
  const asked = await changeAccess(agent, id, { _csrf: csrf, role: 'journalist', status: 'disabled' });
  assert.equal(asked.status, 403);
  assert.match(asked.text, /Confirm it is you/);
  await request(t.app).get(`/invite/${token}`).expect(200);
  assert.equal((await userModel(t.ctx.db).findById(id).lean())!.status, 'invited');
  await changeAccess(agent, id, {
    _csrf: csrf,
    role: 'journalist',
    status: 'disabled',
    stepUpSecret: PASSWORD,
  }).expect(303);
  await request(t.app).get(`/invite/${token}`).expect(404);
});

test('a pending invitation cannot be switched to active by hand (it has no password yet)', async () => {
  const { agent, id, token } = await invite('journalist');
  const csrf = await tokenFor(agent, `/admin/users/${id}`);
  const res = await changeAccess(agent, id, { _csrf: csrf, role: 'journalist', status: 'active' });
  assert.equal(res.status, 400);
  assert.match(res.text, /can only be withdrawn/);
  assert.equal((await userModel(t.ctx.db).findById(id).lean())!.status, 'invited');
  await request(t.app).get(`/invite/${token}`).expect(200);
});

test('a withdrawn invitation is never switched to active by hand, and its address can be invited again', async () => {
  const { agent, id, email } = await invite('admin');
  const page = await agent.get(`/admin/users/${id}`).expect(200);
  await changeAccess(agent, id, { _csrf: csrfFrom(page.text), role: 'admin', status: 'disabled' }).expect(
    303,
  );
  // Activating it would let whoever owns the address set a password through /forgot and be an admin.
  const refused = await changeAccess(agent, id, {
    _csrf: csrfFrom(page.text),
    role: 'admin',
    status: 'active',
  });
  assert.equal(refused.status, 400);
  assert.match(refused.text, /withdrawn before anyone accepted it/);
  assert.equal((await userModel(t.ctx.db).findById(id).lean())!.status, 'disabled');

  // Invited again (now as a journalist): the same account, pending, with a link that works.
  await agent
    .post('/admin/invite')
    .type('form')
    .send({
      _csrf: await tokenFor(agent, '/admin/invite'),
      stepUpSecret: PASSWORD,
      email,
      name: 'Right Person',
      role: 'journalist',
    })
    .expect(303);
  const again = (await userModel(t.ctx.db).findById(id).lean())!;
  assert.deepEqual([again.status, again.role, again.name], ['invited', 'journalist', 'Right Person']);
  assert.equal(again.invitationWithdrawnAt, undefined);
  const mails = await t.ctx.db
    .collection('outboxmessages')
    .find({ to: email, template: 'accounts/invitation' })
    .sort({ createdAt: -1 })
    .toArray();
  const token = linkToken(String(mails[0]!.text), 'invite');
  await request(t.app).get(`/invite/${token}`).expect(200);
});
