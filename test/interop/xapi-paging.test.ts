/**
 * The xAPI checkpoint reads every change of its window, however many: enrolments and attempts are read
 * a page at a time, and the checkpoint moves only past what was read. (It used to read the first
 * 10,000 of each and move the checkpoint past the rest.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCourse } from '../factories';
import { queueStatements, xapiStatementModel } from '../../modules/interop/xapi';
import { XAPI_PAGE_SIZE } from '../../modules/interop/xapi/service';
import { xapiSettingsModel } from '../../modules/interop/xapi/model';
import { enrolmentModel } from '../../modules/learning/model';
import { attemptModel } from '../../modules/quizzes/model';

const clock = fixedClock(new Date('2026-05-04T10:00:00Z'));
let t: TestApp;

before(async () => {
  t = await buildTestApp({ clock });
  await xapiSettingsModel(t.ctx.db).create({
    key: 'settings',
    enabled: true,
    endpoint: 'http://127.0.0.1:9/xapi',
    username: 'lrs',
    password: 'secret',
    actorSecret: 'a'.repeat(64),
    enabledAt: new Date(clock.now().getTime() - 3_600_000),
    checkpoint: new Date(clock.now().getTime() - 3_600_000),
  });
});
after(() => t.close());

/** `n` enrolments started (and active) a minute ago, each one `initialized` statement. */
async function startedEnrolments(n: number, courseId: Types.ObjectId) {
  const at = new Date(clock.now().getTime() - 60_000);
  const docs = Array.from({ length: n }, () => ({
    userId: new Types.ObjectId(),
    courseId,
    status: 'in_progress',
    enrolledAt: at,
    startedAt: at,
    lastActivityAt: at,
  }));
  await enrolmentModel(t.ctx.db).insertMany(docs);
}

const count = (prefix: string) =>
  xapiStatementModel(t.ctx.db).collection.countDocuments({ sourceKey: { $regex: `^${prefix}:` } });

test('a window with more changes than a page: every enrolment and attempt is queued once', async () => {
  const { course } = await buildCourse(t.ctx);
  await startedEnrolments(25, course._id);
  const submittedAt = new Date(clock.now().getTime() - 30_000);
  await attemptModel(t.ctx.db).collection.insertMany(
    Array.from({ length: 23 }, (_, i) => ({
      userId: new Types.ObjectId(),
      courseId: course._id,
      quizId: new Types.ObjectId(),
      quizKey: `lesson:${i}`,
      status: 'submitted',
      submittedAt,
      score: 50,
      passed: false,
      results: [],
    })),
  );

  await queueStatements(t.ctx, { pageSize: 10 });
  assert.equal(await count('initialized'), 25);
  assert.equal(await count('attempt'), 23);
  // The checkpoint moved to the end of the window; a second run (its window overlaps) adds nothing.
  const settings = await xapiSettingsModel(t.ctx.db).findOne({ key: 'settings' }).lean();
  assert.equal(settings!.checkpoint!.getTime(), clock.now().getTime());
  await queueStatements(t.ctx, { pageSize: 10 });
  assert.equal(await xapiStatementModel(t.ctx.db).countDocuments(), 25 + 23);
});

test(`more than the default page (${XAPI_PAGE_SIZE}) in one window: none is skipped`, async () => {
  clock.advance(5 * 60_000);
  const { course } = await buildCourse(t.ctx);
  const before = await count('initialized');
  await startedEnrolments(2 * XAPI_PAGE_SIZE + 7, course._id);
  await queueStatements(t.ctx);
  assert.equal((await count('initialized')) - before, 2 * XAPI_PAGE_SIZE + 7);
});
