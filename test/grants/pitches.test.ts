import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCall, buildUser, signIn, tokenFor } from '../factories';
import { callModel, pitchModel } from '../../modules/grants/model';
import { referencePrefix } from '../../modules/grants/service-pitches';
import { outboxModel } from '../../modules/notifications/model';
import { auditModel } from '../../modules/audit/model';
import { completePitch, journalistWithDraft, trainedJournalist } from './helpers';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const autosave = (
  agent: Awaited<ReturnType<typeof journalistWithDraft>>['agent'],
  token: string,
  id: string,
  body: object,
) =>
  agent
    .post(`/grants/pitches/${id}/autosave`)
    .set('X-CSRF-Token', token)
    .set('Accept', 'application/json')
    .send(body);

test('one draft per call: a second create returns the same pitch', async () => {
  const { call, agent, token, pitchId, user } = await journalistWithDraft(t);
  const again = await agent
    .post(`/grants/${String(call._id)}/pitches`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  assert.ok(again.headers.location!.endsWith(pitchId));
  const parallel = await Promise.all(
    Array.from({ length: 5 }, () =>
      agent
        .post(`/grants/${String(call._id)}/pitches`)
        .type('form')
        .send({ _csrf: token }),
    ),
  );
  assert.ok(parallel.every((r) => r.status === 303 && r.headers.location!.endsWith(pitchId)));
  assert.equal(await pitchModel(t.ctx.db).countDocuments({ applicantId: user._id }), 1);
});

test('the Save button works without JavaScript and the server computes the budget total', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  const page = await agent.get(`/grants/pitches/${pitchId}`).expect(200);
  assert.match(page.text, /<script nonce="[^"]+">/);
  assert.match(page.text, /name="version" value="0"/);
  await agent
    .post(`/grants/pitches/${pitchId}`)
    .type('form')
    .send({ _csrf: token, ...completePitch(0) })
    .expect(303);
  const saved = await pitchModel(t.ctx.db).findById(pitchId).lean();
  assert.equal(saved!.budgetTotal, 1_000_000);
  assert.equal(saved!.title, 'Jobs abroad that are not what they seem');
  assert.equal(saved!.status, 'draft');
});

test("the editor tells the applicant of a blind call that their outlet's letter goes to staff only", async () => {
  const blind = await journalistWithDraft(t);
  const open = await journalistWithDraft(t, { blind: false });
  const said = /your outlet&#39;s letter goes to programme staff only/;
  assert.match((await blind.agent.get(`/grants/pitches/${blind.pitchId}`).expect(200)).text, said);
  assert.doesNotMatch((await open.agent.get(`/grants/pitches/${open.pitchId}`).expect(200)).text, said);
});

test('mass assignment: status, applicantId or budgetTotal in the form are rejected', async () => {
  const { agent, token, pitchId, user } = await journalistWithDraft(t);
  const other = await buildUser(t.ctx);
  for (const extra of [{ status: 'funded' }, { applicantId: String(other._id) }, { budgetTotal: '1' }]) {
    await agent
      .post(`/grants/pitches/${pitchId}`)
      .type('form')
      .send({ _csrf: token, ...completePitch(0), ...extra })
      .expect(400);
    await autosave(agent, token, pitchId, { ...completePitch(0), ...extra }).expect(400);
  }
  await autosave(agent, token, pitchId, JSON.parse('{"version":0,"__proto__":{"status":"funded"}}')).expect(
    400,
  );
  await autosave(
    agent,
    token,
    pitchId,
    JSON.parse('{"version":0,"constructor":{"prototype":{"status":"funded"}}}'),
  ).expect(400);
  const pitch = await pitchModel(t.ctx.db).findById(pitchId).lean();
  assert.equal(pitch!.status, 'draft');
  assert.equal(String(pitch!.applicantId), String(user._id));
  assert.equal(pitch!.title, '');
  // A raw __proto__ form key is dropped by the body parser: saved without it, nothing polluted.
  await agent
    .post(`/grants/pitches/${pitchId}`)
    .type('form')
    .send(`_csrf=${encodeURIComponent(token)}&version=0&__proto__=x&title=Polluted`)
    .expect(303);
  assert.equal(({} as Record<string, unknown>).status, undefined);
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.status, 'draft');
});

test('concurrent autosaves with the same version: one wins, the other gets 409, nothing is lost', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  const [a, b] = await Promise.all([
    autosave(agent, token, pitchId, { ...completePitch(0), title: 'From tab A' }),
    autosave(agent, token, pitchId, { ...completePitch(0), title: 'From tab B' }),
  ]);
  const statuses = [a.status, b.status].sort();
  assert.deepEqual(statuses, [200, 409]);
  const winner = a.status === 200 ? a : b;
  assert.equal(winner.body.version, 1);
  const loser = a.status === 409 ? a : b;
  assert.equal(loser.body.error.code, 'errors.staleEdit');
  const stored = await pitchModel(t.ctx.db).findById(pitchId).lean();
  assert.equal(stored!.title, a.status === 200 ? 'From tab A' : 'From tab B');
  // The loser retries on the new version and its text lands.
  const retry = await autosave(agent, token, pitchId, { ...completePitch(1), title: 'Merged' }).expect(200);
  assert.equal(retry.body.version, 2);
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.title, 'Merged');
});

test('the deadline: close − 1 s is accepted, close + 1 s is refused (server clock, call time zone)', async () => {
  const start = clock.now();
  // Closes 17:00 Ulaanbaatar time, 10 minutes from "now" on the fixed clock.
  const closesAt = new Date(start.getTime() + 10 * 60_000);
  const early = await journalistWithDraft(t, { closesAt, timeZone: 'Asia/Ulaanbaatar' });
  const late = await journalistWithDraft(t, { closesAt, timeZone: 'America/New_York' });
  await autosave(early.agent, early.token, early.pitchId, completePitch(0)).expect(200);
  await autosave(late.agent, late.token, late.pitchId, completePitch(0)).expect(200);
  try {
    clock.set(new Date(closesAt.getTime() - 1000));
    await early.agent
      .post(`/grants/pitches/${early.pitchId}/submit`)
      .type('form')
      .send({ _csrf: early.token })
      .expect(303);
    clock.set(new Date(closesAt.getTime() + 1000));
    const refused = await late.agent
      .post(`/grants/pitches/${late.pitchId}/submit`)
      .type('form')
      .send({ _csrf: late.token })
      .expect(409);
    assert.match(refused.text, /deadline for this call has passed/);
    // After the close nothing changes: edits, uploads and withdrawals are refused.
    await autosave(early.agent, early.token, early.pitchId, completePitch(2)).expect(409);
    await early.agent
      .post(`/grants/pitches/${early.pitchId}/withdraw`)
      .type('form')
      .send({ _csrf: early.token })
      .expect(409);
    await early.agent
      .post(`/grants/pitches/${early.pitchId}`)
      .type('form')
      .send({ _csrf: early.token, ...completePitch(2) })
      .expect(409);
  } finally {
    clock.set(start);
  }
  assert.equal((await pitchModel(t.ctx.db).findById(early.pitchId).lean())!.status, 'submitted');
  assert.equal((await pitchModel(t.ctx.db).findById(late.pitchId).lean())!.status, 'draft');
});

test('20 parallel submits: one submitted pitch, one receipt, one audit event', async () => {
  const { agent, token, pitchId, user } = await journalistWithDraft(t);
  await autosave(agent, token, pitchId, completePitch(0)).expect(200);
  const results = await Promise.all(
    Array.from({ length: 20 }, () =>
      agent.post(`/grants/pitches/${pitchId}/submit`).type('form').send({ _csrf: token }),
    ),
  );
  assert.ok(
    results.every((r) => r.status === 303),
    results.map((r) => r.status).join(','),
  );
  const pitch = await pitchModel(t.ctx.db).findById(pitchId).lean();
  assert.equal(pitch!.status, 'submitted');
  assert.ok(pitch!.submittedAt);
  const mails = await outboxModel(t.ctx.db).find({ to: user.email }).lean();
  assert.equal(mails.length, 1);
  assert.equal(mails[0]!.dedupeKey, `receipt:${pitchId}`);
  assert.equal(mails[0]!.template, 'grants/pitch-receipt');
  assert.match(mails[0]!.subject, /Pitch received/);
  assert.match(mails[0]!.text, new RegExp(pitchId));
  const events = await auditModel(t.ctx.db).find({ targetId: pitchId, action: 'pitch.submitted' }).lean();
  assert.equal(events.length, 1);
  // One short human reference, on the receipt and the pitch page: the call's initials, year, number.
  const prefix = referencePrefix((await callModel(t.ctx.db).findById(pitch!.callId).lean())!);
  assert.match(prefix, /^DU\d{2}$/);
  assert.equal(pitch!.reference, `${prefix}-0001`);
  assert.match(mails[0]!.text, new RegExp(`Reference: ${prefix}-0001`));
  assert.match(mails[0]!.text, /for “Dream Umbrella stories”\./);
  const page = await agent.get(`/grants/pitches/${pitchId}`).expect(200);
  assert.match(page.text, new RegExp(`Reference: <strong>${prefix}-0001</strong>`));
});

test('the receipt comes in Mongolian for a Mongolian-speaking journalist', async () => {
  const call = await buildCall(t.ctx);
  const user = await trainedJournalist(t.ctx);
  await (
    await import('../../modules/accounts/model')
  )
    .userModel(t.ctx.db)
    .updateOne({ _id: user._id }, { locale: 'mn' });
  const agent = await signIn(t.app, user);
  const token = await tokenFor(agent, '/grants');
  const created = await agent
    .post(`/grants/${String(call._id)}/pitches`)
    .type('form')
    .send({ _csrf: token })
    .expect(303);
  const id = created.headers.location!.split('/').pop()!;
  await autosave(agent, token, id, completePitch(0)).expect(200);
  await agent.post(`/grants/pitches/${id}/submit`).type('form').send({ _csrf: token }).expect(303);
  const mail = await outboxModel(t.ctx.db).findOne({ to: user.email }).lean();
  assert.match(mail!.subject, /Санал хүлээн авлаа/);
  // The call title is quoted once, with Mongolian marks.
  assert.ok(mail!.text.includes('«Мөрөөдлийн шүхэр нийтлэл» зарт'), mail!.text);
  assert.doesNotMatch(mail!.text, /««|»»/);
});

test('submitting an incomplete pitch lists what is missing and changes nothing', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  await autosave(agent, token, pitchId, { version: 0, title: 'Only a title' }).expect(200);
  const res = await agent
    .post(`/grants/pitches/${pitchId}/submit`)
    .type('form')
    .send({ _csrf: token })
    .expect(400);
  assert.match(res.text, /id="error-summary"/);
  assert.match(res.text, /href="#f-ethicsPlan"/);
  const over = { ...completePitch(1), budgetItem: ['Everything'], budgetAmount: ['9000000'] };
  await autosave(agent, token, pitchId, over).expect(200);
  const res2 = await agent
    .post(`/grants/pitches/${pitchId}/submit`)
    .type('form')
    .send({ _csrf: token })
    .expect(400);
  assert.match(res2.text, /more than the largest award/);
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.status, 'draft');
});

test('edits after submitting stay submitted (fixed); rolling calls lock at submission; withdraw works', async () => {
  const fixed = await journalistWithDraft(t);
  await autosave(fixed.agent, fixed.token, fixed.pitchId, completePitch(0)).expect(200);
  await fixed.agent
    .post(`/grants/pitches/${fixed.pitchId}/submit`)
    .type('form')
    .send({ _csrf: fixed.token })
    .expect(303);
  const v = (await pitchModel(t.ctx.db).findById(fixed.pitchId).lean())!.__v;
  await autosave(fixed.agent, fixed.token, fixed.pitchId, {
    ...completePitch(v),
    title: 'Sharper title',
  }).expect(200);
  const edited = await pitchModel(t.ctx.db).findById(fixed.pitchId).lean();
  assert.equal(edited!.status, 'submitted');
  assert.equal(edited!.title, 'Sharper title');
  await fixed.agent
    .post(`/grants/pitches/${fixed.pitchId}/withdraw`)
    .type('form')
    .send({ _csrf: fixed.token })
    .expect(303);
  const withdrawn = await pitchModel(t.ctx.db).findById(fixed.pitchId).lean();
  assert.equal(withdrawn!.status, 'withdrawn');
  assert.ok(withdrawn!.withdrawnAt);
  await autosave(fixed.agent, fixed.token, fixed.pitchId, completePitch(withdrawn!.__v)).expect(409);

  const rolling = await journalistWithDraft(t, { deadlineMode: 'rolling' });
  await autosave(rolling.agent, rolling.token, rolling.pitchId, completePitch(0)).expect(200);
  await rolling.agent
    .post(`/grants/pitches/${rolling.pitchId}/submit`)
    .type('form')
    .send({ _csrf: rolling.token })
    .expect(303);
  const rv = (await pitchModel(t.ctx.db).findById(rolling.pitchId).lean())!.__v;
  const locked = await autosave(rolling.agent, rolling.token, rolling.pitchId, completePitch(rv)).expect(409);
  assert.equal(locked.body.error.code, 'grants.errors.notEditable');
});

test("another journalist's pitch is a 404 everywhere", async () => {
  const owner = await journalistWithDraft(t);
  const intruder = await trainedJournalist(t.ctx);
  const agent = await signIn(t.app, intruder);
  const token = await tokenFor(agent, '/grants');
  const id = owner.pitchId;
  await agent.get(`/grants/pitches/${id}`).expect(404);
  await agent
    .post(`/grants/pitches/${id}`)
    .type('form')
    .send({ _csrf: token, ...completePitch(0) })
    .expect(404);
  await autosave(agent, token, id, completePitch(0)).expect(404);
  await agent.post(`/grants/pitches/${id}/submit`).type('form').send({ _csrf: token }).expect(404);
  await agent.post(`/grants/pitches/${id}/withdraw`).type('form').send({ _csrf: token }).expect(404);
  await agent.get('/grants/pitches/zzz').expect(404);
  assert.equal((await pitchModel(t.ctx.db).findById(id).lean())!.title, '');
});

test('script payloads in pitch fields are escaped in the editor, the lists and the receipt', async () => {
  const { agent, token, pitchId, user } = await journalistWithDraft(t);
  const payload = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  await autosave(agent, token, pitchId, { ...completePitch(0), title: payload, angle: payload }).expect(200);
  for (const path of [`/grants/pitches/${pitchId}`, '/grants']) {
    const page = await agent.get(path).expect(200);
    assert.doesNotMatch(page.text, /<script>alert|<img src=x/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)/);
  }
  await agent.post(`/grants/pitches/${pitchId}/submit`).type('form').send({ _csrf: token }).expect(303);
  const mail = await outboxModel(t.ctx.db).findOne({ to: user.email }).lean();
  assert.doesNotMatch(mail!.html, /<script>alert|<img src=x/);
});

test('a stale save, by autosave or the Save button, brings back both versions and loses neither', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  // Tab 2 saves an angle; tab 1, still on version 0, saves a timeline.
  await autosave(agent, token, pitchId, { ...completePitch(0), angle: 'Angle from tab 2' }).expect(200);
  const stale = await autosave(agent, token, pitchId, {
    ...completePitch(0),
    angle: '',
    timeline: 'Timeline from tab 1',
  }).expect(409);
  assert.equal(stale.body.current.version, 1);
  assert.equal(stale.body.current.values.angle, 'Angle from tab 2');
  assert.match(stale.body.error.message, /another tab or device/);
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.angle, 'Angle from tab 2');

  // The Save button (no script): what was typed stays in the form, the saved version beside it.
  const page = await agent
    .post(`/grants/pitches/${pitchId}`)
    .type('form')
    .send({ _csrf: token, ...completePitch(0), angle: '', timeline: 'Timeline from tab 1' })
    .expect(409);
  assert.ok(page.text.includes('Timeline from tab 1'));
  assert.match(page.text, /data-conflict="[^"]*Angle from tab 2/);
  assert.match(
    page.text,
    /<noscript>[\s\S]*Saved by you, in another tab or device[\s\S]*Angle from tab 2[\s\S]*<\/noscript>/,
  );
  assert.doesNotMatch(page.text, /Someone else/);
  assert.equal((await pitchModel(t.ctx.db).findById(pitchId).lean())!.angle, 'Angle from tab 2');
});
