import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { buildUser } from '../factories';
import { sendDueEmails } from '../../modules/notifications';
import { outboxModel } from '../../modules/notifications/model';
import { getCourseOutline } from '../../modules/learning';
import { sendSessionReminders } from '../../modules/sessions';
import { signUp } from '../../modules/sessions/service-attend';
import { buildSession, courseWithTrainer, parseCalendar, reload } from './helpers';

const T0 = new Date('2026-03-02T03:00:00Z');
const HOUR = 3600_000;
let t: TestApp;
let smtp: TestSmtp;
const clock = fixedClock(T0);
before(async () => {
  smtp = await startTestSmtp();
  t = await buildTestApp({ clock, mailTransport: smtp.transport() });
});
after(async () => {
  await t.close();
  await smtp.close();
});

const asSessionUser = (u: { _id: unknown; email: string; name: string }) => ({
  id: String(u._id),
  role: 'journalist' as const,
  email: u.email,
  name: u.name,
});

test('the confirmation arrives over SMTP in Mongolian with a valid .ics attachment', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const session = await buildSession(t.ctx, course._id, {
    place: 'IOM, Сүхбаатар дүүрэг; 3-р давхар',
    startsAt: new Date('2026-03-31T09:00:00Z'),
    endsAt: new Date('2026-03-31T10:30:00Z'),
  });
  const user = await buildUser(t.ctx, { locale: 'mn', name: 'Болормаа' });
  await signUp(t.ctx, asSessionUser(user), session, (await getCourseOutline(t.ctx, course._id))!);
  await sendDueEmails(t.ctx, { random: () => 0 });
  const got = smtp.received.find((m) => m.envelopeTo.includes(user.email));
  assert.ok(got, 'the message reached the SMTP server');
  assert.equal(got.parsed.subject, 'Та бүртгүүллээ: Медиа кэмп I');
  assert.match(String(got.parsed.text), /2026 оны 3-р сарын 31 17:00 \(Asia\/Ulaanbaatar\)/);
  const attachment = got.parsed.attachments.find((a) => a.filename?.endsWith('.ics'));
  assert.ok(attachment, 'an .ics attachment');
  assert.match(attachment.contentType, /^text\/calendar/);
  const ics = parseCalendar(attachment.content.toString('utf8'));
  assert.equal(ics.summary, 'Медиа кэмп I');
  assert.equal(ics.location, 'IOM, Сүхбаатар дүүрэг; 3-р давхар');
  assert.equal(ics.start?.iso, '2026-03-31T09:00:00.000Z');
  assert.equal(ics.end?.iso, '2026-03-31T10:30:00.000Z');
  assert.ok(ics.start?.utc && ics.end?.utc && ics.dtstamp?.utc);
  assert.equal(ics.status, 'CONFIRMED');
});

test('the reminder goes out once, the day before, to everyone signed up; a dead run’s claim is taken over', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const people = await Promise.all([1, 2].map(() => buildUser(t.ctx)));
  const soon = await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() + 30 * HOUR),
    registeredIds: people.map((p) => p._id),
    registrations: people.map((p) => ({ userId: p._id, at: T0 })),
  });
  const later = await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() + 72 * HOUR),
    registeredIds: [people[0]!._id],
  });
  const reminders = () => outboxModel(t.ctx.db).find({ template: 'sessions/reminder' }).lean();

  // 30 hours ahead: not yet.
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 0, queued: 0 });
  // 23 hours ahead: due. Two runs in parallel (two processes) queue each reminder once.
  clock.set(new Date(T0.getTime() + 7 * HOUR));
  const runs = await Promise.all([sendSessionReminders(t.ctx), sendSessionReminders(t.ctx)]);
  assert.equal(runs[0].sessions + runs[1].sessions, 1);
  assert.equal(runs[0].queued + runs[1].queued, 2);
  assert.deepEqual((await reminders()).map((m) => m.to).sort(), people.map((p) => p.email).sort());
  assert.ok((await reload(t.ctx, soon._id)).remindedAt);
  assert.equal((await reload(t.ctx, later._id)).remindedAt, undefined);
  // Later runs send nothing more.
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 0, queued: 0 });

  const sent = smtp.received.length;
  await sendDueEmails(t.ctx, { random: () => 0 });
  const mails = smtp.received.slice(sent).filter((m) => /^Tomorrow: /.test(m.parsed.subject ?? ''));
  assert.equal(mails.length, 2);
  for (const m of mails) {
    const file = m.parsed.attachments.find((a) => a.filename?.endsWith('.ics'));
    assert.ok(file);
    assert.equal(parseCalendar(file.content.toString('utf8')).start?.iso, soon.startsAt.toISOString());
  }

  // A claim left by a run that died is taken over once it expires; the dedupe keys stop doubles.
  await t.ctx.db.collection('livesessions').updateOne(
    { _id: later._id },
    {
      $set: {
        startsAt: new Date(clock.now().getTime() + 2 * HOUR),
        reminderLockedUntil: new Date(clock.now().getTime() + 60_000),
      },
    },
  );
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 0, queued: 0 }, 'claimed by another run');
  clock.set(new Date(clock.now().getTime() + 61_000));
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 1, queued: 1 });
  assert.equal((await reminders()).length, 3);
});

test('a session that already started or was cancelled gets no reminder', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const user = await buildUser(t.ctx);
  await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() - 60_000),
    registeredIds: [user._id],
  });
  await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() + 2 * HOUR),
    status: 'cancelled',
    registeredIds: [user._id],
  });
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 0, queued: 0 });
  assert.equal(
    await outboxModel(t.ctx.db).countDocuments({ template: 'sessions/reminder', to: user.email }),
    0,
  );
});

test('an attachment name or type with a line break is refused as unsendable, never sent', async () => {
  const { createMailer, UnsendableMail } = await import('../../server/mail/mailer');
  const mailer = createMailer({ from: 'noreply@example.org', transport: smtp.transport() });
  const before = smtp.received.length;
  const base = { to: 'ada@example.org', subject: 'S', text: 'T', html: '<p>T</p>' };
  for (const bad of [
    { filename: 'a.ics\r\nX-Evil: 1', contentType: 'text/calendar', content: 'x' },
    { filename: 'a.ics', contentType: 'text/calendar\nX-Evil: 1', content: 'x' },
  ])
    await assert.rejects(mailer.send({ ...base, attachments: [bad] }), UnsendableMail);
  assert.equal(smtp.received.length, before);
  await mailer.send({
    ...base,
    attachments: [{ filename: 'a.ics', contentType: 'text/calendar', content: 'x' }],
  });
  assert.equal(smtp.received.at(-1)?.parsed.attachments[0]?.filename, 'a.ics');
  mailer.close();
});
