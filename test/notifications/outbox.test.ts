import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { emailStatusFor, enqueueEmail, sendDueEmails } from '../../modules/notifications';
import { outboxModel } from '../../modules/notifications/model';
import { BACKOFF_MS, MAX_ATTEMPTS } from '../../modules/notifications/worker';
import { createMailer } from '../../server/mail/mailer';

const T0 = new Date('2026-03-02T03:00:00Z');
const noJitter = () => 0;

describe('outbox → SMTP', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let clock: ReturnType<typeof fixedClock>;

  before(async () => {
    smtp = await startTestSmtp();
  });
  after(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    await t?.close();
    smtp.mode = 'accept';
    smtp.received.length = 0;
    clock = fixedClock(T0);
    t = await buildTestApp({ clock, mailTransport: smtp.transport() });
  });
  after(async () => {
    await t?.close();
  });

  const outbox = () => outboxModel(t.ctx.db);
  const work = (workerId = 'w1') => sendDueEmails(t.ctx, { workerId, batch: 50, random: noJitter });
  const testMail = (to: string, locale: 'en' | 'mn' = 'en', extra: object = {}) =>
    enqueueEmail(t.ctx, {
      to,
      template: 'notifications/test-message',
      locale,
      data: { at: 'A1' },
      ...extra,
    });

  test('a queued message arrives over SMTP with HTML and text parts, subject in the reader’s language', async () => {
    await testMail('ada@example.org', 'en');
    await testMail('bold@example.org', 'mn');
    assert.equal(smtp.received.length, 0, 'enqueue never talks to SMTP');
    const result = await work();
    assert.deepEqual(result, { sent: 2, retried: 0, dead: 0 });
    const en = smtp.received.find((m) => m.envelopeTo.includes('ada@example.org'));
    const mn = smtp.received.find((m) => m.envelopeTo.includes('bold@example.org'));
    assert.ok(en && mn);
    assert.equal(en.parsed.subject, 'Test message from Umbrella Newsroom — A1');
    assert.equal(mn.parsed.subject, 'Umbrella Newsroom-оос илгээсэн туршилтын имэйл — A1');
    assert.match(String(en.parsed.html), /<a href="http:\/\/127\.0\.0\.1:3000\/admin\/outbox">/);
    assert.match(String(en.parsed.text), /If you can read it/);
    assert.match(String(mn.parsed.text), /туршилтын имэйл/);
    const stored = await outbox().find({}).lean();
    assert.ok(stored.every((m) => m.status === 'sent' && m.sentAt && m.messageId && !m.lockedBy));
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: 0 }, 'nothing is sent twice');
    assert.equal(smtp.received.length, 2);
  });

  test('the same dedupe key twice queues and sends one message', async () => {
    assert.equal(await testMail('ada@example.org', 'en', { dedupeKey: 'invite:1' }), true);
    assert.equal(await testMail('ada@example.org', 'en', { dedupeKey: 'invite:1' }), false);
    assert.equal(await emailStatusFor(t.ctx, 'invite:1'), 'pending');
    assert.equal(await testMail('ada@example.org'), true, 'messages without a key never collide');
    assert.equal(await testMail('ada@example.org'), true);
    assert.equal(await emailStatusFor(t.ctx, 'invite:unknown'), undefined);
    await work();
    assert.equal(smtp.received.length, 3);
    assert.equal(await emailStatusFor(t.ctx, 'invite:1'), 'sent');
  });

  test('two workers racing over the same batch deliver each message exactly once', async () => {
    const n = 30;
    for (let i = 0; i < n; i++) await testMail(`r${i}@example.org`);
    const [a, b] = await Promise.all([work('worker-a'), work('worker-b')]);
    assert.equal(a.sent + b.sent, n);
    assert.ok(a.sent > 0 && b.sent > 0, `both workers took part (${a.sent} + ${b.sent})`);
    const recipients = smtp.received.flatMap((m) => m.envelopeTo).sort();
    assert.equal(recipients.length, n, 'no duplicates');
    assert.equal(new Set(recipients).size, n, 'no message missing');
    assert.equal(await outbox().countDocuments({ status: 'sent' }), n);
  });

  test('temporary failures are retried with growing back-off and delivered once SMTP recovers', async () => {
    await testMail('ada@example.org', 'en', { dedupeKey: 'k-temp' });
    smtp.mode = 'temporary';
    assert.deepEqual(await work(), { sent: 0, retried: 1, dead: 0 });
    let msg = await outbox().findOne({}).lean();
    assert.equal(msg?.status, 'pending');
    assert.equal(msg?.attempts, 1);
    assert.match(msg?.lastError ?? '', /451/);
    assert.equal(msg?.nextAttemptAt.getTime(), T0.getTime() + BACKOFF_MS[0]!);
    assert.equal(await emailStatusFor(t.ctx, 'k-temp'), 'pending');

    const seen = smtp.attempts;
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: 0 }, 'not due yet');
    assert.equal(smtp.attempts, seen, 'the back-off is respected');

    clock.advance(BACKOFF_MS[0]!);
    assert.deepEqual(await work(), { sent: 0, retried: 1, dead: 0 });
    msg = await outbox().findOne({}).lean();
    assert.equal(msg?.attempts, 2);
    assert.equal(msg?.nextAttemptAt.getTime(), clock.now().getTime() + BACKOFF_MS[1]!, 'back-off grows');

    smtp.mode = 'accept';
    clock.advance(BACKOFF_MS[1]!);
    assert.deepEqual(await work(), { sent: 1, retried: 0, dead: 0 });
    assert.equal(smtp.received.length, 1, 'delivered exactly once');
    assert.equal(await emailStatusFor(t.ctx, 'k-temp'), 'sent');
  });

  test('jitter only ever lengthens the wait, by at most a fifth', async () => {
    await testMail('ada@example.org');
    smtp.mode = 'temporary';
    await sendDueEmails(t.ctx, { workerId: 'w', random: () => 0.999 });
    const msg = await outbox().findOne({}).lean();
    const wait = msg!.nextAttemptAt.getTime() - T0.getTime();
    assert.ok(wait > BACKOFF_MS[0]! && wait <= BACKOFF_MS[0]! * 1.2, String(wait));
  });

  test(`a message that keeps failing temporarily is dead-lettered after ${MAX_ATTEMPTS} attempts`, async () => {
    await testMail('ada@example.org');
    smtp.mode = 'temporary';
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await work();
      clock.advance(7 * 60 * 60_000);
    }
    const msg = await outbox().findOne({}).lean();
    assert.equal(msg?.status, 'dead');
    assert.equal(msg?.attempts, MAX_ATTEMPTS);
    smtp.mode = 'accept';
    clock.advance(24 * 60 * 60_000);
    await work();
    assert.equal(smtp.received.length, 0, 'a dead letter is not sent by the worker');
  });

  test('a permanent failure (550) is dead-lettered after one attempt', async () => {
    await testMail('gone@example.org', 'en', { dedupeKey: 'k-perm' });
    smtp.mode = 'permanent';
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: 1 });
    const msg = await outbox().findOne({}).lean();
    assert.equal(msg?.status, 'dead');
    assert.equal(msg?.attempts, 1);
    assert.match(msg?.lastError ?? '', /550/);
    assert.equal(await emailStatusFor(t.ctx, 'k-perm'), 'dead');
  });

  test('a refused connection is a temporary failure: retried, then delivered', async () => {
    await testMail('ada@example.org');
    await smtp.down();
    try {
      assert.deepEqual(await work(), { sent: 0, retried: 1, dead: 0 });
      const msg = await outbox().findOne({}).lean();
      assert.equal(msg?.status, 'pending');
      assert.match(msg?.lastError ?? '', /ECONNREFUSED|ECONNECTION|ESOCKET/);
    } finally {
      await smtp.up();
    }
    clock.advance(BACKOFF_MS[0]!);
    assert.deepEqual(await work(), { sent: 1, retried: 0, dead: 0 });
    assert.equal(smtp.received.length, 1);
  });

  test('a worker that crashed mid-send releases its claim when the lock expires', async () => {
    await testMail('ada@example.org');
    await outbox().updateOne(
      {},
      { $set: { status: 'sending', lockedBy: 'crashed#1', lockedUntil: new Date(T0.getTime() + 60_000) } },
    );
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: 0 }, 'a live claim is respected');
    clock.advance(60_001);
    assert.deepEqual(await work(), { sent: 1, retried: 0, dead: 0 });
    assert.equal(smtp.received.length, 1);
    // The crashed worker coming back cannot overwrite the outcome: its update is conditional on its claim.
    const stale = await outbox().updateOne(
      { status: 'sending', lockedBy: 'crashed#1' },
      { $set: { status: 'pending' } },
    );
    assert.equal(stale.modifiedCount, 0);
  });

  test('CR/LF in subject data never reaches SMTP as a header', async () => {
    await testMail('ada@example.org', 'en', {
      data: { at: 'x\r\nBcc: evil@example.org\r\nX-Injected: 1' },
    });
    await work();
    assert.equal(smtp.received.length, 1);
    const [mail] = smtp.received;
    assert.deepEqual(mail!.envelopeTo, ['ada@example.org']);
    assert.equal(mail!.parsed.headers.get('x-injected'), undefined);
    assert.equal(mail!.parsed.bcc, undefined);
    assert.doesNotMatch(mail!.raw, /\r\nX-Injected:|\r\nBcc:/i);
    assert.doesNotMatch(mail!.parsed.subject ?? '', /[\r\n]/);
  });

  test('CR/LF or a second address in the recipient never reaches SMTP; the message is dead-lettered', async () => {
    const bad = [
      'ada@example.org\r\nBcc: evil@example.org',
      'ada@example.org\nX-Injected: 1',
      'ada@example.org, evil@example.org',
      'Ada <ada@example.org>',
      'no-at-sign',
    ];
    for (const to of bad) await testMail(to);
    const seen = smtp.attempts;
    assert.deepEqual(await work(), { sent: 0, retried: 0, dead: bad.length });
    assert.equal(smtp.attempts, seen, 'SMTP was never asked');
    assert.equal(smtp.received.length, 0);
  });
});

describe('mailer built from SMTP_URL', () => {
  test('sends through the URL, and a server that never answers is a temporary failure', async () => {
    const smtp = await startTestSmtp();
    const silent = net.createServer(() => undefined); // accepts, never greets
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const t = await buildTestApp({ clock: fixedClock(T0) });
    try {
      const viaUrl = {
        ...t.ctx,
        mailer: createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'a@example.org' }),
      };
      assert.equal(viaUrl.mailer.kind, 'smtp');
      await enqueueEmail(t.ctx, {
        to: 'ada@example.org',
        template: 'notifications/test-message',
        locale: 'en',
      });
      assert.deepEqual(await sendDueEmails(viaUrl, { workerId: 'u' }), { sent: 1, retried: 0, dead: 0 });
      assert.equal(smtp.received.length, 1);

      const hung = {
        ...t.ctx,
        mailer: createMailer({
          smtpUrl: `smtp://127.0.0.1:${silentPort}?greetingTimeout=300&connectionTimeout=300`,
          from: 'a@example.org',
        }),
      };
      await enqueueEmail(t.ctx, {
        to: 'bob@example.org',
        template: 'notifications/test-message',
        locale: 'en',
      });
      assert.deepEqual(await sendDueEmails(hung, { workerId: 'h' }), { sent: 0, retried: 1, dead: 0 });
      const msg = await outboxModel(t.ctx.db).findOne({ to: 'bob@example.org' }).lean();
      assert.match(msg?.lastError ?? '', /ETIMEDOUT|timeout/i);
    } finally {
      await t.close();
      await smtp.close();
      silent.close();
    }
  });
});
