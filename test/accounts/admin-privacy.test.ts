import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { listAudit } from '../../modules/audit';
import type { PersonalDataHook } from '../../server/context';
import { createAdminAccount } from '../../modules/accounts/service-admin';
import { isAnonymous } from '../security/helpers';
import { createAdmin } from '../../modules/accounts/cli';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('the admin user list shows name, e-mail, role, status and outlet, filtered by role', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const j = await buildUser(t.ctx, { name: 'Journalist Jargal', outlet: 'Daily Gazette' });
  const r = await buildUser(t.ctx, { role: 'reviewer', name: 'Reviewer Bat' });
  const agent = await signIn(t.app, admin);
  const all = await agent.get('/admin/users').set('Accept-Language', 'en').expect(200);
  for (const s of ['Journalist Jargal', j.email, 'Daily Gazette', 'Reviewer Bat', 'Active'])
    assert.ok(all.text.includes(s), s);
  const only = await agent.get('/admin/users?role=reviewer').expect(200);
  assert.ok(only.text.includes('Reviewer Bat'));
  assert.ok(!only.text.includes('Journalist Jargal'));
  const detail = await agent.get(`/admin/users/${String(r._id)}`).expect(200);
  assert.ok(detail.text.includes(r.email));
  assert.ok(!/passwordHash|totpSecret|\$argon2/.test(detail.text));
});

test('changing a role is audited and ends the user’s sessions', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const user = await buildUser(t.ctx);
  const victim = await signIn(t.app, user);
  const agent = await signIn(t.app, admin);
  await agent
    .post(`/admin/users/${String(user._id)}`)
    .type('form')
    .send({
      _csrf: await tokenFor(agent, '/admin/users'),
      stepUpSecret: PASSWORD,
      role: 'reviewer',
      status: 'active',
    })
    .expect(303);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.role, 'reviewer');
  assert.ok(await isAnonymous(victim));
  const events = await listAudit(t.ctx, { targetId: String(user._id), action: 'user.access_changed' });
  assert.equal(events.length, 1);
  assert.equal(String(events[0]!.actorId), String(admin._id));
});

test('inviting is audited; a taken address is refused with 409 and no second account', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const existing = await buildUser(t.ctx);
  const agent = await signIn(t.app, admin);
  const csrf = await tokenFor(agent, '/admin/invite');
  const res = await agent.post('/admin/invite').type('form').send({
    _csrf: csrf,
    stepUpSecret: PASSWORD,
    email: 'Invitee@Example.org',
    name: 'Invitee',
    role: 'trainer',
  });
  assert.equal(res.status, 303);
  const invited = await userModel(t.ctx.db).findOne({ email: 'invitee@example.org' }).lean();
  assert.equal(invited!.status, 'invited');
  assert.equal(invited!.role, 'trainer');
  assert.equal(
    (await listAudit(t.ctx, { action: 'user.invited', targetId: String(invited!._id) })).length,
    1,
  );
  const dup = await agent
    .post('/admin/invite')
    .type('form')
    .send({ _csrf: csrf, email: existing.email, name: 'X', role: 'admin' });
  assert.equal(dup.status, 409);
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: existing.email }), 1);
  const bad = await agent
    .post('/admin/invite')
    .type('form')
    .send({ _csrf: csrf, email: 'a@b.c\r\nBcc: x@y.z', name: 'X', role: 'admin' });
  assert.equal(bad.status, 400);
});

test('a journalist downloads their data as JSON; other modules can add to it', async () => {
  const user = await buildUser(t.ctx, { outlet: 'Zuunii Medee', region: 'Darkhan' });
  // Stands in for another module's descriptor hook (the composition root collects them into ctx).
  const hooks = t.ctx.personalData as PersonalDataHook[];
  hooks.push({ key: 'test-module', export: async (_ctx, id) => ({ seenId: id }) });
  try {
    const agent = await signIn(t.app, user);
    const res = await agent.get('/account/export').expect(200);
    assert.match(res.headers['content-type']!, /application\/json/);
    assert.match(
      res.headers['content-disposition']!,
      /^attachment; filename="?umbrella-my-data-\d{4}-\d{2}-\d{2}\.json"?$/,
    );
    const data = JSON.parse(res.text);
    assert.equal(data.profile.email, user.email);
    assert.equal(data.profile.outlet, 'Zuunii Medee');
    assert.equal(data['test-module'].seenId, String(user._id));
    assert.ok(!/passwordHash|totpSecret|argon2/.test(res.text));
  } finally {
    hooks.pop();
  }
});

test('a journalist deletes their account with their password: anonymised, signed out everywhere', async () => {
  const user = await buildUser(t.ctx, { outlet: 'Outlet', region: 'Region', name: 'Real Name' });
  const other = await signIn(t.app, user);
  const agent = await signIn(t.app, user);
  const res = await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(agent), password: PASSWORD });
  assert.equal(res.status, 303);
  assert.match(res.headers.location!, /\/login\?notice=accountDeleted$/);
  const stored = await userModel(t.ctx.db).findById(user._id).lean();
  assert.equal(stored!.name, 'Deleted user');
  assert.equal(stored!.email, `deleted-${String(user._id)}@invalid`);
  assert.equal(stored!.status, 'disabled');
  assert.equal(stored!.outlet, undefined);
  assert.equal(stored!.region, undefined);
  assert.equal(stored!.passwordHash, undefined);
  assert.ok(await isAnonymous(agent));
  assert.ok(await isAnonymous(other));
  await assert.rejects(signIn(t.app, user));
});

/** The names of the inputs inside the form posting to `action`, as the page renders them. */
function formFields(html: string, action: string): string[] {
  const at = html.indexOf(`action="${action}"`);
  const form = html.slice(at, html.indexOf('</form>', at));
  return [...form.matchAll(/<input[^>]*\bname="([^"]+)"/g)].map((m) => m[1]!);
}

test('the delete form on the account page posts the fields the server reads', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const page = (await agent.get('/account').expect(200)).text;
  const fields = formFields(page, '/account/delete');
  assert.deepEqual(fields, ['_csrf', 'password']);
  // A wrong password: the page again, the field marked.
  const wrong = await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(agent), [fields[1]!]: 'not-my-password' })
    .expect(400);
  assert.match(wrong.text, /id="f-password"[^>]*aria-invalid="true"/);
  await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(agent), [fields[1]!]: PASSWORD })
    .expect(303);
  assert.equal((await userModel(t.ctx.db).findById(user._id).lean())!.status, 'disabled');
});

test('create-admin: invites by default, sets a password on request, and is idempotent', async () => {
  const invited = await createAdminAccount(t.ctx, { email: 'boss@example.org', name: 'Boss' });
  assert.equal(invited.outcome, 'created');
  assert.ok(invited.outcome === 'created' && invited.inviteToken && invited.inviteToken.length > 30);
  const again = await createAdminAccount(t.ctx, { email: 'boss@example.org', name: 'Boss' });
  assert.deepEqual(again, { outcome: 'exists', role: 'admin' });
  const direct = await createAdminAccount(t.ctx, {
    email: 'boss2@example.org',
    name: 'Boss 2',
    password: 'a-strong-admin-passphrase',
  });
  assert.deepEqual(direct, { outcome: 'created' });
  const weak = await createAdminAccount(t.ctx, {
    email: 'boss3@example.org',
    name: 'Boss 3',
    password: 'password',
  });
  assert.deepEqual(weak, { outcome: 'weakPassword' });
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: 'boss3@example.org' }), 0);
  const stored = await userModel(t.ctx.db).findOne({ email: 'boss2@example.org' }).lean();
  assert.equal(stored!.role, 'admin');
  assert.equal(stored!.status, 'active');
});

test('create-admin CLI: refuses a bad e-mail, prints a one-time link, and says so when the address exists', async () => {
  const lines: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await createAdmin(t.ctx, ['--email', 'not an email', '--name', 'X']);
    assert.equal(process.exitCode, 2);
    process.exitCode = 0;
    await createAdmin(t.ctx, ['--email', 'cli-admin@example.org', '--name', 'Cli Admin']);
    await createAdmin(t.ctx, ['--email', 'cli-admin@example.org', '--name', 'Cli Admin']);
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = 0;
  }
  assert.match(lines[0]!, /invalid email/);
  assert.match(lines.join('\n'), new RegExp(`${t.ctx.config.baseUrl}/invite/[A-Za-z0-9_-]{40,}`));
  assert.match(lines.at(-1)!, /already exists/);
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: 'cli-admin@example.org' }), 1);
});
