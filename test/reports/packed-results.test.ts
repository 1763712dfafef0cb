import { after, before, test } from 'node:test';
import { Types } from 'mongoose';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildFixture } from './fixture';
import { learningGain } from '../../modules/reports/gain';
import { itemAnalysis } from '../../modules/reports/items';
import { packResults, packOlderResults, unpackResults } from '../../modules/quizzes/packed-results';
import { rebuildTestRecords } from '../../modules/quizzes/test-records';

let t: TestApp;
let f: Awaited<ReturnType<typeof buildFixture>>;
before(async () => {
  t = await buildTestApp();
  f = await buildFixture(t.ctx);
});
after(async () => t.close());

test('packing keeps every field of a result, whatever its ids contain', () => {
  const results = [
    { qid: 'q,1\t"x"', objective: 'A\nB', correct: true, chosen: ['a', 'b,c'] },
    { qid: 'q2', objective: '', correct: false, chosen: [] },
    { qid: 'ord', objective: 'C', correct: false, chosen: ['s3', 's1', 's2'] },
  ];
  assert.deepEqual(unpackResults(packResults(results)), results);
  // Sub-documents read from an attempt not packed yet come out the same way.
  assert.deepEqual(unpackResults(results), results);
  assert.deepEqual(unpackResults(undefined), []);
});

test('reports give the same figures from packed results as from the sub-documents', async () => {
  const attempts = t.ctx.db.collection('attempts');
  // Graded before packing existed, in another course: more than one batch for the job to pack.
  const other = new Types.ObjectId();
  await attempts.insertMany(
    Array.from({ length: 1200 }, (_, i) => ({
      quizId: other,
      quizKey: 'post',
      courseId: other,
      userId: new Types.ObjectId(),
      attemptNo: 1,
      status: 'submitted',
      score: i % 2 ? 100 : 0,
      results: [{ qid: 'x1', objective: 'X', correct: i % 2 === 1, chosen: ['a'] }],
    })),
  );
  assert.equal(
    await attempts.countDocuments({ resultsPacked: { $exists: true } }),
    0,
    'fixture starts unpacked',
  );
  const gainBefore = await learningGain(t.ctx, { courseId: f.courseId });
  const itemsBefore = await itemAnalysis(t.ctx, { courseId: f.courseId, quizId: f.quiz.post });

  const packed = await packOlderResults(t.ctx);
  const graded = await attempts.countDocuments({ status: 'submitted', results: { $exists: true } });
  assert.ok(packed > 1200);
  assert.equal(packed, graded, 'every graded attempt packed once');
  assert.equal(await attempts.countDocuments({ resultsPacked: { $exists: true } }), graded);
  const one = await attempts.findOne({ courseId: other, score: 100 });
  assert.deepEqual(unpackResults(one!.resultsPacked), [
    { qid: 'x1', objective: 'X', correct: true, chosen: ['a'] },
  ]);
  // What reports read now is the packed string only: prove it by emptying the sub-documents' copy.
  await attempts.updateMany({ resultsPacked: { $exists: true } }, { $set: { results: [] } });
  // The gain reads test records: rebuilt now, they can only have the packed strings to read.
  await t.ctx.db.collection('testrecords').deleteMany({ courseId: f.courseId });
  assert.ok((await rebuildTestRecords(t.ctx, f.courseId)) > 0);

  assert.deepEqual(await learningGain(t.ctx, { courseId: f.courseId }), gainBefore);
  assert.deepEqual(await itemAnalysis(t.ctx, { courseId: f.courseId, quizId: f.quiz.post }), itemsBefore);
  assert.equal(await packOlderResults(t.ctx), 0, 'nothing left to pack');
});
