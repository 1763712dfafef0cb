import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCall, buildUser, signIn, tokenFor } from '../factories';
import { callModel } from '../../modules/grants/model';
import { seedDemoCall } from '../../modules/grants/seed';
import { auditModel } from '../../modules/audit/model';
import { trainedJournalist } from './helpers';

let t: TestApp;
const clock = fixedClock(new Date());
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

function callFormBody(token: string, extra: Record<string, unknown> = {}) {
  return {
    _csrf: token,
    titleEn: 'Safe migration stories',
    titleMn: 'Аюулгүй шилжилтийн нийтлэл',
    descriptionEn: 'Pitch us.',
    descriptionMn: 'Санал ирүүлнэ үү.',
    themeId: ['labour', ''],
    themeLabelEn: ['Labour', ''],
    themeLabelMn: ['Хөдөлмөр', ''],
    opensAt: '2030-03-01T09:00',
    closesAt: '2030-03-31T17:00',
    timeZone: 'Asia/Ulaanbaatar',
    budgetPool: '30 000 000',
    maxAward: '5,000,000',
    courseSlug: 'tip-reporting',
    rubricId: ['comprehension', 'ethics-victim-safety'],
    rubricLabelEn: ['Comprehension', 'Ethics'],
    rubricLabelMn: ['Ойлгомж', 'Ёс зүй'],
    rubricGuidanceEn: ['', ''],
    rubricGuidanceMn: ['', ''],
    rubricScaleMax: ['5', '5'],
    rubricWeight: ['1', '2'],
    reviewersPerPitch: '2',
    blind: 'on',
    deadlineMode: 'fixed',
    ...extra,
  };
}

test('an admin creates a call with the default rubric prefilled, edits and opens it; everything audited', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const form = await agent.get('/admin/calls/new').expect(200);
  for (const id of [
    'comprehension',
    'appeal',
    'acceptability',
    'relevance',
    'persuasion',
    'ethics-victim-safety',
    'feasibility',
  ])
    assert.match(form.text, new RegExp(`value="${id}"`));
  const token = await tokenFor(agent, '/admin/calls/new');
  const created = await agent.post('/admin/calls').type('form').send(callFormBody(token)).expect(303);
  const id = /\/admin\/calls\/([a-f0-9]{24})/.exec(created.headers.location!)![1]!;
  const call = await callModel(t.ctx.db).findById(id).lean();
  assert.equal(call!.status, 'draft');
  assert.equal(call!.closesAt.toISOString(), '2030-03-31T09:00:00.000Z');
  assert.equal(call!.budgetPool, 30_000_000);
  assert.equal(call!.maxAward, 5_000_000);
  assert.equal(call!.awardedTotal, 0);
  assert.equal(call!.rubric[1]!.weight, 2);
  assert.deepEqual(
    call!.themes.map((x) => x.id),
    ['labour'],
  );

  const page = await agent.get(`/admin/calls/${id}`).expect(200);
  assert.match(page.text, /value="2030-03-31T17:00"/);
  await agent
    .post(`/admin/calls/${id}`)
    .type('form')
    .send(callFormBody(token, { closesAt: '2030-04-01T17:00', version: String(call!.__v) }))
    .expect(303);
  // A stale form (old version) is a conflict, not a silent overwrite.
  await agent
    .post(`/admin/calls/${id}`)
    .type('form')
    .send(callFormBody(token, { titleEn: 'Stale', version: String(call!.__v) }))
    .expect(409);
  await agent.post(`/admin/calls/${id}/open`).type('form').send({ _csrf: token }).expect(303);
  await agent.post(`/admin/calls/${id}/open`).type('form').send({ _csrf: token }).expect(409);
  const opened = await callModel(t.ctx.db).findById(id).lean();
  assert.equal(opened!.status, 'open');
  assert.equal(opened!.title.en, 'Safe migration stories');
  const actions = (await auditModel(t.ctx.db).find({ targetId: id }).lean()).map((a) => a.action).sort();
  assert.deepEqual(actions, ['call.created', 'call.opened', 'call.updated']);
});

test('invalid call forms are refused with field errors and nothing stored', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const token = await tokenFor(agent, '/admin/calls/new');
  const before = await callModel(t.ctx.db).countDocuments();
  const res = await agent
    .post('/admin/calls')
    .type('form')
    .send(
      callFormBody(token, { closesAt: '2030-02-01T17:00', timeZone: 'Mars/Base', maxAward: '99999999999' }),
    )
    .expect(400);
  assert.match(res.text, /Choose a valid time zone/);
  await agent
    .post('/admin/calls')
    .type('form')
    .send(callFormBody(token, { status: 'open' }))
    .expect(400);
  await agent
    .post('/admin/calls')
    .type('form')
    .send(callFormBody(token, { closesAt: '2030-02-01T17:00' }))
    .expect(400);
  assert.equal(await callModel(t.ctx.db).countDocuments(), before);
});

test('an open call keeps its blind promise and its criteria, and no budget drops below what it awarded', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const token = await tokenFor(agent, '/admin/calls/new');
  const created = await agent.post('/admin/calls').type('form').send(callFormBody(token)).expect(303);
  const id = /\/admin\/calls\/([a-f0-9]{24})/.exec(created.headers.location!)![1]!;
  await agent.post(`/admin/calls/${id}/open`).type('form').send({ _csrf: token }).expect(303);
  // 12 million already awarded (as reserveBudget would have counted it).
  await callModel(t.ctx.db).updateOne({ _id: id }, { $set: { awardedTotal: 12_000_000 } });
  const version = async () => String((await callModel(t.ctx.db).findById(id).lean())!.__v);
  const edit = async (extra: Record<string, unknown>) =>
    agent
      .post(`/admin/calls/${id}`)
      .type('form')
      .send(callFormBody(token, { version: await version(), ...extra }));

  // An unticked box is left out of the form, as a browser does.
  const unblind = await edit({ blind: undefined });
  assert.equal(unblind.status, 400);
  assert.match(unblind.text, /Whether review is blind cannot change once the call is open/);
  assert.match(unblind.text, /href="#f-blind"/, 'the error summary links to the checkbox');
  assert.match(unblind.text, /<input type="checkbox" id="f-blind"/, 'which carries that id');
  const form = await agent.get(`/admin/calls/${id}`).expect(200);
  assert.match(form.text, /applicants pitched on this, so it stays as it is/);
  assert.match(form.text, /Labels and guidance can still be reworded/);
  const reweighed = await edit({ rubricWeight: ['1', '3'] });
  assert.equal(reweighed.status, 400);
  assert.match(reweighed.text, /criteria keep their ids, highest scores and weights/);
  const shrunk = await edit({ budgetPool: '10 000 000', maxAward: '5 000 000' });
  assert.equal(shrunk.status, 400);
  assert.match(shrunk.text, /cannot be less than what has already been awarded/);
  const kept = await callModel(t.ctx.db).findById(id).lean();
  assert.equal(kept!.blind, true);
  assert.equal(kept!.rubric[1]!.weight, 2);
  assert.equal(kept!.budgetPool, 30_000_000);

  // Rewording a criterion and a budget that still covers the awards are fine.
  await edit({ rubricLabelEn: ['Understanding', 'Ethics'], budgetPool: '12 000 000' }).then((r) =>
    assert.equal(r.status, 303),
  );
  const edited = await callModel(t.ctx.db).findById(id).lean();
  assert.equal(edited!.rubric[0]!.label.en, 'Understanding');
  assert.equal(edited!.budgetPool, 12_000_000);
});

test('journalists cannot reach the admin pages', async () => {
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  await agent.get('/admin/calls').expect(403);
  await agent.get('/admin/calls/new').expect(403);
});

test('open calls list the deadline in the call zone and the reader zone', async () => {
  await buildCall(t.ctx, {
    title: { en: 'Listed call', mn: 'Зар' },
    closesAt: new Date('2030-01-15T09:00:00Z'),
  });
  const user = await buildUser(t.ctx, { timeZone: 'Europe/Berlin' });
  const agent = await signIn(t.app, user);
  const res = await agent.get('/grants').expect(200);
  assert.match(res.text, /Listed call/);
  assert.match(res.text, /17:00 \(Asia\/Ulaanbaatar\)/);
  assert.match(res.text, /10:00 \(Europe\/Berlin\)/);
});

test('an untrained journalist is refused with the reason and a link to the course', async () => {
  const call = await buildCall(t.ctx);
  const user = await buildUser(t.ctx);
  const agent = await signIn(t.app, user);
  const page = await agent.get(`/grants/${String(call._id)}`).expect(200);
  assert.match(page.text, /completed the training course/);
  assert.match(page.text, /href="\/learn\/tip-reporting"/);
  assert.doesNotMatch(page.text, /Start a pitch/);
  const token = await tokenFor(agent, '/grants');
  const res = await agent
    .post(`/grants/${String(call._id)}/pitches`)
    .type('form')
    .send({ _csrf: token })
    .expect(403);
  assert.match(res.text, /completed the training course/);

  const trained = await trainedJournalist(t.ctx);
  const ok = await signIn(t.app, trained);
  const allowed = await ok.get(`/grants/${String(call._id)}`).expect(200);
  assert.match(allowed.text, /Start a pitch/);

  // A call with no course requirement is open to every journalist.
  const open = await buildCall(t.ctx, { eligibility: { courseSlug: '' } });
  const openPage = await agent.get(`/grants/${String(open._id)}`).expect(200);
  assert.match(openPage.text, /Start a pitch/);
});

test('draft calls and bad ids are 404 for journalists', async () => {
  const draft = await buildCall(t.ctx, { status: 'draft' });
  const agent = await signIn(t.app, await buildUser(t.ctx));
  await agent.get(`/grants/${String(draft._id)}`).expect(404);
  await agent.get('/grants/not-an-id').expect(404);
});

test('the background job closes calls whose deadline passed, once, with an audit event', async () => {
  const { closeExpiredCalls } = await import('../../modules/grants');
  const start = clock.now();
  const due = await buildCall(t.ctx, { closesAt: new Date(start.getTime() + 1000) });
  const later = await buildCall(t.ctx, { closesAt: new Date(start.getTime() + 3600_000) });
  try {
    clock.set(new Date(start.getTime() + 2000));
    assert.ok((await closeExpiredCalls(t.ctx)) >= 1);
    assert.equal(await closeExpiredCalls(t.ctx), 0);
  } finally {
    clock.set(start);
  }
  assert.equal((await callModel(t.ctx.db).findById(due._id).lean())!.status, 'closed');
  assert.equal((await callModel(t.ctx.db).findById(later._id).lean())!.status, 'open');
  const events = await auditModel(t.ctx.db)
    .find({ targetId: String(due._id), action: 'call.closed' })
    .lean();
  assert.equal(events.length, 1);
});

test('a fresh install with demo data has one open demo call, once', async () => {
  const fresh = await buildTestApp({ clock: fixedClock(new Date()) });
  try {
    const printed = await seedDemoCall(fresh.ctx);
    assert.match(printed ?? '', /Demo grant call open until .*Asia\/Ulaanbaatar.*\/grants\/[a-f0-9]{24}/);
    assert.equal(await seedDemoCall(fresh.ctx), undefined, 'a second run adds nothing');
    const calls = await callModel(fresh.ctx.db).find({}).lean();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.status, 'open');
    assert.ok(calls[0]!.closesAt > fresh.ctx.clock.now());
    const journalist = await signIn(fresh.app, await buildUser(fresh.ctx));
    const list = await journalist.get('/grants').expect(200);
    assert.match(list.text, /Dream Umbrella story grants \(demo\)/);
  } finally {
    await fresh.close();
  }
});
