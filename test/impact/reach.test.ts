import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn } from '../factories';
import { publishedAwardOn } from './helpers';
import { awardModel } from '../../modules/awards/model';
import { pieceModel } from '../../modules/impact/model';
import { impactSettings } from '../../modules/impact';
import { recheckLinks } from '../../modules/impact/service';

let t: TestApp;
let server: http.Server;
let base: string;
let gone = false;
before(async () => {
  t = await buildTestApp();
  // The pieces' pages, served on loopback (allowed for the test only).
  server = http.createServer((req, res) => {
    if (req.url?.split('?')[0] === '/story' && !gone) return res.end('story');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  impactSettings.allowPrivate = true;
  impactSettings.timeoutMs = 2_000;
});
after(async () => {
  impactSettings.allowPrivate = false;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await t.close();
});

const publishedAward = () => publishedAwardOn(t);

const piece = (over: Record<string, string> = {}) => ({
  outlet: 'Ikon.mn',
  url: `${base}/story`,
  publishedOn: '2024-01-02',
  language: 'mn',
  format: 'article',
  listPublicly: 'yes',
  ...over,
});

test('a journalist records a piece and its reach; staff verify; the journalist cannot', async () => {
  const { id, admin, adminToken, agent, token } = await publishedAward();
  await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...piece() })
    .expect(303);
  const [p] = await pieceModel(t.ctx.db)
    .find({ awardId: award(id) })
    .lean();
  assert.equal(p!.link.status, 'ok');
  assert.equal(p!.listPublicly, true);
  const reachUrl = `/impact/awards/${id}/pieces/${p!._id}/reach`;
  for (const [value, asOf] of [
    ['1200', '2024-01-05'],
    ['3400', '2024-02-05'],
  ])
    await agent
      .post(reachUrl)
      .type('form')
      .send({ _csrf: token, metric: 'views', value, asOf, source: 'Ikon.mn analytics' })
      .expect(303);
  const figures = (await pieceModel(t.ctx.db).findById(p!._id).lean())!.reach;
  assert.deepEqual(
    figures.map((f) => [f.value, !!f.verifiedAt]),
    [
      [1200, false],
      [3400, false],
    ],
  );
  const verify = (fig: unknown) => `/impact/awards/${id}/pieces/${p!._id}/reach/${String(fig)}/verify`;
  // The journalist has no verify button and the route refuses them.
  const mine = (await agent.get(`/impact/awards/${id}`).expect(200)).text;
  assert.doesNotMatch(mine, /reach\/[a-f0-9]{24}\/verify/);
  assert.match(mine, /Waiting for staff/);
  await agent.post(verify(figures[0]!._id)).type('form').send({ _csrf: token }).expect(403);
  // Staff verify once; the second click is a conflict shown on the page, nothing changes.
  await admin.post(verify(figures[0]!._id)).type('form').send({ _csrf: adminToken }).expect(303);
  const again = await admin
    .post(verify(figures[0]!._id))
    .type('form')
    .send({ _csrf: adminToken })
    .expect(409);
  assert.match(again.text, /role="alert">This figure is already verified/);
  const after = (await pieceModel(t.ctx.db).findById(p!._id).lean())!.reach;
  assert.ok(after[0]!.verifiedAt);
  assert.equal(after[1]!.verifiedAt, undefined);
  // Dated figures, oldest first, so growth shows.
  const page = (await admin.get(`/impact/awards/${id}`).expect(200)).text;
  assert.ok(page.indexOf('2024-01-05') < page.indexOf('2024-02-05'));
  assert.match(page, /Verified by staff/);
});

test('staff cannot verify a figure they reported themselves', async () => {
  const { id, admin, adminToken } = await publishedAward();
  await admin
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: adminToken, ...piece({ format: 'tv' }) })
    .expect(303);
  const [p] = await pieceModel(t.ctx.db)
    .find({ awardId: award(id) })
    .lean();
  await admin
    .post(`/impact/awards/${id}/pieces/${p!._id}/reach`)
    .type('form')
    .send({ _csrf: adminToken, metric: 'airings', value: '3', asOf: '2024-01-09', source: 'TV9 schedule' })
    .expect(303);
  const fig = (await pieceModel(t.ctx.db).findById(p!._id).lean())!.reach[0]!;
  const res = await admin
    .post(`/impact/awards/${id}/pieces/${p!._id}/reach/${fig._id}/verify`)
    .type('form')
    .send({ _csrf: adminToken })
    .expect(409);
  assert.match(res.text, /verified by someone other than the person who reported it/);
});

test('another journalist sees and changes nothing of an award that is not theirs', async () => {
  const { id, agent, token } = await publishedAward();
  await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...piece() })
    .expect(303);
  const [p] = await pieceModel(t.ctx.db)
    .find({ awardId: award(id) })
    .lean();
  const other = await signIn(t.app, await buildUser(t.ctx, { name: 'Other' }));
  const otherToken = csrfFrom((await other.get('/account').expect(200)).text);
  await other.get(`/impact/awards/${id}`).expect(404);
  await other
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: otherToken, ...piece() })
    .expect(404);
  await other
    .post(`/impact/awards/${id}/pieces/${p!._id}/reach`)
    .type('form')
    .send({ _csrf: otherToken, metric: 'views', value: '9', asOf: '2024-01-05', source: 'x' })
    .expect(404);
  assert.equal((await pieceModel(t.ctx.db).findById(p!._id).lean())!.reach.length, 0);
});

test('a bad form re-renders with the values kept and the errors marked; nothing stored', async () => {
  const { id, agent, token } = await publishedAward();
  const res = await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...piece({ url: 'javascript:alert(1)', outlet: 'Kept Outlet', publishedOn: 'x' }) })
    .expect(400);
  assert.match(res.text, /value="Kept Outlet"/);
  assert.match(res.text, /id="f-url"[^>]*aria-invalid="true"/);
  assert.match(res.text, /id="f-publishedOn"[^>]*aria-invalid="true"/);
  assert.match(res.text, /<option value="article" selected>/);
  assert.equal(await pieceModel(t.ctx.db).countDocuments({ awardId: award(id) }), 0);
  // The same link twice: a conflict on the page, one record.
  await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...piece() })
    .expect(303);
  const dup = await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...piece() });
  assert.equal(dup.status, 409);
  assert.match(dup.text, /already recorded/);
});

test('a link that dies is flagged by the re-check and listed for staff', async () => {
  const { id, admin, agent, token } = await publishedAward();
  await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...piece({ url: `${base}/story?x=${id}` }) })
    .expect(303);
  assert.equal(
    (await pieceModel(t.ctx.db)
      .findOne({ awardId: award(id) })
      .lean())!.link.status,
    'ok',
  );
  // The story comes down; the daily job (older than a day) opens it again.
  gone = true;
  try {
    await pieceModel(t.ctx.db).updateMany(
      { awardId: award(id) },
      { $set: { 'link.checkedAt': new Date(0) } },
    );
    assert.ok((await recheckLinks(t.ctx)) >= 1);
  } finally {
    gone = false;
  }
  const [p] = await pieceModel(t.ctx.db)
    .find({ awardId: award(id) })
    .lean();
  assert.equal(p!.link.status, 'dead');
  assert.match(
    (await agent.get(`/impact/awards/${id}`).expect(200)).text,
    /Dead link: the page does not open/,
  );
  assert.match((await admin.get('/admin/impact').expect(200)).text, new RegExp(`/impact/awards/${id}`));
  assert.match((await admin.get(`/admin/awards/${id}`).expect(200)).text, /A recorded link is dead/);
});

const award = (id: string) => new (awardModel(t.ctx.db).base.Types.ObjectId)(id);

test('Published stories lists only pieces the journalist agreed to list, once staff confirmed', async () => {
  const { id, admin, adminToken, agent, token } = await publishedAward();
  const add = (over: Record<string, string>) =>
    agent
      .post(`/impact/awards/${id}/pieces`)
      .type('form')
      .send({ _csrf: token, ...piece(over) });
  await add({ url: `${base}/story?listed=${id}`, outlet: 'Listed TV', format: 'tv' }).expect(303);
  const unlisted = { ...piece({ url: `${base}/story?private=${id}`, outlet: 'Private Radio' }) };
  delete (unlisted as Record<string, string>).listPublicly;
  await agent
    .post(`/impact/awards/${id}/pieces`)
    .type('form')
    .send({ _csrf: token, ...unlisted })
    .expect(303);
  // Not listed before staff confirm the publication.
  assert.ok(!(await agent.get('/published').expect(200)).text.includes('Listed TV'));
  await admin
    .post(`/admin/awards/${id}/confirm-publication`)
    .type('form')
    .send({ _csrf: adminToken, linkChecked: 'on' })
    .expect(303);
  const pub = (await agent.get('/published').expect(200)).text;
  assert.match(pub, /TV segment — Listed TV/);
  assert.ok(!pub.includes('Private Radio'));
  assert.ok(!pub.includes(`private=${id}`));
  // The award page leads to the pieces.
  assert.match(
    (await agent.get(`/awards/${id}`).expect(200)).text,
    new RegExp(`href="/impact/awards/${id}"`),
  );
});
