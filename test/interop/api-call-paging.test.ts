/**
 * A call's pitches, assignments and awards are lists that grow: like enrolments and attempts they
 * answer at most `limit` rows (1–100, default 50) and a `nextCursor` to walk the rest, each row once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, csrfFrom, signIn } from '../factories';
import { buildPitch } from '../reviews/factories';
import { createApiToken, openApiDocument } from '../../modules/interop';
import { toSessionUser } from '../../modules/accounts';
import type { Call } from '../../modules/grants/model';
import { listenApi } from './api-client';

let t: TestApp;
let api: Awaited<ReturnType<typeof listenApi>>;
let client: ReturnType<Awaited<ReturnType<typeof listenApi>>['client']>;
let call: Call;
const pitchIds: string[] = [];

before(async () => {
  t = await buildTestApp();
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const scopes = ['grants:read', 'assignments:read', 'assignments:write', 'decisions:read'] as const;
  const token = await createApiToken(t.ctx, toSessionUser(admin), 'Desk', [...scopes]);
  api = await listenApi(t);
  client = api.client(token.secret);
  call = await buildCall(t.ctx, {}, { closed: true });
  for (let i = 0; i < 5; i++) {
    const pitch = await buildPitch(t.ctx, call, await buildUser(t.ctx), {
      status: 'under_review',
      budgetTotal: 1_000,
      outlet: `Outlet ${i}`,
    });
    pitchIds.push(String(pitch._id));
    const reviewer = await buildUser(t.ctx, { role: 'reviewer', outlet: 'Reviewers Weekly' });
    const made = await client.POST('/calls/{id}/assignments', {
      params: { path: { id: String(call._id) } },
      body: { pitchId: String(pitch._id), reviewerId: String(reviewer._id) },
    });
    assert.equal(made.response.status, 201, JSON.stringify(made.error));
  }
  // Every pitch funded, then the decisions released: five awards.
  const staff = await signIn(t.app, admin);
  const csrf = csrfFrom((await staff.get('/account').expect(200)).text);
  for (const id of pitchIds)
    await staff
      .post(`/admin/calls/${call._id}/pitches/${id}/decision`)
      .type('form')
      .send({ _csrf: csrf, outcome: 'funded', amount: '1000' })
      .expect(303);
  await staff.post(`/admin/calls/${call._id}/release`).type('form').send({ _csrf: csrf }).expect(303);
});
after(async () => {
  await api?.close();
  await t?.close();
});

type ListPath = '/calls/{id}/pitches' | '/calls/{id}/assignments' | '/calls/{id}/awards';
const LISTS: ListPath[] = ['/calls/{id}/pitches', '/calls/{id}/assignments', '/calls/{id}/awards'];

async function list(path: ListPath, query: { limit?: number; cursor?: string }) {
  const res = await client.GET(path, { params: { path: { id: String(call._id) }, query } });
  return {
    status: res.response.status,
    body: res.data as { data: Array<{ id: string }>; nextCursor: string | null },
  };
}

test('pitches, assignments and awards are paged: at most `limit` rows, a cursor walks each row once', async () => {
  for (const path of LISTS) {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const { status, body } = await list(path, { limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(status, 200, path);
      assert.ok(body.data.length <= 2, `${path}: a page holds at most the limit`);
      seen.push(...body.data.map((r) => r.id));
      if (!body.nextCursor) {
        assert.equal(pages, 3, `${path}: five rows in pages of two`);
        break;
      }
      cursor = body.nextCursor;
    }
    assert.equal(seen.length, 5, `${path}: every row`);
    assert.equal(new Set(seen).size, 5, `${path}: each once`);
    // Without a limit: the default (50) holds all five, and says it is the last page.
    const all = await list(path, {});
    assert.equal(all.body.data.length, 5);
    assert.equal(all.body.nextCursor, null);
  }
});

test('the page size is capped at 100 and the cursor is an id; the document says so', async () => {
  const doc = openApiDocument('http://localhost') as {
    paths: Record<
      string,
      { get: { parameters: Array<{ name: string; in: string; schema: { maximum?: number } }> } }
    >;
  };
  for (const path of LISTS) {
    assert.equal((await list(path, { limit: 101 })).status, 400, `${path} limit 101`);
    assert.equal((await list(path, { limit: 0 })).status, 400, `${path} limit 0`);
    assert.equal((await list(path, { cursor: 'not-an-id' })).status, 400, `${path} cursor`);
    assert.equal((await list(path, { limit: 100 })).status, 200, `${path} limit 100`);
    const params = doc.paths[path]!.get.parameters.filter((p) => p.in === 'query');
    assert.deepEqual(params.map((p) => p.name).sort(), ['cursor', 'limit'], path);
    assert.equal(params.find((p) => p.name === 'limit')!.schema.maximum, 100);
  }
});
