import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from './factories';
import { awardModel } from '../../modules/awards/model';

let t: TestApp;
let admin: Awaited<ReturnType<typeof signIn>>;
let token: string;
before(async () => {
  t = await buildTestApp();
  admin = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  token = csrfFrom((await admin.get('/account').expect(200)).text);
});
after(() => t.close());

const decide = (callId: unknown, pitchId: unknown, body: Record<string, string>) =>
  admin
    .post(`/admin/calls/${callId}/pitches/${pitchId}/decision`)
    .type('form')
    .send({ _csrf: token, ...body })
    .expect(303);

/** Every page an applicant has about their pitches and awards, as one string. */
async function applicantSees(agent: Awaited<ReturnType<typeof signIn>>, callId: unknown, pitchId: unknown) {
  const pages = await Promise.all(
    ['/grants', `/grants/${callId}`, `/grants/pitches/${pitchId}`, '/awards'].map((p) =>
      agent.get(p).expect(200),
    ),
  );
  return pages.map((p) => p.text).join('\n');
}

test('before release an applicant sees "Under review" and nothing else: no outcome, no award, no e-mail', async () => {
  const call = await buildCall(t.ctx, { budgetPool: 10_000, maxAward: 5_000 }, { closed: true });
  const fundedUser = await buildUser(t.ctx);
  const declinedUser = await buildUser(t.ctx);
  const shortlistedUser = await buildUser(t.ctx);
  const funded = await buildPitch(t.ctx, call, fundedUser, { status: 'under_review', budgetTotal: 3_000 });
  const declined = await buildPitch(t.ctx, call, declinedUser, { status: 'under_review' });
  const shortlisted = await buildPitch(t.ctx, call, shortlistedUser, { status: 'under_review' });
  await decide(call._id, funded._id, { outcome: 'funded', amount: '2500' });
  await decide(call._id, declined._id, { outcome: 'declined' });
  await decide(call._id, shortlisted._id, { outcome: 'shortlisted' });
  const award = await awardModel(t.ctx.db).findOne({ pitchId: funded._id }).lean();
  assert.ok(award, 'the award exists for staff');

  const agents = {
    funded: await signIn(t.app, fundedUser),
    declined: await signIn(t.app, declinedUser),
    shortlisted: await signIn(t.app, shortlistedUser),
  };
  const pitchOf = { funded, declined, shortlisted };
  for (const [who, agent] of Object.entries(agents)) {
    const seen = await applicantSees(agent, call._id, pitchOf[who as keyof typeof pitchOf]._id);
    assert.ok(/Under review/.test(seen), `${who} sees "Under review"`);
    for (const leak of [/Funded/, /Not funded/, /Shortlisted/, /Waiting list/, /Offered/, /Accept the award/])
      assert.ok(!leak.test(seen), `${who} must not see ${leak}`);
    assert.ok(!/2,500|2500/.test(seen), `${who} must not see the amount awarded`);
  }
  // The award itself is out of reach: its page and its steps are a 404, like anyone else's.
  await agents.funded.get(`/awards/${award._id}`).expect(404);
  const accept = await agents.funded.get('/grants').expect(200);
  await agents.funded
    .post(`/awards/${award._id}/accept`)
    .type('form')
    .send({ _csrf: csrfFrom(accept.text) })
    .expect(404);
  assert.equal((await awardModel(t.ctx.db).findById(award._id).lean())!.status, 'offered');
  assert.equal(
    await t.ctx.db.collection('outboxmessages').countDocuments({ template: 'reviews/decision' }),
    0,
  );

  // The admin confirms first, seeing who gets what.
  const board = await admin.get(`/admin/calls/${call._id}/review-board`).expect(200);
  assert.ok(board.text.includes(`href="/admin/calls/${call._id}/release"`));
  assert.ok(!board.text.includes(`action="/admin/calls/${call._id}/release"`), 'no one-click release');
  const confirm = await admin.get(`/admin/calls/${call._id}/release`).expect(200);
  for (const seen of [
    fundedUser.name,
    declinedUser.email,
    funded.title,
    '1 pitch funded, 2,500 MNT in total',
    '1 pitch not funded',
    '1 pitch has no decision yet',
    'Release and send 2 e-mails',
  ])
    assert.ok(confirm.text.includes(seen), `confirmation shows ${seen}`);
  await admin.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: token }).expect(303);

  const after = await applicantSees(agents.funded, call._id, funded._id);
  assert.match(after, /Funded/);
  assert.match(after, /Accept the award|Offered/);
  assert.match(await applicantSees(agents.declined, call._id, declined._id), /Not funded/);
  // Shortlisting never reaches the applicant: without a decision it stays "Under review".
  const stillShortlisted = await applicantSees(agents.shortlisted, call._id, shortlisted._id);
  assert.match(stillShortlisted, /Under review/);
  assert.doesNotMatch(stillShortlisted, /Shortlisted/);
  await agents.funded.get(`/awards/${award._id}`).expect(200);
  await agents.funded
    .post(`/awards/${award._id}/accept`)
    .type('form')
    .send({ _csrf: csrfFrom(accept.text) })
    .expect(303);
});

/** A page with its per-request tokens (CSRF, CSP nonce) blanked, so two visits can be compared byte for byte. */
const withoutTokens = (html: string) =>
  html.replace(/(name="_csrf" value=|name="csrf-token" content=|nonce=)"[^"]*"/g, '$1""');

test("staff moves before release leave the applicant's pages byte for byte as they were (no version, time or order gives them away)", async () => {
  const call = await buildCall(t.ctx, { budgetPool: 10_000, maxAward: 5_000 }, { closed: true });
  const earlierCall = await buildCall(t.ctx, {}, { closed: true });
  const user = await buildUser(t.ctx);
  const created = new Date('2026-01-10T00:00:00Z');
  const pitch = await buildPitch(t.ctx, call, user, {
    status: 'under_review',
    createdAt: created,
    updatedAt: created,
  });
  // A newer pitch of theirs, listed first: deciding the older one must not move it up.
  await buildPitch(t.ctx, earlierCall, user, {
    status: 'under_review',
    createdAt: new Date('2026-01-12T00:00:00Z'),
    updatedAt: new Date('2026-01-12T00:00:00Z'),
  });
  const agent = await signIn(t.app, user);
  const before = withoutTokens(await applicantSees(agent, call._id, pitch._id));

  await decide(call._id, pitch._id, { outcome: 'shortlisted' });
  assert.equal(withoutTokens(await applicantSees(agent, call._id, pitch._id)), before, 'after shortlisting');
  await decide(call._id, pitch._id, { outcome: 'funded', amount: '2500' });
  assert.equal(withoutTokens(await applicantSees(agent, call._id, pitch._id)), before, 'after the decision');
  const stored = await t.ctx.db.collection('pitches').findOne({ _id: pitch._id });
  assert.equal(stored?.status, 'funded', 'the decision was made');
  assert.ok(stored?.updatedAt > created, 'staff moves do touch updatedAt, which the applicant never sees');
});
