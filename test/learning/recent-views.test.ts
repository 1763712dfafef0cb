import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCourse, buildUser, signIn } from '../factories';
import { enrolmentModel, lessonModel } from '../../modules/learning/model';
import { invalidateCourse } from '../../modules/learning/outline';
import { ACTIVITY_TOUCH_MS } from '../../modules/learning/service';

const clock = fixedClock(new Date('2026-03-01T08:00:00Z'));
let t: TestApp;
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

/** Queries mongoose sends about this user's enrolments while `fn` runs (background jobs aside). */
async function enrolmentQueries(userId: unknown, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  t.ctx.db.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    if (collection === 'enrolments' && JSON.stringify(args).includes(String(userId))) seen.push(method);
  });
  try {
    await fn();
  } finally {
    t.ctx.db.set('debug', false);
  }
  return seen;
}

test('re-reading a lesson within the activity window costs no enrolment query; new versions and later visits still count', async () => {
  const { course, lessons } = await buildCourse(t.ctx);
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const lesson1 = `/learn/${course.slug}/lesson-1`;
  const enrolment = () => enrolmentModel(t.ctx.db).findOne({ userId: user._id }).lean();

  const first = await enrolmentQueries(user._id, () => agent.get(lesson1).expect(200));
  assert.ok(first.length > 0, 'the first view is recorded');
  const recordedAt = (await enrolment())!.lastActivityAt!.getTime();

  clock.advance(60_000);
  assert.deepEqual(await enrolmentQueries(user._id, () => agent.get(lesson1).expect(200)), []);
  assert.equal((await enrolment())!.lessonsViewed.length, 1);

  // Another lesson is new: recorded at once.
  await agent.get(`/learn/${course.slug}/lesson-2`).expect(200);
  assert.equal((await enrolment())!.lessonsViewed.length, 2);

  // A republished lesson is a new version to read, remembered views notwithstanding.
  await lessonModel(t.ctx.db).updateOne({ _id: lessons[0]!._id }, { $set: { version: 2 } });
  await invalidateCourse(t.ctx, course._id);
  await agent.get(lesson1).expect(200);
  const views = (await enrolment())!.lessonsViewed;
  assert.deepEqual(
    views.map((v) => v.version),
    [1, 1, 2],
  );

  // Past the window the visit is read again, so lastActivityAt keeps its granularity.
  clock.advance(ACTIVITY_TOUCH_MS + 1000);
  assert.ok((await enrolmentQueries(user._id, () => agent.get(lesson1).expect(200))).length > 0);
  assert.ok((await enrolment())!.lastActivityAt!.getTime() > recordedAt + ACTIVITY_TOUCH_MS);
});
