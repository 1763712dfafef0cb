import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildTestApp, fixedClock, type TestApp } from '../support/app';
import { buildUser, signIn } from '../factories';
import { pitchModel } from '../../modules/grants/model';
import { outboxModel } from '../../modules/notifications/model';
import { fileSize } from '../../server/i18n';
import { completePitch, journalistWithDraft, PDF } from './helpers';

let t: TestApp;
// 09:30 UTC is 17:30 in Ulaanbaatar: the receipt shows the call's zone, not the server's or UTC.
const clock = fixedClock(new Date('2026-12-04T09:30:00Z'));
before(async () => {
  t = await buildTestApp({ clock });
});
after(() => t.close());

test('a submitted pitch has a printable receipt: reference, call, title, time in the call’s zone, files', async () => {
  const { agent, token, pitchId, user } = await journalistWithDraft(t);
  await agent
    .post(`/grants/pitches/${pitchId}/autosave`)
    .set('X-CSRF-Token', token)
    .set('Accept', 'application/json')
    .send({ ...completePitch(0), title: 'Buses <to> Erlian' })
    .expect(200);
  await agent
    .post(`/grants/pitches/${pitchId}/files`)
    .field('_csrf', token)
    .field('kind', 'sample')
    .attach('file', PDF, 'My sample.pdf')
    .expect(303);
  // A draft has no receipt yet.
  await agent.get(`/grants/pitches/${pitchId}/receipt`).expect(404);
  await agent.post(`/grants/pitches/${pitchId}/submit`).type('form').send({ _csrf: token }).expect(303);
  const pitch = (await pitchModel(t.ctx.db).findById(pitchId).lean())!;

  const editor = (await agent.get(`/grants/pitches/${pitchId}`).expect(200)).text;
  assert.ok(editor.includes(`href="/grants/pitches/${pitchId}/receipt">Printable receipt</a>`));
  const page = (await agent.get(`/grants/pitches/${pitchId}/receipt`).expect(200)).text;
  assert.match(page, new RegExp(`<dd class="reference">${pitch.reference}</dd>`));
  assert.match(pitch.reference!, /^DU\d{2}-0001$/);
  assert.ok(page.includes('<dd>“Dream Umbrella stories”</dd>'));
  assert.ok(page.includes('<dd>Buses &lt;to&gt; Erlian</dd>'), 'the title is escaped');
  assert.ok(page.includes('<dd>4 Dec 2026, 17:30 (Asia/Ulaanbaatar)</dd>'), 'received, in the call zone');
  const sha = createHash('sha256').update(PDF).digest('hex');
  assert.ok(page.includes(`<code>${sha.slice(0, 12)}</code>`));
  assert.ok(!page.includes(sha), 'only the start of the hash');
  assert.ok(page.includes('My sample.pdf'));
  assert.ok(
    page.includes(
      `<strong class="wrap">My sample.pdf</strong><br>Work sample · ${PDF.length} bytes · SHA-256 (start): <code>${sha.slice(0, 12)}</code>`,
    ),
  );
  assert.match(page, /class="no-print"/);

  // The receipt e-mail links to it (HTML and text).
  const mail = (await outboxModel(t.ctx.db).findOne({ to: user.email }).lean())!;
  assert.ok(
    mail.text.includes(`Printable receipt: `) && mail.text.includes(`/grants/pitches/${pitchId}/receipt`),
  );
  assert.ok(mail.html.includes(`/grants/pitches/${pitchId}/receipt">Printable receipt</a>`));

  // In Mongolian: the same facts, Mongolian labels and date.
  await agent.post('/lang').type('form').send({ _csrf: token, lang: 'mn', next: '/' });
  const mn = (await agent.get(`/grants/pitches/${pitchId}/receipt`).expect(200)).text;
  assert.match(mn, /Санал хүлээн авсан баримт/);
  assert.ok(mn.includes('«Мөрөөдлийн шүхэр нийтлэл»'));
  assert.ok(mn.includes('(Asia/Ulaanbaatar)'));
});

test('another journalist and bad ids get no receipt', async () => {
  const { agent, token, pitchId } = await journalistWithDraft(t);
  await agent
    .post(`/grants/pitches/${pitchId}/autosave`)
    .set('X-CSRF-Token', token)
    .set('Accept', 'application/json')
    .send(completePitch(0))
    .expect(200);
  await agent.post(`/grants/pitches/${pitchId}/submit`).type('form').send({ _csrf: token }).expect(303);
  const other = await signIn(t.app, await buildUser(t.ctx));
  await other.get(`/grants/pitches/${pitchId}/receipt`).expect(404);
  await other.get('/grants/pitches/not-an-id/receipt').expect(404);
});

test('file sizes read as people read them, in both languages', () => {
  assert.equal(fileSize(812, 'en'), '812 bytes');
  assert.equal(fileSize(340 * 1024, 'en'), '340 KB');
  assert.equal(fileSize(1.25 * 1024 * 1024, 'mn'), '1.3 МБ');
});
