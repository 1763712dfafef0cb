import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCall, buildUser, signIn } from '../factories';
import { buildPitch } from '../reviews/factories';
import { recordAudit } from '../../modules/audit';
import { assignmentModel } from '../../modules/reviews/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

test('the audit log names who acted and the pitch, call or person acted on; unknown ids stay ids', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin', name: 'Saraa Staff' });
  const journalist = await buildUser(t.ctx, { name: 'Oyunaa <b>Bat</b>' });
  const call = await buildCall(t.ctx, { title: { en: 'Border stories 2027', mn: 'Хилийн түүх' } });
  const pitch = await buildPitch(t.ctx, call, journalist, { title: 'Night buses to Erlian' });
  const actor = { id: String(admin._id), role: 'admin' as const };
  const gone = new Types.ObjectId();
  await recordAudit(t.ctx, actor, 'call.opened', { type: 'call', id: call._id });
  await recordAudit(t.ctx, { id: String(journalist._id), role: 'journalist' }, 'pitch.submitted', {
    type: 'pitch',
    id: pitch._id,
  });
  await recordAudit(t.ctx, actor, 'user.disabled', { type: 'user', id: journalist._id });
  await recordAudit(t.ctx, actor, 'pitch.viewed', { type: 'pitch', id: gone });
  await recordAudit(t.ctx, undefined, 'outbox.dead', { type: 'outbox', id: 'not-an-id' });
  const reviewer = await buildUser(t.ctx, { role: 'reviewer', name: 'Ganaa Reviewer' });
  const assignment = await assignmentModel(t.ctx.db).create({
    callId: call._id,
    pitchId: pitch._id,
    reviewerId: reviewer._id,
    status: 'accepted',
  });
  await recordAudit(t.ctx, actor, 'assignment.created', { type: 'assignment', id: assignment._id });

  const page = (await (await signIn(t.app, admin)).get('/admin/audit').expect(200)).text;
  assert.match(page, /<td>Saraa Staff <span class="muted">\(Program manager\)<\/span><\/td>/);
  assert.ok(page.includes('<td>Oyunaa &lt;b&gt;Bat&lt;/b&gt; <span'), 'names are escaped');
  assert.match(page, /pitch Night buses to Erlian<\/td>/);
  assert.match(page, /call Border stories 2027<\/td>/);
  assert.ok(page.includes('user Oyunaa &lt;b&gt;Bat&lt;/b&gt;</td>'));
  assert.match(page, /assignment Night buses to Erlian \(Ganaa Reviewer\)<\/td>/);
  for (const known of [admin._id, journalist._id, pitch._id, call._id, assignment._id])
    assert.ok(!page.includes(String(known)), `no raw id ${known}`);
  // A record that no module names (deleted, or a non-id key) is still shown by its id.
  assert.ok(page.includes(`<code>${gone}</code>`));
  assert.ok(page.includes('<code>not-an-id</code>'));
});
