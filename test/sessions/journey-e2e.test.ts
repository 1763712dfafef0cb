/**
 * The journey in Chromium: a trainer schedules a live session and sets the attendance rule, a
 * trainee (on a 360 px phone, in Mongolian) signs up and receives the .ics by e-mail and by download,
 * the trainer marks attendance on the roster, and the attendance completes the course.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { buildUser } from '../factories';
import {
  checkA11y,
  describeViolations,
  screenshot,
  startBrowserApp,
  type BrowserApp,
} from '../support/browser';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { activate, follow, keyboardSignIn, pathOf } from '../e2e/support/learner';
import { signInAs } from '../e2e/support-grants/browser-helpers';
import { sendDueEmails } from '../../modules/notifications';
import { utcToLocalInput } from '../../modules/grants';
import { enrolmentModel } from '../../modules/learning/model';
import { liveSessionModel } from '../../modules/sessions/model';
import { courseWithTrainer, parseCalendar } from './helpers';

let b: BrowserApp;
let smtp: TestSmtp;
before(async () => {
  smtp = await startTestSmtp();
  b = await startBrowserApp({}, { mailTransport: smtp.transport() });
});
after(async () => {
  await b?.closeAll();
  await smtp?.close();
});

async function noViolations(page: Page, name: string) {
  const violations = await checkA11y(page);
  await screenshot(page, `sessions-${name}`);
  assert.deepEqual(
    violations.map((v) => v.id),
    [],
    `${name} (${page.url()}):\n${describeViolations(violations)}`,
  );
}

test('trainer schedules, trainee signs up and gets the .ics, trainer marks attendance, course completes', async () => {
  const { course, lessons, trainer } = await courseWithTrainer(b.ctx, {
    lessons: [{ slug: 'one' }],
    completionRules: { lessons: true, lessonQuizzes: false, postTest: false },
    title: { en: 'Reporting on trafficking', mn: 'Хүний наймааны талаар мэдээлэх' },
  });
  const trainee = await buildUser(b.ctx, { locale: 'mn', name: 'Батбаяр Дорж', outlet: 'Өдрийн сонин' });

  // The trainer sets the rule (one session) and schedules a webinar starting in ten minutes.
  const staff = await b.newPage({ width: 1280, locale: 'en' });
  await signInAs(staff, trainer, '/trainer/sessions');
  await noViolations(staff, 'trainer-courses');
  await follow(
    staff,
    staff.locator(`main a[href="/trainer/sessions/courses/${course.slug}"]`),
    /\/courses\//,
  );
  await staff.fill('#f-requiredSessions', '1');
  await Promise.all([staff.waitForURL(/done=rules/), staff.locator('#f-requiredSessions').press('Enter')]);
  assert.match(await staff.locator('main [role=status]').innerText(), /attendance rule is saved/);
  await noViolations(staff, 'trainer-course');
  await follow(staff, staff.locator('main a.button', { hasText: 'Schedule a session' }), /\/new$/);
  const startsAt = new Date(Date.now() + 10 * 60_000);
  await staff.locator('#kind-webinar').check();
  await staff.fill('#f-titleEn', 'Media Camp: sources and safety');
  await staff.fill('#f-titleMn', 'Медиа кэмп: эх сурвалж ба аюулгүй байдал');
  // The form's own validation: an empty duration comes back marked, the rest kept.
  await staff.fill('#f-startsAt', utcToLocalInput(startsAt, 'Asia/Ulaanbaatar'));
  await staff.fill('#f-durationMinutes', '');
  await staff.fill('#f-link', 'https://meet.example.org/media-camp');
  await staff.fill('#f-capacity', '12');
  await Promise.all([
    staff.waitForLoadState('domcontentloaded'),
    staff.locator('main form button[type=submit]').click(),
  ]);
  assert.equal(await staff.locator('#f-durationMinutes').getAttribute('aria-invalid'), 'true');
  assert.equal(await staff.inputValue('#f-titleEn'), 'Media Camp: sources and safety');
  await noViolations(staff, 'trainer-form-errors');
  await staff.fill('#f-durationMinutes', '90');
  await Promise.all([
    staff.waitForURL(/\/trainer\/sessions\/[0-9a-f]{24}\?done=saved$/),
    staff.locator('main form button[type=submit]').click(),
  ]);
  const sessionId = /\/trainer\/sessions\/([0-9a-f]{24})/.exec(staff.url())![1]!;
  const code = (await staff.locator('code.check-in-code').innerText()).trim();
  assert.match(code, /^[A-Z2-9]{6}$/);
  await noViolations(staff, 'trainer-session-empty');

  // The trainee, on a phone in Mongolian: reads the lesson (not complete: a session is required).
  const phone = await b.newPage({ width: 360, height: 740, locale: 'mn' });
  await keyboardSignIn(phone, trainee.email, { next: `/learn/${course.slug}/${lessons[0]!.slug}` });
  await phone.goto(`/learn/${course.slug}`);
  const panel = phone.locator('section.live-sessions');
  assert.match(await panel.innerText(), /1 уулзалтад оролцох шаардлагатай\. Та 0 уулзалтад оролцсон/);
  assert.match(await panel.innerText(), /Медиа кэмп: эх сурвалж ба аюулгүй байдал/);
  await noViolations(phone, 'course-panel-mn-360');
  assert.equal(
    (await enrolmentModel(b.ctx.db).findOne({ userId: trainee._id }).lean())?.completedAt,
    undefined,
  );
  await follow(phone, panel.locator(`a[href="/sessions/${sessionId}"]`), /^\/sessions\/[0-9a-f]{24}$/);
  assert.match(await phone.locator('main').innerText(), /Уулзалтын холбоос бүртгүүлсний дараа харагдана/);
  await noViolations(phone, 'session-mn-360');
  await follow(phone, phone.locator('main form button', { hasText: 'Бүртгүүлэх' }), /^\/sessions\//);
  assert.match(await phone.locator('main [role=status]').innerText(), /Та бүртгүүллээ/);
  assert.equal(await phone.locator('main a[href="https://meet.example.org/media-camp"]').count(), 1);
  const scrolls = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(scrolls, false, 'no sideways scrolling at 360 px');
  await noViolations(phone, 'session-signed-up-mn-360');

  // The download link gives a valid calendar file.
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    activate(phone.locator(`main a[href="/sessions/${sessionId}/calendar.ics"]`)),
  ]);
  assert.equal(download.suggestedFilename(), `session-${sessionId}.ics`);
  const downloaded = parseCalendar(await readFile((await download.path())!, 'utf8'));
  assert.equal(downloaded.summary, 'Медиа кэмп: эх сурвалж ба аюулгүй байдал');
  assert.equal(downloaded.url, 'https://meet.example.org/media-camp');
  const stored = await liveSessionModel(b.ctx.db).findById(sessionId).lean();
  assert.equal(downloaded.start?.iso, stored!.startsAt.toISOString());

  // The confirmation e-mail reaches the SMTP server with the same event attached.
  await sendDueEmails(b.ctx, { random: () => 0 });
  const mail = smtp.received.find((m) => m.envelopeTo.includes(trainee.email));
  assert.ok(mail, 'the confirmation arrived');
  assert.match(mail.parsed.subject ?? '', /^Та бүртгүүллээ: Медиа кэмп/);
  const attached = mail.parsed.attachments.find((a) => a.filename === `session-${sessionId}.ics`);
  assert.ok(attached);
  assert.equal(parseCalendar(attached.content.toString('utf8')).uid, downloaded.uid);

  // The trainer ticks the trainee on the roster (keyboard: Space) and saves.
  await staff.reload();
  const box = staff.locator(`#present-${String(trainee._id)}`);
  await box.focus();
  await staff.keyboard.press('Space');
  assert.ok(await box.isChecked());
  await noViolations(staff, 'trainer-roster');
  await follow(
    staff,
    staff.locator('main form button', { hasText: 'Save attendance' }),
    /\/trainer\/sessions\//,
  );
  assert.match(await staff.locator('main [role=status]').innerText(), /Attendance is saved/);

  // Attendance completes the course: the trainee sees it, with the certificate.
  const enrolment = await enrolmentModel(b.ctx.db).findOne({ userId: trainee._id }).lean();
  assert.ok(enrolment?.completedAt, 'the course is complete');
  assert.equal(await b.ctx.db.collection('certificates').countDocuments({ userId: trainee._id }), 1);
  await phone.goto(`/learn/${course.slug}`);
  assert.equal(pathOf(phone), `/learn/${course.slug}`);
  assert.match(await phone.locator('main').innerText(), /Та 1 уулзалтад оролцсон/);
  assert.equal(await phone.locator('main a[href="/certificates"]').count(), 1);
  await noViolations(phone, 'course-completed-mn-360');
});
