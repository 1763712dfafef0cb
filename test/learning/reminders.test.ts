import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCourse, buildUser } from '../factories';
import { sendReminders } from '../../modules/learning';
import { enrolmentModel } from '../../modules/learning/model';
import { outboxModel } from '../../modules/notifications/model';
import { enqueueEmail } from '../../modules/notifications';

const DAY = 24 * 60 * 60 * 1000;
const clock = fixedClock(new Date('2026-03-01T08:00:00Z'));
let t: TestApp;
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

test('stalled and not-started trainees get one reminder; opted-out, active and completed get none', async () => {
  const { course } = await buildCourse(t.ctx);
  const now = clock.now().getTime();
  const stalled = await buildUser(t.ctx, { locale: 'mn' });
  const notStarted = await buildUser(t.ctx);
  const optedOut = await buildUser(t.ctx, { remindersOptOut: true });
  const active = await buildUser(t.ctx);
  const done = await buildUser(t.ctx);
  const enrol = (userId: unknown, fields: Record<string, unknown>) =>
    enrolmentModel(t.ctx.db).create({
      userId,
      courseId: course._id,
      enrolledAt: new Date(now - 20 * DAY),
      ...fields,
    });
  await enrol(stalled._id, { status: 'in_progress', lastActivityAt: new Date(now - 8 * DAY) });
  await enrol(notStarted._id, { status: 'enrolled', lastActivityAt: new Date(now - 2 * DAY) });
  await enrol(optedOut._id, { status: 'in_progress', lastActivityAt: new Date(now - 30 * DAY) });
  await enrol(active._id, { status: 'in_progress', lastActivityAt: new Date(now - 1 * DAY) });
  await enrol(done._id, {
    status: 'completed',
    lastActivityAt: new Date(now - 30 * DAY),
    completedAt: new Date(),
  });

  // Two workers at once: each reminder is still sent once.
  const [x, y] = await Promise.all([
    sendReminders(t.ctx, { stalledDays: 7 }),
    sendReminders(t.ctx, { stalledDays: 7 }),
  ]);
  assert.equal(x + y, 2);
  const mails = await outboxModel(t.ctx.db).find({ template: 'learning/reminder' }).lean();
  assert.deepEqual(mails.map((m) => m.to).sort(), [notStarted.email, stalled.email].sort());
  const mn = mails.find((m) => m.to === stalled.email)!;
  assert.match(mn.subject, /сургалтаа үргэлжлүүлээрэй/);
  assert.match(mn.text, /http:\/\/127\.0\.0\.1:3000\/account/);

  // Not twice within the period…
  clock.advance(3 * DAY);
  assert.equal(await sendReminders(t.ctx, { stalledDays: 7 }), 0);
  // …but again once the period has passed without activity.
  clock.advance(5 * DAY);
  // (the trainee who was active 9 days ago has now stalled too)
  assert.equal(await sendReminders(t.ctx, { stalledDays: 7 }), 3);
});

test('a sweep that died after queueing a reminder (before recording it) sends it once, and records it', async () => {
  const { course } = await buildCourse(t.ctx);
  const now = clock.now().getTime();
  const user = await buildUser(t.ctx);
  const enrolment = await enrolmentModel(t.ctx.db).create({
    userId: user._id,
    courseId: course._id,
    enrolledAt: new Date(now - 20 * DAY),
    status: 'in_progress',
    lastActivityAt: new Date(now - 9 * DAY),
  });
  // What the dead sweep left: the e-mail in the outbox, lastReminderAt not moved.
  await enqueueEmail(t.ctx, {
    to: user.email,
    template: 'learning/reminder',
    locale: 'en',
    data: { name: user.name, course: 'Course', coursePath: '/learn/x' },
    dedupeKey: `reminder:${String(enrolment._id)}:first`,
  });
  assert.equal(await sendReminders(t.ctx, { stalledDays: 7 }), 0, 'nothing new queued');
  assert.equal(await outboxModel(t.ctx.db).countDocuments({ to: user.email }), 1);
  const after = await enrolmentModel(t.ctx.db).findById(enrolment._id).lean();
  assert.equal(after?.lastReminderAt?.getTime(), now, 'recorded now');
  // When the next one falls due (here: with a window that makes it due now), it is a new e-mail.
  await sendReminders(t.ctx, { stalledDays: -1 });
  assert.equal(await outboxModel(t.ctx.db).countDocuments({ to: user.email }), 2);
});
