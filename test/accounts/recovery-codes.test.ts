import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { generateSync } from 'otplib';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, csrfFrom, PASSWORD } from '../factories';
import { userModel } from '../../modules/accounts/model';
import { listAudit } from '../../modules/audit';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock, config: { loginLimitPerAccount: 50 } });
});
after(() => t.close());

const totp = (secret: string) => generateSync({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
const codesOn = (html: string) =>
  [...html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
const userOf = async (email: string) => (await userModel(t.ctx.db).findOne({ email }).lean())!;

/** Password accepted, second step pending: the agent and the token of the /login/2fa page. */
async function pendingSecondStep(email: string, lang = 'en') {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password: PASSWORD });
  assert.equal(res.status, 303);
  const form = await agent.get(res.headers.location!).set('Accept-Language', lang).expect(200);
  return { agent, csrf: csrfFrom(form.text), form: form.text };
}

const useCode = (p: { agent: request.Agent; csrf: string }, recoveryCode: string, lang = 'en') =>
  p.agent
    .post('/login/2fa/recovery')
    .set('Accept-Language', lang)
    .type('form')
    .send({ _csrf: p.csrf, recoveryCode });

/** A trainer who has not yet enrolled: signs in, sets up TOTP, gets the codes page. */
async function enrol() {
  const trainer = await buildUser(t.ctx, {
    role: 'trainer',
    totpSecret: undefined,
    totpEnabledAt: undefined,
  });
  const p = await pendingSecondStep(trainer.email);
  assert.match(p.form, /Set up two-step verification/);
  // The secret exists only on the setup page (and this session) until a code confirms it.
  const secret = /<code class="secret">([A-Z2-7]+)<\/code>/.exec(p.form)![1]!;
  const res = await p.agent
    .post('/login/2fa/setup')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: p.csrf, code: totp(secret) });
  return { trainer, agent: p.agent, res };
}

test('enrolment shows ten codes once; only their hashes are stored', async () => {
  const { trainer, agent, res } = await enrol();
  assert.equal(res.status, 200);
  assert.match(res.text, /Save your recovery codes/);
  assert.match(res.text, /only time they are shown/);
  const codes = codesOn(res.text);
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const c of codes) assert.match(c, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  assert.match(res.headers['cache-control'] ?? '', /no-store/);

  const stored = await userOf(trainer.email);
  assert.equal(stored.recoveryCodeHashes?.length, 10);
  const raw = JSON.stringify(stored);
  for (const c of codes) {
    assert.ok(!raw.includes(c) && !raw.includes(c.replace(/-/g, '')), 'a code is stored in clear');
  }
  for (const h of stored.recoveryCodeHashes!) assert.match(h, /^[0-9a-f]{64}$/);

  // Signed in, and the account page counts them; nothing shows the codes again.
  const account = await agent.get('/account').set('Accept-Language', 'en').expect(200);
  assert.match(account.text, /Recovery codes left: 10 of 10\./);
  for (const c of codes) assert.ok(!account.text.includes(c));
});

test('a recovery code signs in once; used is called used, wrong is called wrong', async () => {
  const { trainer, res } = await enrol();
  const [first, second] = codesOn(res.text);

  // Typed as people do: upper case, spaces instead of dashes.
  const p1 = await pendingSecondStep(trainer.email);
  assert.match(p1.form, /Lost your phone\? Use a recovery code/);
  const ok = await useCode(p1, ` ${first!.toUpperCase().replace(/-/g, ' ')} `);
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.location, '/');
  const account = await p1.agent.get('/account').set('Accept-Language', 'en').expect(200);
  assert.match(account.text, /Recovery codes left: 9 of 10\./);

  // The same code again, on a new sign-in: refused as used, and not signed in.
  const p2 = await pendingSecondStep(trainer.email);
  const again = await useCode(p2, first!);
  assert.equal(again.status, 400);
  assert.match(again.text, /already used/);
  assert.match(again.text, /<details class="recovery" open>/);
  assert.match(again.text, /id="f-recoveryCode"[^>]*aria-invalid="true"/);
  await p2.agent.get('/account').expect(303);

  // A wrong code and a malformed one: called wrong, in both languages.
  for (const wrong of ['abcd-efgh-jkmn', 'not a code at all', '123456']) {
    const res2 = await useCode(p2, wrong);
    assert.equal(res2.status, 400, wrong);
    assert.match(res2.text, /That recovery code is wrong/);
  }
  const mn = await useCode(p2, 'abcd-efgh-jkmn', 'mn');
  assert.match(mn.text, /Сэргээх код буруу байна/);
  await p2.agent.get('/account').expect(303);

  // Each use is in the audit log, with the count left; refusals add nothing.
  const used = await listAudit(t.ctx, { action: 'account.recoveryCodeUsed', targetId: String(trainer._id) });
  assert.equal(used.length, 1);
  assert.deepEqual(used[0]!.meta, { left: 9 });
  // An unused code still works after the refusals.
  assert.equal((await useCode(p2, second!)).status, 303);
  assert.equal((await userOf(trainer.email)).recoveryCodeHashes?.length, 8);
});

test('two sign-ins racing with one code: a single winner', async () => {
  const { trainer, res } = await enrol();
  const [code] = codesOn(res.text);
  const a = await pendingSecondStep(trainer.email);
  const b = await pendingSecondStep(trainer.email);
  const results = await Promise.all([useCode(a, code!), useCode(b, code!)]);
  assert.deepEqual(results.map((r) => r.status).sort(), [303, 400]);
});

test('no recovery code is accepted without a pending sign-in, or for an account without codes', async () => {
  const anonymous = request.agent(t.app);
  const csrf = csrfFrom((await anonymous.get('/login')).text);
  const res = await anonymous
    .post('/login/2fa/recovery')
    .type('form')
    .send({ _csrf: csrf, recoveryCode: 'abcd-efgh-jkmn' });
  assert.equal(res.status, 303);
  assert.match(res.headers.location!, /^\/login/);

  // Enrolled before recovery codes existed: nothing to match, called wrong; the page offers new ones.
  const old = await buildUser(t.ctx, { role: 'admin' });
  const p = await pendingSecondStep(old.email);
  assert.equal((await useCode(p, 'abcd-efgh-jkmn')).status, 400);
});

test('new codes need step-up, replace all old ones, and are shown once', async () => {
  const { trainer, agent, res } = await enrol();
  const old = codesOn(res.text);
  const csrf = csrfFrom((await agent.get('/account').expect(200)).text);

  const asked = await agent
    .post('/account/recovery-codes')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf });
  assert.equal(asked.status, 403);
  assert.match(asked.text, /Confirm it is you/);
  assert.deepEqual(codesOn(asked.text), []);
  const wrong = await agent
    .post('/account/recovery-codes')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, stepUpSecret: 'not-my-password' });
  assert.equal(wrong.status, 403);
  assert.deepEqual((await userOf(trainer.email)).recoveryCodeHashes?.length, 10);

  const made = await agent
    .post('/account/recovery-codes')
    .set('Accept-Language', 'en')
    .type('form')
    .send({ _csrf: csrf, stepUpSecret: PASSWORD });
  assert.equal(made.status, 200);
  const fresh = codesOn(made.text);
  assert.equal(fresh.length, 10);
  assert.equal(fresh.filter((c) => old.includes(c)).length, 0);
  assert.doesNotMatch(made.text, /Two-step verification is on/);

  const p = await pendingSecondStep(trainer.email);
  const stale = await useCode(p, old[0]!);
  assert.equal(stale.status, 400);
  assert.match(stale.text, /is wrong/);
  assert.equal((await useCode(p, fresh[0]!)).status, 303);
});

test('the account page shows the count in Mongolian, and warns when few are left', async () => {
  const { trainer, agent } = await enrol();
  await userModel(t.ctx.db).updateOne(
    { email: trainer.email },
    { $set: { recoveryCodeHashes: ['a'.repeat(64), 'b'.repeat(64)] } },
  );
  const csrf = csrfFrom((await agent.get('/account').expect(200)).text);
  await agent.post('/lang').type('form').send({ _csrf: csrf, lang: 'mn', next: '/account' }).expect(303);
  const mn = await agent.get('/account').expect(200);
  assert.match(mn.text, /<p class="alert">Үлдсэн сэргээх код: 10-аас 2\.<\/p>/);
  const journalist = await buildUser(t.ctx);
  const page = await (await pendinglessSignIn(journalist.email)).get('/account').expect(200);
  assert.doesNotMatch(page.text, /two-step-title/);
});

async function pendinglessSignIn(email: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email, password: PASSWORD })
    .expect(303);
  return agent;
}
