import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch, buildStoredFile } from './factories';
import { assignmentModel } from '../../modules/reviews/model';
import { userModel } from '../../modules/accounts/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

async function adminAgent() {
  const agent = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  return agent;
}

async function freshReviewers(n: number, outlets: string[] = []) {
  // Each test owns the active reviewers: park everyone else's first.
  await userModel(t.ctx.db).updateMany({ role: 'reviewer' }, { $set: { status: 'disabled' } });
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      buildUser(t.ctx, { role: 'reviewer', outlet: outlets[i] ?? `Outlet ${i}` }),
    ),
  );
}

async function runAuto(
  agent: Awaited<ReturnType<typeof adminAgent>>,
  callId: string,
  body: Record<string, string> = {},
) {
  const page = await agent.get(`/admin/calls/${callId}/assignments`).expect(200);
  return agent
    .post(`/admin/calls/${callId}/assignments/auto`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), cap: '', dueAt: '', ...body })
    .expect(303);
}

test('automatic assignment balances load, skips declared and same-outlet conflicts, and is idempotent', async () => {
  const [a, b, c, d] = await freshReviewers(4, ['Zuunii Medee', 'Ikon', 'Eagle News', '  darkhan DAILY ']);
  const call = await buildCall(t.ctx, { reviewersPerPitch: 2 }, { closed: true });
  const pitches = await Promise.all(
    [1, 2, 3].map(async () => buildPitch(t.ctx, call, await buildUser(t.ctx), { outlet: 'Darkhan Daily' })),
  );
  // Reviewer A declared a conflict on pitch 1 earlier.
  await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitches[0]!._id,
    reviewerId: a!._id,
    status: 'conflict_declared',
  });
  const agent = await adminAgent();
  const res = await runAuto(agent, String(call._id));
  assert.match(res.headers.location!, /created=6&unfilled=0/);

  const rows = await assignmentModel(t.ctx.db).find({ callId: call._id }).lean();
  const active = rows.filter((r) => r.status !== 'conflict_declared');
  assert.equal(active.length, 6);
  assert.ok(!active.some((r) => r.reviewerId.equals(d!._id)), 'same outlet never assigned');
  assert.ok(
    !active.some((r) => r.reviewerId.equals(a!._id) && r.pitchId.equals(pitches[0]!._id)),
    'conflict respected',
  );
  for (const p of pitches) assert.equal(active.filter((r) => r.pitchId.equals(p._id)).length, 2);
  const loads = [a, b, c].map((r) => active.filter((x) => x.reviewerId.equals(r!._id)).length);
  assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `balanced: ${loads}`);
  const statuses = await t.ctx.db.collection('pitches').find({ callId: call._id }).toArray();
  assert.ok(statuses.every((p) => p.status === 'under_review'));

  const again = await runAuto(agent, String(call._id));
  assert.match(again.headers.location!, /created=0&unfilled=0/);
  assert.equal(await assignmentModel(t.ctx.db).countDocuments({ callId: call._id }), 7);
});

test('a per-reviewer cap limits assignments and leaves pitches unfilled', async () => {
  const reviewers = await freshReviewers(3);
  const call = await buildCall(t.ctx, { reviewersPerPitch: 2 }, { closed: true });
  for (let i = 0; i < 3; i++) await buildPitch(t.ctx, call, await buildUser(t.ctx));
  const agent = await adminAgent();
  const res = await runAuto(agent, String(call._id), { cap: '1' });
  assert.match(res.headers.location!, /created=3&unfilled=/);
  for (const r of reviewers)
    assert.equal(await assignmentModel(t.ctx.db).countDocuments({ callId: call._id, reviewerId: r._id }), 1);
});

test('manual assignment refuses same-outlet reviewers; unassign removes an open assignment', async () => {
  const [r1, r2] = await freshReviewers(2, ['Darkhan Daily', 'Other']);
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), { outlet: 'darkhan daily' });
  const agent = await adminAgent();
  const token = csrfFrom((await agent.get(`/admin/calls/${call._id}/assignments`).expect(200)).text);
  const assign = (reviewerId: unknown) =>
    agent
      .post(`/admin/calls/${call._id}/assignments`)
      .type('form')
      .send({
        _csrf: token,
        pitchId: String(pitch._id),
        reviewerId: String(reviewerId),
        dueAt: '2026-03-01',
      });
  await assign(r1!._id).expect(409);
  await assign(r2!._id).expect(303);
  await assign(r2!._id).expect(409);
  await agent
    .post(`/admin/calls/${call._id}/assignments`)
    .type('form')
    .send({ _csrf: token, pitchId: { $ne: '' }, reviewerId: String(r2!._id) })
    .expect(400);
  const a = await assignmentModel(t.ctx.db).findOne({ pitchId: pitch._id }).lean();
  // The end of 1 March in the call's zone (Ulaanbaatar, UTC+8), not in UTC.
  assert.equal(a!.dueAt!.toISOString(), '2026-03-01T15:59:00.000Z');
  await agent
    .post(`/admin/calls/${call._id}/assignments/${a!._id}/delete`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  assert.equal(await assignmentModel(t.ctx.db).countDocuments({ pitchId: pitch._id }), 0);
  // Reviewers cannot reach the admin pages.
  const rev = await signIn(t.app, r2!);
  await rev.get(`/admin/calls/${call._id}/assignments`).expect(403);
});

test('no one is assigned their own pitch, and an assignment that slipped in reads nothing', async () => {
  // A journalist with no outlet (so no outlet rule catches it) who is later made a reviewer.
  const [author] = await freshReviewers(1, ['']);
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, author!, { status: 'under_review', outlet: '' });
  // A file to download, so the 404 below is the rule's, not an empty list's.
  await buildStoredFile(t.ctx, pitch, Buffer.from('%PDF-1.4\n%%EOF\n'), {
    ext: 'pdf',
    mime: 'application/pdf',
    originalName: 'sample.pdf',
    kind: 'sample',
  });
  const agent = await adminAgent();
  const page = await agent.get(`/admin/calls/${call._id}/assignments`).expect(200);
  const refused = await agent
    .post(`/admin/calls/${call._id}/assignments`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), pitchId: String(pitch._id), reviewerId: String(author!._id) })
    .expect(409);
  assert.match(refused.text, /This reviewer wrote the pitch/);
  assert.equal(await assignmentModel(t.ctx.db).countDocuments({ pitchId: pitch._id }), 0);

  // One written straight to the database (an older version, a script) still opens nothing.
  const stray = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: author!._id,
    status: 'accepted',
  });
  const self = await signIn(t.app, author!);
  await self.get(`/reviews/${stray._id}`).expect(404);
  await self.get(`/reviews/files/${stray._id}/1`).expect(404);
});

test('a due date picked as 14 Dec means the end of 14 Dec in the call’s zone, shown the same to everyone', async () => {
  const call = await buildCall(
    t.ctx,
    { timeZone: 'Asia/Ulaanbaatar', reviewersPerPitch: 1 },
    { closed: true },
  );
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review', outlet: '' });
  const admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  // A reviewer whose own zone is far from the call's.
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', timeZone: 'America/New_York', outlet: '' });
  const token = csrfFrom((await admin.get(`/admin/calls/${call._id}/assignments`).expect(200)).text);
  await admin
    .post(`/admin/calls/${call._id}/assignments`)
    .type('form')
    .send({ _csrf: token, pitchId: String(pitch._id), reviewerId: String(reviewer._id), dueAt: '2026-12-14' })
    .expect(303);
  const a = await assignmentModel(t.ctx.db).findOne({ pitchId: pitch._id, reviewerId: reviewer._id }).lean();
  // 23:59 in Ulaanbaatar (UTC+8) is 15:59 UTC.
  assert.equal(a!.dueAt!.toISOString(), '2026-12-14T15:59:00.000Z');
  const shown = '14 Dec 2026, 23:59 (Asia/Ulaanbaatar)';
  const agent = await signIn(t.app, reviewer);
  assert.ok((await agent.get('/reviews').expect(200)).text.includes(shown), 'reviewer list');
  assert.ok(
    (await admin.get(`/admin/calls/${call._id}/assignments`).expect(200)).text.includes(shown),
    'admin page',
  );
  const declare = await agent.get(`/reviews/${a!._id}`).expect(200);
  await agent
    .post(`/reviews/${a!._id}/declare`)
    .type('form')
    .send({ _csrf: csrfFrom(declare.text), answer: 'none' })
    .expect(303);
  assert.ok((await agent.get(`/reviews/${a!._id}`).expect(200)).text.includes(shown), 'review page');
});
