/**
 * Browser helpers for the grant-round and reports journeys: password (+ TOTP for staff) sign-in,
 * submitting a form and waiting for where it lands, small valid upload files, and marking a
 * journalist trained the way modules/learning's hasCompletedCourse reads it.
 */
import assert from 'node:assert/strict';
import type { Locator, Page, Response } from 'playwright-core';
import { generateSync } from 'otplib';
import sharp from 'sharp';
import type { Types } from 'mongoose';
import type { AppContext } from '../../../server/context';
import { courseModel, enrolmentModel } from '../../../modules/learning/model';
import { PASSWORD } from '../../factories';

export const pathOf = (page: Page) => new URL(page.url()).pathname;

/**
 * Signs in through /login; staff complete the second step with a fresh TOTP code. A code is accepted
 * once only, so each staff user signs in once per test file.
 */
export async function signInAs(
  page: Page,
  user: { email: string; totpSecret?: string },
  next = '/account',
): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#f-email', user.email);
  await page.fill('#f-password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.press('#f-password', 'Enter')]);
  if (pathOf(page) === '/login/2fa') {
    assert.ok(user.totpSecret, 'staff user has a TOTP secret');
    await page.fill('#f-code', generateSync({ secret: user.totpSecret }));
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith('/login')),
      page.press('#f-code', 'Enter'),
    ]);
  }
  assert.ok(!pathOf(page).startsWith('/login'), `signed in (at ${page.url()})`);
}

/**
 * Clicks a submit control and returns the response of the POST it sends (the status before any
 * redirect), after the resulting page has loaded.
 */
export async function submitVia(page: Page, control: Locator): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    control.click(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return response;
}

/** A minimal, valid one-page PDF (file-type detects it as application/pdf). */
export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** A small real PNG. */
export const pngBytes = () =>
  sharp({ create: { width: 24, height: 16, channels: 3, background: { r: 20, g: 90, b: 160 } } })
    .png()
    .toBuffer();

/** A completed enrolment in the course: what hasCompletedCourse (grant eligibility) looks for. */
export async function markTrained(
  ctx: AppContext,
  userId: Types.ObjectId,
  courseSlug = 'tip-reporting',
): Promise<void> {
  const course = await courseModel(ctx.db).findOne({ slug: courseSlug }, { _id: 1 }).lean();
  assert.ok(course, `course ${courseSlug} is imported`);
  const at = ctx.clock.now();
  await enrolmentModel(ctx.db).create({
    userId,
    courseId: course._id,
    status: 'completed',
    enrolledAt: at,
    startedAt: at,
    lastActivityAt: at,
    completedAt: at,
  });
}
