import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { generateSync } from 'otplib';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { accountTokenModel } from '../../modules/accounts/model';
import { outboxModel } from '../../modules/notifications/model';
import { linkToken, waitForEmail } from './helpers';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

async function requestReset(email: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/forgot').expect(200);
  const res = await agent
    .post('/forgot')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email });
  assert.equal(res.status, 200, res.text);
  return { agent, res };
}

test('forgot → e-mailed link → new password; old sessions end and the link works once', async () => {
  const user = await buildUser(t.ctx);
  const other = await signIn(t.app, user);
  await other.get('/account').expect(200);
  const { agent, res } = await requestReset(user.email);
  assert.equal(res.status, 200);
  const mail = await waitForEmail(t.ctx, user.email, 'accounts/password-reset');
  assert.match(mail.subject, /Reset your Umbrella Newsroom password/);
  assert.ok(mail.html.includes(`${t.ctx.config.baseUrl}/reset/`));
  const token = linkToken(mail.text, 'reset');
  const form = await agent.get(`/reset/${token}`).expect(200);
  const done = await agent
    .post(`/reset/${token}`)
    .type('form')
    .send({ _csrf: csrfFrom(form.text), password: 'a-brand-new-passphrase' });
  assert.equal(done.status, 303);
  assert.match(done.headers.location!, /\/login\?notice=passwordReset$/);
  const login = await agent.get('/login?notice=passwordReset').set('Accept-Language', 'en').expect(200);
  assert.match(login.text, /Your password is changed/);
  await other.get('/account').expect(303);
  await signIn(t.app, user, 'a-brand-new-passphrase');
  await assert.rejects(signIn(t.app, user, PASSWORD));
  const again = await agent.get(`/reset/${token}`).set('Accept-Language', 'en').expect(404);
  assert.match(again.text, /expired or was already used/);
});

/** Every reset link mailed to `email`, oldest first. */
async function resetLinks(email: string): Promise<string[]> {
  const mails = await outboxModel(t.ctx.db)
    .find({ to: email, template: 'accounts/password-reset' })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  return mails.map((m) => linkToken(m.text ?? '', 'reset'));
}

async function resetWith(token: string, password: string) {
  const agent = request.agent(t.app);
  const form = await agent.get(`/reset/${token}`);
  if (form.status !== 200) return form.status;
  const res = await agent
    .post(`/reset/${token}`)
    .type('form')
    .send({ _csrf: csrfFrom(form.text), password });
  return res.status;
}

test('a reset with the newest link kills every older one (and ends every session)', async () => {
  const user = await buildUser(t.ctx);
  const session = await signIn(t.app, user);
  await requestReset(user.email);
  await requestReset(user.email);
  await requestReset(user.email);
  await waitForEmail(t.ctx, user.email, 'accounts/password-reset');
  let links: string[] = [];
  for (const until = performance.now() + 20_000; links.length < 3 && performance.now() < until;) {
    links = await resetLinks(user.email);
    if (links.length < 3) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(links.length, 3);
  const [oldest, middle, newest] = links as [string, string, string];
  assert.equal(await resetWith(newest, 'the-newest-passphrase'), 303);
  assert.equal(await resetWith(oldest, 'an-attackers-passphrase'), 404);
  assert.equal(await resetWith(middle, 'an-attackers-passphrase'), 404);
  await session.get('/account').expect(303);
  await signIn(t.app, user, 'the-newest-passphrase');
});

test('a password changed on the profile: current password needed, other sessions and reset links end, this one stays', async () => {
  const user = await buildUser(t.ctx);
  const here = await signIn(t.app, user);
  const elsewhere = await signIn(t.app, user);
  await requestReset(user.email);
  const [link] = await (async () => {
    await waitForEmail(t.ctx, user.email, 'accounts/password-reset');
    return resetLinks(user.email);
  })();
  const page = await here.get('/account').set('Accept-Language', 'en').expect(200);
  assert.match(page.text, /Change password/);
  const csrf = csrfFrom(page.text);

  const wrong = await here
    .post('/account/password')
    .type('form')
    .send({ _csrf: csrf, currentPassword: 'not-my-password', newPassword: 'a-new-passphrase-1' });
  assert.equal(wrong.status, 400);
  assert.match(wrong.text, /The password is not right/);
  const short = await here
    .post('/account/password')
    .type('form')
    .send({ _csrf: csrf, currentPassword: PASSWORD, newPassword: 'short' });
  assert.equal(short.status, 400);
  await elsewhere.get('/account').expect(200); // nothing changed yet

  const before = await here.get('/account').expect(200);
  const changed = await here
    .post('/account/password')
    .type('form')
    .send({ _csrf: csrfFrom(before.text), currentPassword: PASSWORD, newPassword: 'a-new-passphrase-1' });
  assert.equal(changed.status, 303);
  assert.equal(changed.headers.location, '/account?passwordChanged=1');
  const after = await here.get('/account?passwordChanged=1').set('Accept-Language', 'en').expect(200);
  assert.match(after.text, /Your password is changed/);
  await elsewhere.get('/account').expect(303);
  assert.equal(await resetWith(link!, 'an-attackers-passphrase'), 404);
  const mail = await waitForEmail(t.ctx, user.email, 'accounts/password-changed');
  assert.match(mail.subject, /password was changed/);
  await signIn(t.app, user, 'a-new-passphrase-1');
  await assert.rejects(signIn(t.app, user, PASSWORD));
});

test('disabling or deleting an account kills its reset links; a link cannot revive a disabled account', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const user = await buildUser(t.ctx);
  await requestReset(user.email);
  await waitForEmail(t.ctx, user.email, 'accounts/password-reset');
  const [link] = await resetLinks(user.email);
  await userModel(t.ctx.db).updateOne({ _id: user._id }, { $set: { status: 'disabled' } });
  // Disabled straight in the database (as a sweep or an older admin action would): the link is refused.
  assert.equal(await resetWith(link!, 'revived-passphrase'), 404);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.passwordHash, user.passwordHash);

  const other = await buildUser(t.ctx);
  await requestReset(other.email);
  await waitForEmail(t.ctx, other.email, 'accounts/password-reset');
  const [otherLink] = await resetLinks(other.email);
  const { updateUserAccess, toSessionUser } = await import('../../modules/accounts/service');
  await updateUserAccess(t.ctx, toSessionUser(admin), String(other._id), {
    role: 'journalist',
    status: 'disabled',
  });
  await updateUserAccess(t.ctx, toSessionUser(admin), String(other._id), {
    role: 'journalist',
    status: 'active',
  });
  assert.equal(
    await resetWith(otherLink!, 'revived-passphrase'),
    404,
    're-enabling does not revive the link',
  );

  const leaving = await buildUser(t.ctx);
  await requestReset(leaving.email);
  await waitForEmail(t.ctx, leaving.email, 'accounts/password-reset');
  const [leavingLink] = await resetLinks(leaving.email);
  const agent = await signIn(t.app, leaving);
  const page = await agent.get('/account').expect(200);
  await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), password: PASSWORD })
    .expect(303);
  assert.equal(await resetWith(leavingLink!, 'revived-passphrase'), 404);
});

test('an expired or made-up reset link shows a friendly page and changes nothing', async () => {
  const user = await buildUser(t.ctx);
  await requestReset(user.email);
  const token = linkToken((await waitForEmail(t.ctx, user.email, 'accounts/password-reset')).text, 'reset');
  clock.advance(61 * 60 * 1000);
  const page = await request(t.app).get(`/reset/${token}`).set('Accept-Language', 'en').expect(404);
  assert.match(page.text, /This link does not work/);
  await request(t.app).get('/reset/not-a-token').expect(404);
  await request(t.app)
    .get(`/reset/${'x'.repeat(43)}`)
    .expect(404);
  const agent = request.agent(t.app);
  const csrf = csrfFrom((await agent.get('/forgot')).text);
  await agent
    .post(`/reset/${token}`)
    .type('form')
    .send({ _csrf: csrf, password: 'another-new-passphrase' })
    .expect(404);
  const after = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(after!.passwordHash, user.passwordHash);
  clock.set(new Date()); // staff sign-in in later tests uses real-time codes
});

test('reset rejects a short or common password with 400 and keeps the link usable', async () => {
  const user = await buildUser(t.ctx);
  const { agent } = await requestReset(user.email);
  const token = linkToken((await waitForEmail(t.ctx, user.email, 'accounts/password-reset')).text, 'reset');
  const csrf = csrfFrom((await agent.get(`/reset/${token}`)).text);
  await agent.post(`/reset/${token}`).type('form').send({ _csrf: csrf, password: 'short' }).expect(400);
  const common = await agent
    .post(`/reset/${token}`)
    .type('form')
    .send({ _csrf: csrf, password: 'password123' });
  assert.equal(common.status, 400);
  await agent.get(`/reset/${token}`).expect(200);
});

test('forgot for an unknown or disabled address answers the same and sends nothing', async () => {
  const disabled = await buildUser(t.ctx, { status: 'disabled' });
  const before = await outboxModel(t.ctx.db).countDocuments();
  const a = await requestReset('nobody-here@example.org');
  const b = await requestReset(disabled.email);
  assert.equal(a.res.status, 200);
  assert.equal(b.res.status, 200);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await outboxModel(t.ctx.db).countDocuments(), before);
});

test('an invited journalist sets name and password and is signed in', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const form = await agent.get('/admin/invite').expect(200);
  const email = `new-${Date.now()}@example.org`;
  const res = await agent
    .post('/admin/invite')
    .type('form')
    .send({
      _csrf: csrfFrom(form.text),
      stepUpSecret: PASSWORD,
      email,
      name: 'Invited Person',
      role: 'journalist',
    });
  assert.equal(res.status, 303);
  const mail = await waitForEmail(t.ctx, email, 'accounts/invitation');
  const token = linkToken(mail.text, 'invite');
  const guest = request.agent(t.app);
  const page = await guest.get(`/invite/${token}`).expect(200);
  assert.match(page.text, /Invited Person/);
  const done = await guest
    .post(`/invite/${token}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), name: 'Renamed Person', password: 'my-own-passphrase' });
  assert.equal(done.status, 303);
  const profile = await guest.get('/account').expect(200);
  assert.match(profile.text, /value="Renamed Person"/);
  await guest.get(`/invite/${token}`).expect(404);
  const stored = await userModel(t.ctx.db).findOne({ email }).lean();
  assert.equal(stored!.status, 'active');
});

test('an invited trainer must enrol two-step verification before anything else', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const email = `trainer-${Date.now()}@example.org`;
  await agent
    .post('/admin/invite')
    .type('form')
    .send({
      _csrf: csrfFrom((await agent.get('/admin/invite')).text),
      stepUpSecret: PASSWORD,
      email,
      name: 'Tess',
      role: 'trainer',
    })
    .expect(303);
  const token = linkToken((await waitForEmail(t.ctx, email, 'accounts/invitation')).text, 'invite');
  const guest = request.agent(t.app);
  const page = await guest.get(`/invite/${token}`);
  const done = await guest
    .post(`/invite/${token}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), name: 'Tess', password: 'trainer-passphrase' });
  assert.equal(done.status, 303);
  assert.match(done.headers.location!, /\/login\/2fa\/setup$/);
  await guest.get('/').expect(303);
  const setup = await guest.get('/login/2fa/setup').expect(200);
  const totpSecret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(setup.text)![1]!;
  const code = generateSync({ secret: totpSecret, epoch: Math.floor(clock.now().getTime() / 1000) });
  await guest
    .post('/login/2fa/setup')
    .type('form')
    .send({ _csrf: csrfFrom(setup.text), code })
    .expect(200); // the recovery codes, shown once
  await guest.get('/').expect(200);
});

test('invitation tokens are stored only as hashes', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const email = `hash-${Date.now()}@example.org`;
  await agent
    .post('/admin/invite')
    .type('form')
    .send({
      _csrf: csrfFrom((await agent.get('/admin/invite')).text),
      stepUpSecret: PASSWORD,
      email,
      name: 'H',
      role: 'journalist',
    })
    .expect(303);
  const token = linkToken((await waitForEmail(t.ctx, email, 'accounts/invitation')).text, 'invite');
  assert.equal(await accountTokenModel(t.ctx.db).countDocuments({ tokenHash: token }), 0);
});
