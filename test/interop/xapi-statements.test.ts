/**
 * What an LRS report needs from our statements (issue 16): answers as cmi.interaction activities
 * with their interaction type, choices in both languages and the correct-response pattern; quizzes
 * named in both languages; a pre-test "completed", never "passed"; a 409 from the LRS never counted
 * as sent.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser } from '../factories';
import { importCourses } from '../../modules/learning';
import { quizSummariesForCourse } from '../../modules/quizzes';
import { questionModel } from '../../modules/quizzes/model';
import { startAttempt, submitAttempt } from '../../modules/quizzes/service';
import { queueStatements, xapiJob, xapiStatementModel } from '../../modules/interop/xapi';
import { xapiSettingsModel } from '../../modules/interop/xapi/model';
import { interactionDefinition, interactionResponse } from '../../modules/interop/xapi/interactions';

type Json = Record<string, unknown>;
interface Statement {
  id: string;
  verb: { id: string };
  object: { id: string; definition: Json };
  result?: { success?: boolean; response?: string; completion?: boolean };
}

let t: TestApp;
let lrs: Server;
const received: Statement[] = [];
/** Statement ids the LRS already holds with other content: it answers 409 for them. */
const conflicting = new Set<string>();
let courseId: string;

before(async () => {
  const app = express();
  app.use(express.json());
  app.post('/xapi/statements', (req, res) => {
    const s = req.body as Statement;
    if (conflicting.has(s.id)) return void res.status(409).end();
    received.push(s);
    res.status(200).json([s.id]);
  });
  lrs = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  t = await buildTestApp();
  const [imported] = await importCourses(t.ctx);
  courseId = String(imported!.courseId);
  await xapiSettingsModel(t.ctx.db).create({
    key: 'settings',
    enabled: true,
    endpoint: `http://127.0.0.1:${(lrs.address() as AddressInfo).port}/xapi`,
    username: 'lrs',
    password: 'secret',
    actorSecret: 'b'.repeat(64),
    enabledAt: new Date(Date.now() - 3_600_000),
  });
});
after(async () => {
  lrs.closeAllConnections();
  await new Promise<void>((resolve) => lrs.close(() => resolve()));
  await t.close();
});

test('question types map to xAPI interaction types with the key as the correct-response pattern', () => {
  const text = (s: string) => ({ en: s, mn: `${s} (mn)` });
  const opt = (id: string, correct = false) => ({ id, text: text(id), correct });
  const tf = interactionDefinition({
    qid: 'q1',
    type: 'true-false',
    stem: text('Stem'),
    options: [opt('true'), opt('false', true)],
  });
  assert.equal(tf.interactionType, 'true-false');
  assert.deepEqual(tf.correctResponsesPattern, ['false']);
  assert.deepEqual(tf.name, { en: 'Stem', mn: 'Stem (mn)' });
  const multi = interactionDefinition({
    qid: 'q2',
    type: 'multiple',
    stem: text('Pick'),
    options: [opt('a', true), opt('b'), opt('c', true)],
  });
  assert.equal(multi.interactionType, 'choice');
  assert.deepEqual(multi.correctResponsesPattern, ['a[,]c']);
  assert.deepEqual((multi as { choices: Json[] }).choices[1], {
    id: 'b',
    description: { en: 'b', mn: 'b (mn)' },
  });
  const order = interactionDefinition({
    qid: 'q3',
    type: 'ordering',
    stem: text('Order'),
    options: [opt('first'), opt('second'), opt('third')],
  });
  assert.equal(order.interactionType, 'sequencing');
  assert.deepEqual(order.correctResponsesPattern, ['first[,]second[,]third']);
  const kase = interactionDefinition({
    qid: 'q4',
    type: 'case',
    stem: text('Case'),
    options: [opt('trafficking', true), opt('smuggling')],
    elements: [opt('deception', true), opt('border')],
  });
  assert.deepEqual(kase.correctResponsesPattern, ['decision:trafficking[,]element:deception']);
  assert.equal(
    interactionResponse({ type: 'case' }, ['smuggling', 'border']),
    'decision:smuggling[,]element:border',
  );
  assert.equal(interactionResponse({ type: 'ordering' }, ['b', 'a']), 'b[,]a');
});

test('statements: answers carry their interaction, quizzes their names, the pre-test is completed', async () => {
  const user = await buildUser(t.ctx);
  const quizzes = await quizSummariesForCourse(t.ctx, courseId);
  const pre = quizzes.find((q) => q.key === 'pre')!;
  const attempt = await startAttempt(t.ctx, String(user._id), pre.quizId);
  const bank = await questionModel(t.ctx.db).find({ courseId: attempt.courseId }).lean();
  // Answer the first question with its key, the rest not at all.
  const firstQ = bank.find((q) => q.qid === attempt.items[0]!.qid)!;
  const key =
    firstQ.type === 'ordering'
      ? firstQ.options.map((o) => o.id)
      : firstQ.type === 'case'
        ? [firstQ.options.find((o) => o.correct)!.id, firstQ.elements!.find((o) => o.correct)!.id]
        : firstQ.options.filter((o) => o.correct).map((o) => o.id);
  await submitAttempt(t.ctx, attempt, { [firstQ.qid]: key });
  await xapiJob.run(t.ctx);

  const graded = received.find((s) => s.object.id.endsWith('/quiz/tip-reporting/pre'))!;
  assert.ok(graded, 'the pre-test attempt was sent');
  assert.ok(graded.verb.id.endsWith('/completed'), `pre-test verb ${graded.verb.id}`);
  assert.equal(graded.result?.success, undefined, 'a pre-test is neither passed nor failed');
  const quizName = graded.object.definition.name as { en: string; mn: string };
  assert.ok(quizName.en && quizName.mn && quizName.en !== quizName.mn, 'quiz named in both languages');

  const answers = received.filter((s) => s.verb.id.endsWith('/answered'));
  assert.equal(answers.length, attempt.items.length);
  for (const a of answers) {
    const d = a.object.definition as {
      type: string;
      interactionType: string;
      correctResponsesPattern: string[];
      name: Json;
    };
    assert.equal(d.type, 'http://adlnet.gov/expapi/activities/cmi.interaction');
    assert.ok(['choice', 'true-false', 'sequencing'].includes(d.interactionType), d.interactionType);
    assert.equal(d.correctResponsesPattern.length, 1);
    assert.ok((d.name as { en: string; mn: string }).mn, 'question named in Mongolian too');
  }
  const first = answers.find((a) => a.object.id.endsWith(`/${firstQ.qid}`))!;
  const pattern = (first.object.definition.correctResponsesPattern as string[])[0];
  assert.equal(first.result?.response, pattern, 'the key answered matches the pattern');
  assert.equal(first.result?.success, true);
});

test('an LRS 409 (another statement under our id) is not counted as sent, and not retried', async () => {
  const user = await buildUser(t.ctx);
  const lesson = (await quizSummariesForCourse(t.ctx, courseId)).find((q) => q.key.startsWith('lesson:'))!;
  const attempt = await startAttempt(t.ctx, String(user._id), lesson.quizId);
  await submitAttempt(t.ctx, attempt, {});
  const before = received.length;
  await xapiJob.run(t.ctx);
  const sentNow = received.slice(before);
  assert.ok(sentNow.length > 0);
  const stmt = await xapiStatementModel(t.ctx.db)
    .findOne({ sourceKey: `attempt:${String(attempt._id)}` })
    .lean();
  assert.equal(stmt?.status, 'sent');

  const other = await startAttempt(t.ctx, String((await buildUser(t.ctx))._id), lesson.quizId);
  await submitAttempt(t.ctx, other, {});
  // The LRS will answer 409 for every statement of this attempt.
  await queueStatements(t.ctx);
  const queued = await xapiStatementModel(t.ctx.db)
    .find({ sourceKey: new RegExp(`^(attempt|answer):${String(other._id)}`) })
    .lean();
  for (const q of queued) conflicting.add(q.statementId);
  await xapiJob.run(t.ctx);
  const after = await xapiStatementModel(t.ctx.db)
    .findOne({ sourceKey: `attempt:${String(other._id)}` })
    .lean();
  assert.equal(after?.status, 'dead');
  assert.match(after?.lastError ?? '', /409/);
  assert.ok(!received.some((s) => conflicting.has(s.id)));
});
