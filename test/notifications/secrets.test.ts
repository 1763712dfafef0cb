/**
 * Reset and invitation links are keys to an account: they leave the outbox row once the message is sent
 * or given up, and the admin outbox page never shows them, whatever the mail set-up.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { buildUser, csrfFrom, signIn, tokenFor } from '../factories';
import { enqueueEmail, sendDueEmails } from '../../modules/notifications';
import { outboxModel } from '../../modules/notifications/model';
import { BACKOFF_MS, LOCK_MS } from '../../modules/notifications/worker';

const RESET = 'accounts/password-reset';

/** Asks for a reset link through the real form; the e-mail is queued in the background. */
async function requestReset(t: TestApp, email: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/forgot').expect(200);
  await agent
    .post('/forgot')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email })
    .expect(200);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const msg = await outboxModel(t.ctx.db).findOne({ to: email, template: RESET }).lean();
    if (msg) return msg;
    if (Date.now() > deadline) throw new Error('no reset e-mail queued');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const tokenIn = (text: string) => /\/reset\/([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('one-time links in the outbox (SMTP)', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let clock: ReturnType<typeof fixedClock>;
  // Now, not a date of our choosing: an admin's sign-in checks a TOTP code against this clock.
  let T0: Date;
  before(async () => {
    smtp = await startTestSmtp();
  });
  after(async () => {
    await t?.close();
    await smtp.close();
  });
  beforeEach(async () => {
    await t?.close();
    smtp.mode = 'accept';
    smtp.received.length = 0;
    T0 = new Date();
    clock = fixedClock(T0);
    t = await buildTestApp({ clock, mailTransport: smtp.transport() });
  });
  const work = () => sendDueEmails(t.ctx, { workerId: 'w', random: () => 0 });

  test('a delivered reset e-mail leaves no link in its outbox row; the list keeps its facts', async () => {
    const user = await buildUser(t.ctx);
    const queued = await requestReset(t, user.email);
    const token = tokenIn(queued.text);
    assert.ok(token, 'the queued message carries the link');

    assert.deepEqual(await work(), { sent: 1, retried: 0, dead: 0 });
    assert.equal(smtp.received.length, 1);
    assert.equal(tokenIn(String(smtp.received[0]!.parsed.text)), token, 'the person got the link');

    const row = await outboxModel(t.ctx.db).findById(queued._id).lean();
    assert.ok(!JSON.stringify(row).includes(token), 'no trace of the token in the row');
    assert.equal(row?.text, '');
    assert.equal(row?.html, '');
    assert.equal(row?.erasedAt?.getTime(), T0.getTime());
    assert.equal(row?.status, 'sent');
    assert.equal(row?.to, user.email);
    assert.equal(row?.template, RESET);
    assert.match(row?.subject ?? '', /Reset your Umbrella Newsroom password/);

    const admin = await buildUser(t.ctx, { role: 'admin' });
    const page = await (await signIn(t.app, admin)).get('/admin/outbox').expect(200);
    assert.match(page.text, new RegExp(user.email.replace(/\./g, '\\.')));
    assert.match(page.text, /Content erased/);
  });

  test('a dead-lettered reset e-mail is erased too, and cannot be sent again empty', async () => {
    const user = await buildUser(t.ctx);
    const queued = await requestReset(t, user.email);
    const token = tokenIn(queued.text)!;
    smtp.mode = 'permanent';
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: 1 });
    const row = await outboxModel(t.ctx.db).findById(queued._id).lean();
    assert.equal(row?.status, 'dead');
    assert.ok(!JSON.stringify(row).includes(token));
    assert.ok(row?.erasedAt);

    const admin = await buildUser(t.ctx, { role: 'admin' });
    const agent = await signIn(t.app, admin);
    const page = await agent.get('/admin/outbox').expect(200);
    assert.doesNotMatch(
      page.text,
      new RegExp(`/admin/outbox/${String(queued._id)}/retry`),
      'no retry button',
    );
    const csrf = await tokenFor(agent, '/admin/outbox');
    const retry = await agent
      .post(`/admin/outbox/${String(queued._id)}/retry`)
      .type('form')
      .send({ _csrf: csrf })
      .set('Accept-Language', 'en');
    assert.equal(retry.status, 409);
    assert.match(retry.text, /one-time link/);

    // Even if such a row were put back by hand, the worker refuses to send an empty message.
    await outboxModel(t.ctx.db).updateOne({ _id: queued._id }, { $set: { status: 'pending' } });
    smtp.mode = 'accept';
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: 1 });
    assert.equal(smtp.received.length, 0);
  });

  test('a temporary failure keeps the body for the retry, and a crashed worker’s claim still has it', async () => {
    const user = await buildUser(t.ctx);
    const queued = await requestReset(t, user.email);
    const token = tokenIn(queued.text)!;
    smtp.mode = 'temporary';
    assert.deepEqual(await work(), { sent: 0, retried: 1, dead: 0 });
    assert.equal(tokenIn((await outboxModel(t.ctx.db).findById(queued._id).lean())!.text), token);

    // A worker claims it and dies before settling: the body must survive until the claim expires.
    clock.advance(BACKOFF_MS[0]!);
    await outboxModel(t.ctx.db).updateOne(
      { _id: queued._id },
      {
        $set: {
          status: 'sending',
          lockedBy: 'crashed#1',
          lockedUntil: new Date(clock.now().getTime() + LOCK_MS),
        },
      },
    );
    smtp.mode = 'accept';
    clock.advance(LOCK_MS + 1);
    assert.deepEqual(await work(), { sent: 1, retried: 0, dead: 0 });
    assert.equal(tokenIn(String(smtp.received[0]!.parsed.text)), token, 'delivered with its link');
    assert.equal((await outboxModel(t.ctx.db).findById(queued._id).lean())!.text, '');
  });

  test('other messages keep their body while dead (for "send again") and lose it once sent', async () => {
    await enqueueEmail(t.ctx, {
      to: 'ada@example.org',
      template: 'notifications/test-message',
      locale: 'en',
    });
    smtp.mode = 'permanent';
    await work();
    const Outbox = outboxModel(t.ctx.db);
    const dead = (await Outbox.findOne({ to: 'ada@example.org' }).lean())!;
    assert.equal(dead.status, 'dead');
    assert.match(dead.text, /If you can read it/);
    assert.equal(dead.erasedAt, undefined);

    const admin = await buildUser(t.ctx, { role: 'admin' });
    const agent = await signIn(t.app, admin);
    const csrf = await tokenFor(agent, '/admin/outbox');
    await agent
      .post(`/admin/outbox/${String(dead._id)}/retry`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    smtp.mode = 'accept';
    assert.deepEqual(await work(), { sent: 1, retried: 0, dead: 0 });
    assert.match(String(smtp.received[0]!.parsed.text), /If you can read it/);
    const sent = (await Outbox.findById(dead._id).lean())!;
    assert.equal(sent.text, '');
    assert.ok(sent.erasedAt);
  });

  test('rows sent before erasure existed are erased by the next worker run', async () => {
    const Outbox = outboxModel(t.ctx.db);
    const legacy = { subject: 's', html: '<a href="/reset/LEGACYTOKEN">x</a>', nextAttemptAt: clock.now() };
    await Outbox.insertMany([
      { ...legacy, to: 'a@example.org', template: RESET, text: '/reset/LEGACYTOKEN', status: 'sent' },
      {
        ...legacy,
        to: 'b@example.org',
        template: 'accounts/invitation',
        text: '/invite/LEGACY2',
        status: 'dead',
      },
      {
        ...legacy,
        to: 'c@example.org',
        template: 'notifications/test-message',
        text: 'keep',
        status: 'dead',
      },
    ]);
    await work();
    const rows = await Outbox.find({}).sort({ to: 1 }).lean();
    assert.ok(!JSON.stringify(rows.slice(0, 2)).includes('LEGACY'));
    assert.equal(rows[2]!.text, 'keep', 'a harmless dead letter keeps its body for "send again"');
  });
});

describe('admin outbox page without SMTP', () => {
  for (const env of ['development', 'production', 'test'] as const) {
    test(`${env}: a reset e-mail's text and link are never shown, queued or sent`, async () => {
      const t = await buildTestApp({ config: { env } });
      try {
        assert.equal(t.ctx.mailer.kind, 'dev');
        const user = await buildUser(t.ctx);
        const queued = await requestReset(t, user.email);
        const token = tokenIn(queued.text)!;
        const admin = await buildUser(t.ctx, { role: 'admin' });
        const agent = await signIn(t.app, admin);
        for (const stage of ['queued', 'sent']) {
          const page = await agent.get('/admin/outbox').expect(200);
          assert.match(page.text, /Reset your Umbrella Newsroom password/, stage);
          assert.ok(!page.text.includes(token), `${stage}: no token`);
          assert.doesNotMatch(page.text, /\/reset\//, `${stage}: no reset link`);
          await sendDueEmails(t.ctx, { workerId: 'dev' });
        }
      } finally {
        await t.close();
      }
    });
  }

  test('outside development, no message text is shown even without SMTP', async () => {
    const t = await buildTestApp({ config: { env: 'production' } });
    try {
      await enqueueEmail(t.ctx, {
        to: 'ada@example.org',
        template: 'notifications/test-message',
        locale: 'en',
      });
      const admin = await buildUser(t.ctx, { role: 'admin' });
      const page = await (await signIn(t.app, admin)).get('/admin/outbox').expect(200);
      assert.match(page.text, /ada@example\.org/);
      assert.doesNotMatch(page.text, /<pre class="mail-text">/);
      assert.doesNotMatch(page.text, /If you can read it/);
    } finally {
      await t.close();
    }
  });
});
