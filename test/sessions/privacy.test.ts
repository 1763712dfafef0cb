import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, tokenFor } from '../factories';
import { outboxModel } from '../../modules/notifications/model';
import { sendSessionReminders } from '../../modules/sessions';
import { sessionsPersonalData } from '../../modules/sessions/personal-data';
import { buildSession, courseWithTrainer, parseCalendar, reload, signInNow } from './helpers';

const T0 = new Date('2026-03-02T03:00:00Z');
let t: TestApp;
const clock = fixedClock(T0);
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

test('script payloads in a session title and place stay text on every page, in e-mails and in the .ics', async () => {
  clock.set(T0);
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const user = await buildUser(t.ctx, { name: `Name ${XSS}` });
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/courses/${course.slug}`;
  const _csrf = await tokenFor(agent, `${path}/new`);
  const created = await agent
    .post(path)
    .type('form')
    .send({
      _csrf,
      kind: 'workshop',
      titleEn: `Camp ${XSS}`,
      titleMn: `Кэмп ${XSS}`,
      startsAt: '2026-03-10T10:00',
      durationMinutes: '60',
      place: `Room ${XSS}`,
      link: '',
      capacity: '5',
    })
    .expect(303);
  const id = /\/trainer\/sessions\/([0-9a-f]{24})/.exec(created.headers.location!)![1]!;
  const trainee = await signInNow(t.app, clock, user);
  const tt = await tokenFor(trainee, `/sessions/${id}`);
  await trainee.post(`/sessions/${id}/sign-up`).type('form').send({ _csrf: tt }).expect(303);
  const pages = [
    await trainee.get(`/sessions/${id}`).expect(200),
    await trainee.get(`/learn/${course.slug}`).expect(200),
    await agent.get(`/trainer/sessions/${id}`).expect(200),
    await agent.get(path).expect(200),
    await agent.get(`/trainer/sessions/${id}/edit`).expect(200),
  ];
  for (const [i, page] of pages.entries()) {
    assert.ok(!page.text.includes('<script>alert(1)'), `page ${i}`);
    assert.ok(!page.text.includes('<img src=x'), `page ${i}`);
  }
  assert.ok(pages[0]!.text.includes('Camp &lt;script&gt;'));
  assert.ok(pages[2]!.text.includes('Name &lt;script&gt;'), 'the roster escapes names');
  const mail = await outboxModel(t.ctx.db).findOne({ template: 'sessions/confirmed' }).lean();
  assert.ok(mail && !mail.html.includes('<script>alert(1)') && !mail.html.includes('<img src=x'));
  assert.ok(!mail.subject.includes('\n'));
  const ics = parseCalendar(mail.attachments![0]!.content);
  assert.equal(ics.summary, `Camp ${XSS}`, 'the calendar keeps the text as text (escaped, not interpreted)');
  assert.equal(ics.location, `Room ${XSS}`);
});

test('moving a session sends a new reminder for the new time; the old one is not repeated', async () => {
  clock.set(T0);
  const { course, trainer } = await courseWithTrainer(t.ctx);
  const user = await buildUser(t.ctx);
  const session = await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() + 10 * 3600_000),
    registeredIds: [user._id],
    registrations: [{ userId: user._id, at: T0 }],
  });
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 1, queued: 1 });
  const agent = await signInNow(t.app, clock, trainer);
  const path = `/trainer/sessions/${String(session._id)}`;
  const _csrf = await tokenFor(agent, `${path}/edit`);
  await agent
    .post(path)
    .type('form')
    .send({
      _csrf,
      kind: 'webinar',
      titleEn: 'Media Camp I',
      titleMn: 'Медиа кэмп I',
      startsAt: '2026-03-03T09:00',
      durationMinutes: '90',
      place: '',
      link: 'https://meet.example.org/media-camp',
      capacity: '10',
    })
    .expect(303);
  const moved = await reload(t.ctx, session._id);
  assert.equal(moved.remindedAt, undefined);
  assert.equal(moved.sequence, 1);
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 1, queued: 1 });
  assert.deepEqual(await sendSessionReminders(t.ctx), { sessions: 0, queued: 0 });
  const reminders = await outboxModel(t.ctx.db)
    .find({ template: 'sessions/reminder', to: user.email })
    .lean();
  assert.equal(reminders.length, 2);
  assert.equal(parseCalendar(reminders[1]!.attachments![0]!.content).start?.iso, '2026-03-03T01:00:00.000Z');
  // A trainer's edit that changes nothing a calendar needs (the seats) sends nothing.
  await agent
    .post(path)
    .type('form')
    .send({
      _csrf,
      kind: 'webinar',
      titleEn: 'Media Camp I',
      titleMn: 'Медиа кэмп I',
      startsAt: '2026-03-03T09:00',
      durationMinutes: '90',
      place: '',
      link: 'https://meet.example.org/media-camp',
      capacity: '12',
    })
    .expect(303);
  assert.equal(await outboxModel(t.ctx.db).countDocuments({ template: 'sessions/changed' }), 1);
});

test('a person’s data export lists their sign-ups and attendance; erasure takes them off every roster', async () => {
  clock.set(T0);
  const { course } = await courseWithTrainer(t.ctx);
  const user = await buildUser(t.ctx);
  const other = await buildUser(t.ctx);
  const attended = await buildSession(t.ctx, course._id, {
    startsAt: new Date(T0.getTime() - 3600_000),
    registeredIds: [user._id, other._id],
    registrations: [
      { userId: user._id, at: T0 },
      { userId: other._id, at: T0 },
    ],
    attendedIds: [user._id],
    attendance: [{ userId: user._id, at: T0, by: 'code' }],
    seatsLeft: 8,
  });
  const exported = (await sessionsPersonalData.export!(t.ctx, String(user._id))) as Array<
    Record<string, unknown>
  >;
  assert.equal(exported.length, 1);
  assert.equal((exported[0]!.attendedAt as Date).toISOString(), T0.toISOString());
  assert.deepEqual(exported[0]!.title, { en: 'Media Camp I', mn: 'Медиа кэмп I' });
  await sessionsPersonalData.erase!(t.ctx, String(user._id));
  const after = await reload(t.ctx, attended._id);
  assert.deepEqual(after.registeredIds.map(String), [String(other._id)]);
  assert.deepEqual(after.attendedIds, []);
  assert.deepEqual(after.attendance, []);
  assert.equal(after.registrations.length, 1);
  assert.equal(after.seatsLeft, 9);
  assert.deepEqual(await sessionsPersonalData.export!(t.ctx, String(user._id)), []);
});

test('the demo seed adds one Media Camp to the demo course, once, at 15:00 Ulaanbaatar a week ahead', async () => {
  clock.set(T0);
  const { seedDemoSession } = await import('../../modules/sessions/seed');
  const { liveSessionModel } = await import('../../modules/sessions/model');
  const fresh = await buildTestApp({ clock });
  try {
    assert.equal(await seedDemoSession(fresh.ctx), undefined, 'no demo course, no demo session');
    const { importCourses } = await import('../../modules/learning');
    await importCourses(fresh.ctx);
    const said = await seedDemoSession(fresh.ctx);
    assert.match(String(said), /9 Mar 2026, 15:00 \(Asia\/Ulaanbaatar\)/);
    const all = await liveSessionModel(fresh.ctx.db).find({}).lean();
    assert.equal(all.length, 1);
    assert.equal(all[0]!.startsAt.toISOString(), '2026-03-09T07:00:00.000Z');
    assert.equal(await seedDemoSession(fresh.ctx), undefined, 'a second run adds nothing');
  } finally {
    await fresh.close();
  }
});
