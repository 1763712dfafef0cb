import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { importCourses } from '../../modules/learning';
import { courseModel } from '../../modules/learning/model';
import type { Quiz } from '../../modules/quizzes/model';
import { unpackResults } from '../../modules/quizzes/packed-results';
import {
  buildMissingTestRecords,
  rebuildTestRecords,
  refreshRecentTestRecords,
  refreshTestRecord,
  testRecordModel,
} from '../../modules/quizzes/test-records';
import {
  COURSE_DIR,
  encode,
  formFor,
  models,
  quizByKey,
  signedInTrainee,
  type TraineeAgent,
} from './support';
import { rebuildTestRecordsCommand } from '../../modules/quizzes/cli';

/**
 * A trainee's test record follows their attempts through the app (start, submit, retake, double
 * submits), always equals what a rebuild from the attempts gives, and is never replaced by an older
 * computation.
 */
let t: TestApp;
let courseId: Types.ObjectId;
let pre: Quiz;
let post: Quiz;
before(async () => {
  t = await buildTestApp();
  const [imported] = await importCourses(t.ctx, COURSE_DIR);
  courseId = imported!.courseId as unknown as Types.ObjectId;
  await courseModel(t.ctx.db).updateOne(
    { _id: courseId },
    { $set: { sequence: { preTest: 'before-lessons', postTest: 'anytime' } } },
  );
  pre = await quizByKey(t.ctx, courseId, 'pre');
  post = await quizByKey(t.ctx, courseId, 'post');
});
after(() => t.close());

const trainee = () => signedInTrainee(t);
type Agent = TraineeAgent;

async function start(agent: Agent, csrf: string, quiz: Quiz): Promise<string> {
  const started = await agent
    .post(`/quizzes/${String(quiz._id)}/attempts`)
    .type('form')
    .send(encode({}, csrf))
    .expect(303);
  return started.headers.location!.split('/').pop()!;
}

async function submit(
  agent: Agent,
  csrf: string,
  id: string,
  mode: 'right' | 'wrong',
  times = 1,
  survey: Record<string, string> = {},
) {
  const form = { ...(await formFor(t.ctx, id, mode)), ...survey };
  await Promise.all(
    Array.from({ length: times }, () =>
      agent.post(`/quizzes/attempts/${id}/submit`).type('form').send(encode(form, csrf)).expect(303),
    ),
  );
}

const recordOf = (userId: Types.ObjectId) =>
  testRecordModel(t.ctx.db).findOne({ userId, courseId }, { _id: 0 }).lean();

test('the record follows start, submit and retake; the first submission measures', async () => {
  const { user, agent, csrf } = await trainee();
  assert.equal(await recordOf(user._id), null, 'no record before any test');

  const first = await start(agent, csrf, pre);
  let record = await recordOf(user._id);
  assert.deepEqual(record?.pre, { attempts: 1, submitted: 0 }, 'a started pre-test');
  assert.equal(record?.post ?? null, null);

  // Five racing submits grade once; the first pre-test carries the attitude and practice survey.
  await submit(agent, csrf, first, 'wrong', 5, { 's.at-blame': '5', 's.pr-consent': 'explain' });
  const graded = (await models(t.ctx).Attempts.findById(first).select('+resultsPacked').lean())!;
  record = await recordOf(user._id);
  assert.equal(record?.pre?.submitted, 1);
  assert.equal(record?.pre?.first?.attemptNo, 1);
  assert.equal(record?.pre?.first?.score, graded.score);
  assert.equal(record?.pre?.first?.form, graded.form);
  assert.deepEqual(record?.pre?.first?.at, graded.submittedAt);
  assert.deepEqual(unpackResults(record?.pre?.first?.resultsPacked), graded.results);
  assert.deepEqual(record?.pre?.first?.survey, [
    { sid: 'at-blame', keyed: 1, high: true },
    { sid: 'pr-consent', keyed: 3, high: true },
  ]);

  const p1 = await start(agent, csrf, post);
  await submit(agent, csrf, p1, 'wrong');
  const p2 = await start(agent, csrf, post);
  await submit(agent, csrf, p2, 'right');
  const firstPost = (await models(t.ctx).Attempts.findById(p1).lean())!;
  record = await recordOf(user._id);
  assert.equal(record?.post?.attempts, 2);
  assert.equal(record?.post?.submitted, 2);
  assert.equal(record?.post?.first?.attemptNo, 1, 'the retake does not replace the first');
  assert.equal(record?.post?.first?.score, firstPost.score);
  assert.equal(record?.post?.best, 100, 'the best is the retake');
  assert.equal(record?.post?.passed, true);
  assert.equal(record?.events, 1 + 1 + 2 + 2);

  // A rebuild from the attempts gives the same record.
  const kept = await recordOf(user._id);
  await testRecordModel(t.ctx.db).deleteMany({ courseId });
  assert.ok((await rebuildTestRecords(t.ctx, courseId)) >= 1);
  assert.deepEqual(await recordOf(user._id), kept);
});

test('an older computation never replaces a newer record; a missing or stale one is mended', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = await recordOf(user._id);
  assert.equal(current?.events, 2);

  // A record stored by a computation that saw more (here: claimed by a later event) is kept.
  await testRecordModel(t.ctx.db).updateOne({ userId: user._id, courseId }, { $set: { events: 9 } });
  await refreshTestRecord(t.ctx, user._id, courseId);
  assert.equal((await recordOf(user._id))?.events, 9, 'not replaced by fewer events');

  // A stale one (a crash between grading and recording) is brought up to date by the next event.
  await testRecordModel(t.ctx.db).updateOne(
    { userId: user._id, courseId },
    { $set: { events: 1, pre: { attempts: 1, submitted: 0 } } },
  );
  await refreshTestRecord(t.ctx, user._id, courseId);
  assert.deepEqual(await recordOf(user._id), current);
});

test('the start-up job builds a course’s records once, even when a trainee recorded themselves first', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const all = () => testRecordModel(t.ctx.db).find({ courseId }, { _id: 0 }).sort({ userId: 1 }).lean();
  const before = await all();
  assert.ok(before.length >= 3 && before.some((r) => String(r.userId) === String(user._id)));

  // An upgrade: no records yet, and one trainee's submission records itself before the job runs.
  await testRecordModel(t.ctx.db).collection.deleteMany({ courseId, userId: { $ne: user._id } });
  assert.equal(await buildMissingTestRecords(t.ctx), before.length, 'every trainee of the course');
  assert.deepEqual(await all(), before);
  assert.equal(await buildMissingTestRecords(t.ctx), 0, 'built once: the hooks keep it from here');
});

test('the hourly job mends a record left behind when a process stopped between grading and recording', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = await recordOf(user._id);
  // As if the process died after grading: the record still says "started, not submitted".
  await testRecordModel(t.ctx.db).updateOne(
    { userId: user._id, courseId },
    { $set: { events: 1, pre: { attempts: 1, submitted: 0 } } },
  );
  assert.ok((await refreshRecentTestRecords(t.ctx)) >= 1);
  assert.deepEqual(await recordOf(user._id), current);
});

test('CLI: rebuild-test-records repairs a course’s records; a missing or unknown slug is refused', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = await recordOf(user._id);
  await testRecordModel(t.ctx.db).deleteMany({ courseId });
  await rebuildTestRecordsCommand(t.ctx, ['tip-reporting']);
  assert.deepEqual(await recordOf(user._id), current);
  await assert.rejects(rebuildTestRecordsCommand(t.ctx, []), /Usage: rebuild-test-records/);
  await assert.rejects(rebuildTestRecordsCommand(t.ctx, ['no-such-course']), /No course "no-such-course"/);
});
