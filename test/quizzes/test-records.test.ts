import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { importCourses } from '../../modules/learning';
import { courseModel } from '../../modules/learning/model';
import { attemptModel, type Quiz } from '../../modules/quizzes/model';
import { unpackResults } from '../../modules/quizzes/packed-results';
import {
  buildMissingTestRecords,
  collided,
  retryCollided,
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
import { completionRows } from '../../modules/reports/completion';

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

/**
 * A trainee who passed the pre-test, whose record was then left stale, as if the process died after
 * grading: it still says "started, not submitted". Returns the record as it should be.
 */
async function traineeWithStaleRecord() {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = await recordOf(user._id);
  await testRecordModel(t.ctx.db).updateOne(
    { userId: user._id, courseId },
    { $set: { events: 1, pre: { attempts: 1, submitted: 0 } } },
  );
  return { user, current };
}

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
  const { user, current } = await traineeWithStaleRecord();
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

test('eight recomputations of a missing record at once store one record, the right one', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = await recordOf(user._id);
  await testRecordModel(t.ctx.db).deleteMany({ userId: user._id });
  await Promise.all(Array.from({ length: 8 }, () => refreshTestRecord(t.ctx, user._id, courseId)));
  const stored = await testRecordModel(t.ctx.db).find({ userId: user._id, courseId }, { _id: 0 }).lean();
  assert.deepEqual(stored, [current]);
});

test('twins written before the unique index existed are cut to the newest, then the index is made', async () => {
  const fresh = await buildTestApp();
  try {
    const userId = new Types.ObjectId();
    const freshCourse = new Types.ObjectId();
    await attemptModel(fresh.ctx.db).collection.insertOne({
      quizId: new Types.ObjectId(),
      quizKey: 'pre',
      courseId: freshCourse,
      userId,
      attemptNo: 1,
      status: 'started',
      startedAt: new Date(),
      updatedAt: new Date(),
    });
    // A database from before the index: no index yet, and two records of one trainee.
    const raw = fresh.ctx.db.collection('testrecords');
    await raw.insertMany([
      { userId, courseId: freshCourse, events: 0, pre: null, post: null },
      { userId, courseId: freshCourse, events: 0, pre: null, post: null },
    ]);
    await refreshTestRecord(fresh.ctx, userId, freshCourse);
    const indexes = await raw.indexes();
    assert.ok(indexes.some((i) => i.unique && i.key.userId === 1 && i.key.courseId === 1));
    const stored = await raw.find({ userId }).toArray();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.events, 1, 'and then written: one attempt started');
    await assert.rejects(raw.insertOne({ userId, courseId: freshCourse, events: 5 }), { code: 11000 });
  } finally {
    await fresh.close();
  }
});

test('a colliding upsert is retried as a conditional update: the record with more events wins', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = (await recordOf(user._id))!;
  // As if this computation lost an insert race to one that saw fewer events.
  await testRecordModel(t.ctx.db).updateOne({ userId: user._id, courseId }, { $set: { events: 1 } });
  await retryCollided(t.ctx, [{ ...current, userId: user._id, courseId }]);
  assert.deepEqual(await recordOf(user._id), current, 'the newer computation is written');
  // … and one that lost to a computation that saw more is dropped.
  await retryCollided(t.ctx, [{ userId: user._id, courseId, events: 1 }]);
  assert.deepEqual(await recordOf(user._id), current);
});

test('only duplicate-key errors count as a collision; any other write error, or a write concern error, is thrown', () => {
  const records = [0, 1, 2].map((events) => ({ userId: new Types.ObjectId(), courseId, events }));
  const dup = (index: number) => ({ code: 11000, index });
  assert.deepEqual(collided({ writeErrors: [dup(0), dup(2)] }, records), [records[0], records[2]]);
  const other = { writeErrors: [dup(0), { code: 121, index: 1 }] };
  assert.throws(
    () => collided(other, records),
    (e) => e === other,
  );
  const unsure = { writeErrors: [dup(1)], result: { getWriteConcernError: () => ({ code: 64 }) } };
  assert.throws(
    () => collided(unsure, records),
    (e) => e === unsure,
  );
  const plain = new Error('connection closed');
  assert.throws(
    () => collided(plain, records),
    (e) => e === plain,
  );
});

test('the sweep looks back from the last one that finished, however long ago, and moves its mark', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  const current = await recordOf(user._id);
  const now = t.ctx.clock.now().getTime();
  const daysAgo = (d: number) => new Date(now - d * 86_400_000);
  // The app was down for days: the attempt changed 2 days ago, the last sweep finished 3 days ago.
  await attemptModel(t.ctx.db).collection.updateMany(
    { userId: user._id },
    { $set: { updatedAt: daysAgo(2) } },
  );
  const marks = t.ctx.db.collection<{ _id: string; through?: Date }>('testrecordbuilds');
  await marks.updateOne({ _id: 'swept' }, { $set: { through: daysAgo(3) } }, { upsert: true });
  await testRecordModel(t.ctx.db).updateOne(
    { userId: user._id, courseId },
    { $set: { events: 1, pre: { attempts: 1, submitted: 0 } } },
  );
  assert.ok((await refreshRecentTestRecords(t.ctx)) >= 1);
  assert.deepEqual(await recordOf(user._id), current, 'mended though older than two hours');
  const mark = await marks.findOne({ _id: 'swept' });
  assert.ok(mark?.through && mark.through.getTime() >= now, 'the mark moved to this sweep');
});

test('a report asked before a course’s records were ever built builds them first', async () => {
  const { user, agent, csrf } = await trainee();
  await submit(agent, csrf, await start(agent, csrf, pre), 'right');
  // An upgrade: attempts but no records and no build mark, and the start-up job has not run yet.
  await testRecordModel(t.ctx.db).deleteMany({ courseId });
  await t.ctx.db.collection('testrecordbuilds').deleteMany({ _id: courseId });
  const rows = [];
  for await (const row of completionRows(t.ctx, { courseId })) rows.push(row);
  const mine = rows.find((r) => String(r.userId) === String(user._id));
  assert.equal(mine?.pre.status, 'submitted');
  assert.equal(mine?.pre.score, 100);
});

/** A graded test attempt whose stored results cannot be read (a row left broken by some old fault). */
const brokenAttempt = (userId: Types.ObjectId, course: Types.ObjectId, updatedAt: Date) => ({
  quizId: new Types.ObjectId(),
  quizKey: 'pre',
  courseId: course,
  userId,
  attemptNo: 1,
  status: 'submitted',
  score: 50,
  submittedAt: updatedAt,
  startedAt: updatedAt,
  updatedAt,
  results: [null],
});

test('a record that cannot be computed does not fail the trainee: their attempt starts', async () => {
  const { user, agent, csrf } = await trainee();
  await attemptModel(t.ctx.db).collection.insertOne(brokenAttempt(user._id, courseId, new Date()));
  await assert.rejects(refreshTestRecord(t.ctx, user._id, courseId), TypeError, 'the record cannot be made');
  const id = await start(agent, csrf, post);
  assert.equal((await attemptModel(t.ctx.db).findById(id).lean())?.status, 'started');
  await attemptModel(t.ctx.db).collection.deleteMany({ userId: user._id, results: [null] });
});

test('a sweep with a trainee whose record fails mends the others and holds its mark at that trainee', async () => {
  const { user, current } = await traineeWithStaleRecord();
  const now = t.ctx.clock.now().getTime();
  const brokenAt = new Date(now - 30 * 60_000);
  await attemptModel(t.ctx.db).collection.insertOne(brokenAttempt(new Types.ObjectId(), courseId, brokenAt));
  const marks = t.ctx.db.collection<{ _id: string; through?: Date }>('testrecordbuilds');
  await marks.updateOne(
    { _id: 'swept' },
    { $set: { through: new Date(now - 60 * 60_000) } },
    { upsert: true },
  );

  await assert.rejects(refreshRecentTestRecords(t.ctx), /not recomputed/);
  assert.deepEqual(await recordOf(user._id), current, 'the others are mended');
  const held = (await marks.findOne({ _id: 'swept' }))?.through;
  assert.deepEqual(held, brokenAt, 'the mark waits at the failed change: the next sweep looks back to it');
  await attemptModel(t.ctx.db).collection.deleteMany({ results: [null] });
});

test('the start-up build goes on past a course that fails and builds the others', async () => {
  const fresh = await buildTestApp();
  try {
    const good = new Types.ObjectId();
    const bad = new Types.ObjectId();
    const attempts = attemptModel(fresh.ctx.db).collection;
    await attempts.insertOne({ ...brokenAttempt(new Types.ObjectId(), good, new Date()), results: [] });
    await attempts.insertOne(brokenAttempt(new Types.ObjectId(), bad, new Date()));
    await assert.rejects(buildMissingTestRecords(fresh.ctx), /1 course\(s\) not built/);
    const built = fresh.ctx.db.collection('testrecordbuilds');
    assert.ok(await built.findOne({ _id: good }), 'the good course is built');
    assert.equal(await built.findOne({ _id: bad }), null, 'the failing one is left for the next run');
    assert.equal(await testRecordModel(fresh.ctx.db).countDocuments({ courseId: good }), 1);
  } finally {
    await fresh.close();
  }
});
