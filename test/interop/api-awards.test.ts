/**
 * Released decisions through the API: a call's awards once its decisions are out, and nothing before
 * (a funded pitch whose decision is not released must not leak through any endpoint).
 * (Apart from the write tests: their fixed clock would refuse the staff sign-ins' TOTP codes here.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser } from '../factories';
import { buildPitch } from '../reviews/factories';
import { releasedAward } from '../awards/factories';
import { createApiToken } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';
import { listenApi } from './api-client';

let t: TestApp;
let api: Awaited<ReturnType<typeof listenApi>>;
let admin: ReturnType<typeof toSessionUser>;
let other: string;

before(async () => {
  t = await buildTestApp();
  admin = toSessionUser(await buildUser(t.ctx, { role: 'admin' }));
  other = (await createApiToken(t.ctx, admin, 'Enrolments', ['enrolments:write'])).secret;
  api = await listenApi(t);
});
after(async () => {
  await api?.close();
  await t?.close();
});

const client = (token: string) => api.client(token);

test('awards: a released call lists its awards; a decision not yet released never shows', async () => {
  const made = await createApiToken(t.ctx, admin, 'Finance', ['decisions:read', 'grants:read']);
  const finance = client(made.secret);
  const { call, award, admin: staff, adminToken: csrf } = await releasedAward(t);
  const released = await finance.GET('/calls/{id}/awards', { params: { path: { id: String(call._id) } } });
  assert.equal(released.data?.released, true);
  assert.deepEqual(
    released.data?.data.map((a) => [a.id, a.amount]),
    [[String(award._id), award.amount]],
  );

  // Funded, not released: the awards list is empty and the pitch list shows no decision.
  const quiet = await buildCall(t.ctx, {}, { closed: true });
  const pitch = await buildPitch(t.ctx, quiet, await buildUser(t.ctx), { status: 'under_review' });
  await staff
    .post(`/admin/calls/${quiet._id}/pitches/${pitch._id}/decision`)
    .type('form')
    .send({ _csrf: csrf, outcome: 'funded', amount: '1000' })
    .expect(303);
  assert.ok(await t.ctx.db.collection('awards').findOne({ pitchId: pitch._id }), 'the award exists inside');
  const hidden = await finance.GET('/calls/{id}/awards', { params: { path: { id: String(quiet._id) } } });
  assert.deepEqual(hidden.data, { released: false, data: [], nextCursor: null });
  const pitches = await finance.GET('/calls/{id}/pitches', { params: { path: { id: String(quiet._id) } } });
  assert.doesNotMatch(JSON.stringify(pitches.data), /funded|"amount"/);
  assert.equal(
    (await client(other).GET('/calls/{id}/awards', { params: { path: { id: String(call._id) } } })).response
      .status,
    403,
  );
});
