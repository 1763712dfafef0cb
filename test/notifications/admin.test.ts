import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor } from '../factories';
import { closedPort, smtpTransport } from '../support/smtp';
import { enqueueEmail, sendDueEmails } from '../../modules/notifications';
import { outboxModel } from '../../modules/notifications/model';
import { recordAudit } from '../../modules/audit';
import { auditModel } from '../../modules/audit/model';

describe('admin outbox page (dev mode, no SMTP)', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('dev mode marks messages sent without SMTP; in development their text is shown so links can be followed', async () => {
    const t = await buildTestApp({ config: { env: 'development' } });
    after(() => t.close());
    assert.equal(t.ctx.mailer.kind, 'dev');
    await enqueueEmail(t.ctx, {
      to: 'ada@example.org',
      template: 'notifications/test-message',
      locale: 'en',
      data: { at: '<script>alert(1)</script>' },
    });
    assert.deepEqual(await sendDueEmails(t.ctx, { workerId: 'dev' }), { sent: 1, retried: 0, dead: 0 });
    const msg = await outboxModel(t.ctx.db).findOne({}).lean();
    assert.equal(msg?.status, 'sent');
    assert.equal(msg?.messageId, 'dev');

    const admin = await buildUser(t.ctx, { role: 'admin' });
    const agent = await signIn(t.app, admin);
    const page = await agent.get('/admin/outbox').expect(200);
    assert.match(page.text, /ada@example\.org/);
    assert.match(page.text, /http:\/\/127\.0\.0\.1:3000\/admin\/outbox/, 'the text with its link is shown');
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.match(page.text, /&lt;script&gt;alert/);
    assert.match(page.text, /href="\/admin\/audit"/, 'menu has the audit log');
  });

  test('non-admins and anonymous users are kept out', async () => {
    const trainer = await buildUser(t.ctx, { role: 'trainer' });
    const agent = await signIn(t.app, trainer);
    await agent.get('/admin/outbox').expect(403);
    await agent.get('/admin/audit').expect(403);
    const anon = await request(t.app).get('/admin/outbox');
    assert.equal(anon.status, 303);
    assert.match(anon.headers.location ?? '', /\/login/);
  });

  test('retry puts a dead letter back in the queue, is audited, and refuses other states', async () => {
    const admin = await buildUser(t.ctx, { role: 'admin' });
    const agent = await signIn(t.app, admin);
    const Outbox = outboxModel(t.ctx.db);
    await enqueueEmail(t.ctx, {
      to: 'dead@example.org',
      template: 'notifications/test-message',
      locale: 'en',
    });
    const dead = await Outbox.findOneAndUpdate(
      { to: 'dead@example.org' },
      { $set: { status: 'dead', attempts: 6, lastError: '550 mailbox unavailable' } },
      { new: true },
    ).lean();
    const id = String(dead!._id);
    const csrf = await tokenFor(agent, '/admin/outbox');
    await agent.post(`/admin/outbox/${id}/retry`).type('form').send({ _csrf: csrf }).expect(303);
    const revived = await Outbox.findById(id).lean();
    assert.equal(revived?.status, 'pending');
    assert.equal(revived?.attempts, 0);
    const events = await auditModel(t.ctx.db).find({ action: 'email.retried' }).lean();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.targetId, id);

    await agent.post(`/admin/outbox/${id}/retry`).type('form').send({ _csrf: csrf }).expect(409);
    await agent
      .post(`/admin/outbox/${'0'.repeat(24)}/retry`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(404);
    await agent.post('/admin/outbox/not-an-id/retry').type('form').send({ _csrf: csrf }).expect(404);
    await agent.post(`/admin/outbox/${id}/retry`).type('form').send({}).expect(403);
    await agent
      .post(`/admin/outbox/${id}/retry`)
      .type('form')
      .send({ _csrf: csrf, status: 'sent' })
      .expect(400);
  });

  test('an admin can queue a test message to their own address', async () => {
    const admin = await buildUser(t.ctx, { role: 'admin' });
    const agent = await signIn(t.app, admin);
    const csrf = await tokenFor(agent, '/admin/outbox');
    await agent.post('/admin/outbox/test').type('form').send({ _csrf: csrf }).expect(303);
    const queued = await outboxModel(t.ctx.db).find({ to: admin.email }).lean();
    assert.equal(queued.length, 1);
    assert.equal(queued[0]?.template, 'notifications/test-message');
  });
});

describe('admin audit log page', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('lists events newest first, filters by type and action, pages by time', async () => {
    const admin = await buildUser(t.ctx, { role: 'admin' });
    const actor = { id: String(admin._id), role: 'admin' as const };
    const Audit = auditModel(t.ctx.db);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    // Ten events share each second, so a page boundary falls inside one instant.
    const docs = Array.from({ length: 60 }, (_, i) => ({
      at: new Date(t0 + Math.floor(i / 10) * 1000),
      actorId: admin._id,
      actorRole: 'admin',
      action: i % 2 ? 'pitch.submitted' : 'trainee.viewed',
      targetType: i % 2 ? 'pitch' : 'user',
      targetId: `id-${i}`,
    }));
    await Audit.insertMany(docs);
    await recordAudit(t.ctx, actor, 'report.exported', { type: 'report', id: 'r-<b>1</b>' });

    const agent = await signIn(t.app, admin);
    const first = await agent.get('/admin/audit').expect(200);
    assert.match(first.text, /report\.exported/);
    assert.match(first.text, /r-&lt;b&gt;1&lt;\/b&gt;/, 'ids are escaped');
    assert.equal((first.text.match(/<tr>/g) ?? []).length - 1, 50, 'one page of 50 rows');
    const older = /href="([^"]+)" rel="next"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(older, 'a link to older events');
    const second = await agent.get(older).expect(200);
    assert.equal((second.text.match(/<tr>/g) ?? []).length - 1, 11);
    assert.match(second.text, /id-0</);
    assert.doesNotMatch(second.text, /rel="next"/);
    const ids = (html: string) => [...html.matchAll(/<code>(id-\d+|r-[^<]*)<\/code>/g)].map((m) => m[1]);
    const all = [...ids(first.text), ...ids(second.text)];
    assert.equal(all.length, 61);
    assert.equal(new Set(all).size, 61, 'no event skipped or repeated across pages');

    const pitches = await agent.get('/admin/audit?targetType=pitch&action=pitch.submitted').expect(200);
    assert.equal((pitches.text.match(/<tr>/g) ?? []).length - 1, 30);
    assert.doesNotMatch(pitches.text, /trainee\.viewed/);
  });

  test('bad filters are a 400, operator objects are not filters', async () => {
    const admin = await buildUser(t.ctx, { role: 'admin' });
    const agent = await signIn(t.app, admin);
    await agent.get('/admin/audit?before=yesterday').expect(400);
    await agent.get('/admin/audit?before=2026-01-01T00:00:00Z&beforeId=nope').expect(400);
    await agent.get('/admin/audit?targetType[$ne]=x').expect(400);
    await agent.get('/admin/audit?targetType=a&targetType=b').expect(400);
    await agent.get('/admin/audit?sort=at').expect(400);
    await agent.get(`/admin/audit?action=${'a'.repeat(81)}`).expect(400);
  });
});

describe('admin outbox page with SMTP configured', () => {
  test('message text (reset and invite links) is not shown when mail really goes out', async () => {
    const t = await buildTestApp({ mailTransport: smtpTransport(await closedPort()) });
    try {
      assert.equal(t.ctx.mailer.kind, 'smtp');
      await enqueueEmail(t.ctx, {
        to: 'ada@example.org',
        template: 'notifications/test-message',
        locale: 'en',
      });
      const admin = await buildUser(t.ctx, { role: 'admin' });
      const agent = await signIn(t.app, admin);
      const page = await agent.get('/admin/outbox').expect(200);
      assert.match(page.text, /ada@example\.org/);
      assert.doesNotMatch(page.text, /If you can read it/);
      assert.doesNotMatch(page.text, /<pre class="mail-text">/);
    } finally {
      await t.close();
    }
  });
});
