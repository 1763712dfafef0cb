import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateSync } from 'otplib';
import { Types } from 'mongoose';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, tokenFor, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { apiTokenModel } from '../../modules/interop/api/token-model';
import { ltiPlatformModel } from '../../modules/interop/lti/model';
import { xapiSettingsModel } from '../../modules/interop/xapi/model';
import { createApiToken } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock, config: { loginLimitPerAccount: 5 } });
});
after(() => t.close());

const code = (secret: string) => generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });

async function adminSession(locale: 'en' | 'mn' = 'en') {
  const admin = await buildUser(t.ctx, { role: 'admin', locale });
  const agent = await signIn(t.app, admin);
  return { admin, agent, csrf: await tokenFor(agent, '/admin/users') };
}

test('role and status changes need a fresh password or TOTP code, not the session alone', async () => {
  const { admin, agent, csrf } = await adminSession();
  // A second session of the same admin (its sign-in code would be a replay of the first one's).
  await userModel(t.ctx.db).updateOne({ _id: admin._id }, { $unset: { totpLastStep: 1 } });
  const other = await signIn(t.app, admin);
  const target = await buildUser(t.ctx);
  const url = `/admin/users/${String(target._id)}`;
  const roleOf = async () => (await userModel(t.ctx.db).findById(target._id).lean())!;

  // The session alone: a confirmation page that keeps the change, and nothing changes.
  const asked = await agent
    .post(url)
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, role: 'admin', status: 'active' });
  assert.equal(asked.status, 403);
  assert.match(asked.text, /Confirm it is you/);
  assert.match(asked.text, new RegExp(`<form method="post" action="${url}"`));
  assert.match(asked.text, /<input type="hidden" name="role" value="admin">/);
  assert.match(asked.text, /<input type="hidden" name="status" value="active">/);
  assert.match(asked.text, /name="stepUpSecret" type="password"/);
  assert.equal((await roleOf()).role, 'journalist');

  // A wrong password or code: asked again, with an error.
  for (const wrong of ['not-my-password', '000000']) {
    const res = await agent
      .post(url)
      .set('Accept-Language', 'en')
      .type('form')
      .send({ _csrf: csrf, role: 'admin', status: 'active', stepUpSecret: wrong });
    assert.equal(res.status, 403);
    assert.match(res.text, /That password or code is not right/);
  }
  assert.equal((await roleOf()).role, 'journalist');

  // The password (as the confirmation page posts it back): the change is made.
  await agent
    .post(url)
    .type('form')
    .send({ _csrf: csrf, role: 'trainer', status: 'active', stepUpSecret: PASSWORD })
    .expect(303);
  assert.equal((await roleOf()).role, 'trainer');

  // Within five minutes no new question; after them, asked again.
  clock.advance(4 * 60_000);
  await agent.post(url).type('form').send({ _csrf: csrf, role: 'reviewer', status: 'active' }).expect(303);
  clock.advance(2 * 60_000);
  await agent
    .post(url)
    .type('form')
    .send({ _csrf: csrf, role: 'journalist', status: 'disabled' })
    .expect(403);
  assert.equal((await roleOf()).status, 'active');

  // A TOTP code works once; the same code again is refused.
  const totp = code(admin.totpSecret!);
  await agent
    .post(url)
    .type('form')
    .send({ _csrf: csrf, role: 'journalist', status: 'disabled', stepUpSecret: totp })
    .expect(303);
  assert.equal((await roleOf()).status, 'disabled');
  const replay = await other
    .post(url)
    .set('Accept-Language', 'en')
    .type('form')
    .send({
      _csrf: await tokenFor(other, '/admin/users'),
      role: 'journalist',
      status: 'active',
      stepUpSecret: totp,
    });
  assert.equal(replay.status, 403);
  assert.match(replay.text, /already used/);
  // The confirmation belongs to the session it was given in.
  await other
    .post(url)
    .type('form')
    .send({ _csrf: await tokenFor(other, '/admin/users'), role: 'journalist', status: 'active' })
    .expect(403);
  assert.equal((await roleOf()).status, 'disabled');
  clock.set(new Date()); // back to real time: sign-ins in the next tests use real-time codes
});

test('invitations, API tokens, LTI platforms and the xAPI store ask for it too', async () => {
  const { admin, agent, csrf } = await adminSession('mn');
  const existing = await createApiToken(t.ctx, toSessionUser(admin), 'existing', ['courses:read']);
  const platform = await ltiPlatformModel(t.ctx.db).create({
    name: 'LMS',
    issuer: 'https://lms.example',
    clientId: 'c1',
    deploymentIds: ['d1'],
    authLoginUrl: 'https://lms.example/auth',
    accessTokenUrl: 'https://lms.example/token',
    keysetUrl: 'https://lms.example/jwks',
  });
  const tokens = () => apiTokenModel(t.ctx.db).countDocuments({ revokedAt: null });
  const before = { tokens: await tokens(), platforms: await ltiPlatformModel(t.ctx.db).countDocuments() };
  const cases: Array<[string, Record<string, string>]> = [
    ['/admin/invite', { email: 'new-admin@example.org', name: 'New', role: 'admin' }],
    ['/admin/api-tokens', { name: 'Exfil', scopes: 'grants:read' }],
    [`/admin/api-tokens/${String(existing.token._id)}/revoke`, {}],
    [
      '/admin/lti',
      {
        name: 'Rogue',
        issuer: 'https://rogue.example',
        clientId: 'x',
        deploymentIds: 'd',
        authLoginUrl: 'https://rogue.example/a',
        accessTokenUrl: 'https://rogue.example/t',
        keysetUrl: 'https://rogue.example/k',
      },
    ],
    [`/admin/lti/${String(platform._id)}/delete`, {}],
    ['/admin/xapi', { endpoint: 'https://rogue.example/lrs', username: 'u', password: 'p', enabled: 'on' }],
  ];
  for (const [path, fields] of cases) {
    const res = await agent
      .post(path)
      .type('form')
      .send({ _csrf: csrf, ...fields });
    assert.equal(res.status, 403, path);
    assert.match(res.text, /Өөрийгөө баталгаажуулна уу/, `${path}: the confirmation page, in Mongolian`);
  }
  assert.equal(await tokens(), before.tokens);
  assert.equal(await ltiPlatformModel(t.ctx.db).countDocuments(), before.platforms);
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: 'new-admin@example.org' }), 0);
  assert.equal(
    await xapiSettingsModel(t.ctx.db).countDocuments({ endpoint: 'https://rogue.example/lrs' }),
    0,
  );

  // Confirmed once, the following changes go through.
  await agent
    .post(`/admin/api-tokens/${String(existing.token._id)}/revoke`)
    .type('form')
    .send({ _csrf: csrf, stepUpSecret: PASSWORD })
    .expect(303);
  await agent
    .post(`/admin/lti/${String(platform._id)}/delete`)
    .type('form')
    .send({ _csrf: csrf })
    .expect(303);
  assert.equal(await tokens(), before.tokens - 1);
  assert.equal(await ltiPlatformModel(t.ctx.db).countDocuments(), before.platforms - 1);
});

test('guessing the confirmation is limited per account; plain pages are not affected', async () => {
  const { agent, csrf } = await adminSession();
  const url = `/admin/users/${new Types.ObjectId().toHexString()}`;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await agent
      .post(url)
      .type('form')
      .send({ _csrf: csrf, role: 'admin', status: 'active', stepUpSecret: `guess-${i}-password` });
    statuses.push(res.status);
  }
  assert.deepEqual(statuses, [403, 403, 403, 403, 403, 429]);
  await agent.get('/admin/users').expect(200);
  // Asking (no secret sent) is not a guess and stays possible.
  const ask = await agent.post(url).type('form').send({ _csrf: csrf, role: 'admin', status: 'active' });
  assert.equal(ask.status, 403);
  const page = csrfFrom(ask.text);
  assert.ok(page);
});
