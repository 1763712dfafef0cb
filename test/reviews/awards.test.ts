import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn, PASSWORD } from '../factories';
import { buildPitch } from './factories';
import { awardModel } from '../../modules/awards/model';
import { releasedAward } from '../awards/factories';
import { assignmentModel } from '../../modules/reviews/model';
import { sendReviewReminders } from '../../modules/reviews';

// Starts at real time so staff two-step codes stay valid; moved only by the reminder test.
const clock = fixedClock(new Date());
let t: TestApp;
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

const fundedAward = () => releasedAward(t);

test('award flow to publication; each tranche is paid once and only after its milestone', async () => {
  const { award, admin, adminToken, agent, token, pitch } = await fundedAward();
  assert.deepEqual(
    award.tranches.map((x) => [x.key, x.share, x.amount]),
    [
      ['award', 40, 400],
      ['draft', 30, 300],
      ['publication', 30, 300],
    ],
  );
  const id = String(award._id);
  const pay = (key: string) =>
    admin
      .post(`/admin/awards/${id}/tranches/${key}/pay`)
      .type('form')
      .send({ _csrf: adminToken, reference: 'BANK-1', stepUpSecret: PASSWORD });
  await pay('award').expect(409); // not accepted yet
  await agent.post(`/awards/${id}/accept`).type('form').send({ _csrf: token }).expect(303);
  await agent.post(`/awards/${id}/accept`).type('form').send({ _csrf: token }).expect(409);
  const [p1, p2] = await Promise.all([pay('award'), pay('award')]);
  assert.deepEqual([p1.status, p2.status].sort(), [303, 409]);
  await pay('draft').expect(409);

  await agent
    .post(`/awards/${id}/draft`)
    .type('form')
    .send({ _csrf: token, link: 'javascript:alert(1)' })
    .expect(400);
  assert.equal((await awardModel(t.ctx.db).findById(id).lean())!.status, 'accepted');
  await agent
    .post(`/awards/${id}/draft`)
    .type('form')
    .send({ _csrf: token, link: 'https://docs.example.org/draft' })
    .expect(303);
  // The draft payment waits for staff's ethics and safety check: refused on the page, with the way on.
  const early = await pay('draft').expect(409);
  assert.match(early.text, /wait for the ethics and safety check/);
  assert.match(early.text, /<h2 id="ethics-h">Ethics and safety check<\/h2>/);
  assert.ok(!(await awardModel(t.ctx.db).findById(id).lean())!.tranches[1]!.paidAt);
  await admin
    .post(`/admin/awards/${id}/ethics`)
    .type('form')
    .send({ _csrf: adminToken, note: 'Faces blurred' })
    .expect(303);
  await admin.post(`/admin/awards/${id}/ethics`).type('form').send({ _csrf: adminToken }).expect(409);
  await pay('draft').expect(303);

  for (const bad of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,x',
    'ftp://x.org/a',
    '//evil.org',
  ])
    await agent
      .post(`/awards/${id}/published`)
      .type('form')
      .send({ _csrf: token, url: bad, date: '2026-04-01' })
      .expect(400);
  const before = await request(t.app).get('/published').expect(200);
  assert.ok(!before.text.includes(pitch.title), 'not listed before publication');
  // A date in the future is refused on the form, with everything kept.
  const tomorrow = new Date(t.ctx.clock.now().getTime() + 2 * 86_400_000).toISOString().slice(0, 10);
  const future = await agent
    .post(`/awards/${id}/published`)
    .type('form')
    .send({ _csrf: token, url: 'https://ikon.mn/story', date: tomorrow })
    .expect(400);
  assert.match(future.text, /This date is in the future/);
  assert.ok(future.text.includes('https://ikon.mn/story'));
  await agent
    .post(`/awards/${id}/published`)
    .type('form')
    .send({ _csrf: token, url: 'https://ikon.mn/story', date: '2026-04-01' })
    .expect(303);
  // Self-reported: not public until staff have opened the link.
  assert.ok(!(await request(t.app).get('/published').expect(200)).text.includes(pitch.title), 'not yet');
  assert.match((await agent.get(`/awards/${id}`).expect(200)).text, /Programme staff will open the link/);
  assert.match((await admin.get('/').expect(200)).text, /reported publications? to check/);
  const unchecked = await admin
    .post(`/admin/awards/${id}/confirm-publication`)
    .type('form')
    .send({ _csrf: adminToken })
    .expect(400);
  assert.match(unchecked.text, /tick the box to confirm/);
  assert.ok(!(await request(t.app).get('/published').expect(200)).text.includes(pitch.title), 'still not');
  await admin
    .post(`/admin/awards/${id}/confirm-publication`)
    .type('form')
    .send({ _csrf: adminToken, linkChecked: 'on' })
    .expect(303);
  await admin
    .post(`/admin/awards/${id}/confirm-publication`)
    .type('form')
    .send({ _csrf: adminToken, linkChecked: 'on' })
    .expect(409);
  await pay('publication').expect(303);
  await pay('publication').expect(409);
  await admin.post(`/admin/awards/${id}/close`).type('form').send({ _csrf: adminToken }).expect(303);

  const staffPage = await admin.get(`/admin/awards/${id}`).expect(200);
  assert.match(staffPage.text, /BANK-1/);
  assert.match(staffPage.text, /Ethics check passed/);
  await admin.get('/admin/awards').expect(200);
  const mine = await agent.get('/awards').expect(200);
  assert.ok(mine.text.includes(pitch.title));
  const done = await awardModel(t.ctx.db).findById(id).lean();
  assert.equal(done!.status, 'closed');
  assert.ok(done!.tranches.every((x) => x.paidAt));
  assert.deepEqual(
    done!.milestones.map((m) => m.key),
    ['draft', 'ethics', 'published', 'confirmed'],
  );
  // Confirmed, but the journalist has not agreed to list it: not on the public page.
  assert.ok(!(await request(t.app).get('/published').expect(200)).text.includes(pitch.title), 'no consent');
  assert.match((await agent.get(`/awards/${id}`).expect(200)).text, /is not listed on the public/);
  // Nobody else can list it for them.
  const other = await signIn(t.app, await buildUser(t.ctx, { role: 'journalist' }));
  await other
    .post(`/awards/${id}/listing`)
    .type('form')
    .send({ _csrf: csrfFrom((await other.get('/account').expect(200)).text), listPublicly: 'yes' })
    .expect(404);
  await agent
    .post(`/awards/${id}/listing`)
    .type('form')
    .send({ _csrf: token, listPublicly: 'maybe' })
    .expect(400);
  await agent
    .post(`/awards/${id}/listing`)
    .type('form')
    .send({ _csrf: token, listPublicly: 'yes' })
    .expect(303);
  const pub = await request(t.app).get('/published').expect(200);
  assert.ok(pub.text.includes(pitch.title));
  assert.ok(pub.text.includes('https://ikon.mn/story'));
  assert.ok(pub.text.includes('2026-04-01'));
  // Consent withdrawn: gone at once.
  await agent
    .post(`/awards/${id}/listing`)
    .type('form')
    .send({ _csrf: token, listPublicly: 'no' })
    .expect(303);
  assert.ok(!(await request(t.app).get('/published').expect(200)).text.includes(pitch.title), 'withdrawn');
  assert.equal((await awardModel(t.ctx.db).findById(id).lean())!.listPublicly, false);
});

test("another journalist's award is a 404", async () => {
  const { award } = await fundedAward();
  const other = await signIn(t.app, await buildUser(t.ctx));
  const token = csrfFrom((await other.get('/awards').expect(200)).text);
  await other.get(`/awards/${award._id}`).expect(404);
  await other.post(`/awards/${award._id}/accept`).type('form').send({ _csrf: token }).expect(404);
  await other.post(`/awards/${award._id}/draft`).type('form').send({ _csrf: token, note: 'x' }).expect(404);
  await other.get(`/admin/awards/${award._id}`).expect(403);
  assert.equal((await awardModel(t.ctx.db).findById(award._id).lean())!.status, 'offered');
});

test('reviewers get one reminder 48 hours before the due date', async () => {
  const reviewer = await buildUser(t.ctx, { role: 'reviewer' });
  const call = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  const now = clock.now().getTime();
  await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'accepted',
    dueAt: new Date(now + 47 * 3600_000),
  });
  const later = await buildPitch(t.ctx, call, await buildUser(t.ctx), { status: 'under_review' });
  await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: later._id,
    reviewerId: reviewer._id,
    status: 'accepted',
    dueAt: new Date(now + 72 * 3600_000),
  });
  assert.equal(await sendReviewReminders(t.ctx), 1);
  assert.equal(await sendReviewReminders(t.ctx), 0);
  const mails = await t.ctx.db
    .collection('outboxmessages')
    .find({ template: 'reviews/reminder', to: reviewer.email })
    .toArray();
  assert.equal(mails.length, 1);
});
