import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildTestApp, type TestApp } from '../support/app';
import { buildCourse, buildUser, signIn, tokenFor } from '../factories';
import { dateFormatter } from '../../server/i18n';
import { listAudit } from '../../modules/audit';
import { issueCertificate, certificateByCode } from '../../modules/certificates';
import { certificateModel } from '../../modules/certificates/model';
import { normalizeCode } from '../../modules/certificates/code';
import { stable } from './helpers';
import { binary } from '../support/binary';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const enDate = (d: Date) => dateFormatter('en', t.ctx.config.defaultTimeZone).date(d);

async function holderWithCertificate(fields: { name?: string } = {}) {
  const user = await buildUser(t.ctx, fields);
  const { course } = await buildCourse(t.ctx, {
    title: { en: 'Reporting on trafficking', mn: 'Хүний наймааны тухай мэдээлэх' },
  });
  const cert = await issueCertificate(t.ctx, user._id, course._id);
  return { user, course, cert };
}

test('twenty parallel issues create one certificate with a well-formed code', async () => {
  const user = await buildUser(t.ctx, { name: 'Solongo Bat' });
  const { course } = await buildCourse(t.ctx, {
    title: { en: 'Reporting on trafficking', mn: 'Хүний наймааны тухай мэдээлэх' },
  });
  const results = await Promise.all(
    Array.from({ length: 20 }, () => issueCertificate(t.ctx, String(user._id), String(course._id))),
  );
  assert.equal(new Set(results.map((c) => String(c._id))).size, 1);
  assert.equal(await certificateModel(t.ctx.db).countDocuments({ userId: user._id }), 1);
  const cert = results[0]!;
  assert.match(cert.code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.equal(cert.holderName, 'Solongo Bat');
  assert.deepEqual(cert.courseTitle, course.title);
  assert.equal(cert.showName, false);
  const again = await issueCertificate(t.ctx, user._id, course._id);
  assert.equal(String(again._id), String(cert._id));
});

test('codes forgive case, dashes and look-alike letters', () => {
  assert.equal(normalizeCode('abcd efgh jk0o'), 'ABCD-EFGH-JK00');
  assert.equal(normalizeCode('1lI1-2222-3333'), '1111-2222-3333');
  assert.equal(normalizeCode('UUUU-2222-3333'), undefined);
  assert.equal(normalizeCode('short'), undefined);
});

test('the holder lists and downloads their bilingual PDF with the Cyrillic font embedded', async () => {
  const { user, cert } = await holderWithCertificate({ name: 'Сараа Дорж' });
  const agent = await signIn(t.app, user);
  const list = await agent.get('/certificates').expect(200);
  assert.match(list.text, new RegExp(cert.code));
  assert.match(list.text, /Reporting on trafficking/);

  const res = await agent.get(`/certificates/${cert._id}/pdf`).buffer(true).parse(binary).expect(200);
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.match(res.headers['content-disposition']!, /^attachment; filename="certificate-[0-9A-Z-]+\.pdf"$/);
  assert.equal(res.headers['cache-control'], 'no-store');
  const pdf = res.body as Buffer;
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
  const bytes = pdf.toString('latin1');
  assert.ok(bytes.includes(cert.code), 'the verification code is in the file');
  assert.match(bytes, /\/BaseFont \/[A-Z]{6}\+DejaVuSans/, 'DejaVu Sans is embedded');
  assert.ok(!/\/BaseFont \/Helvetica/.test(bytes), 'no Latin-1-only standard font');

  const audit = await listAudit(t.ctx, { action: 'certificate.downloaded', targetId: String(cert._id) });
  assert.equal(audit.length, 1);
  assert.equal(String(audit[0]!.actorId), String(user._id));
});

test("another user's certificate PDF, and a malformed id, are 404", async () => {
  const { cert } = await holderWithCertificate();
  const other = await buildUser(t.ctx);
  const agent = await signIn(t.app, other);
  await agent.get(`/certificates/${cert._id}/pdf`).expect(404);
  await agent.get('/certificates/not-an-id/pdf').expect(404);
  const token = await tokenFor(agent, '/certificates');
  await agent
    .post(`/certificates/${cert._id}/show-name`)
    .type('form')
    .send({ _csrf: token, showName: 'true' })
    .expect(404);
  const after = await certificateModel(t.ctx.db).findById(cert._id).lean();
  assert.equal(after!.showName, false);
  await request(t.app).get(`/certificates/${cert._id}/pdf`).expect(303);
});

test('the verify page shows course and date, and the name only when the holder allows it', async () => {
  const { user, cert } = await holderWithCertificate({ name: 'Naraa Ganbold' });
  const page = await request(t.app).get(`/verify/${cert.code}`).set('Accept-Language', 'en').expect(200);
  assert.match(page.text, /This certificate is valid/);
  assert.match(page.text, /Reporting on trafficking/);
  assert.ok(page.text.includes(enDate(cert.issuedAt)));
  assert.ok(!page.text.includes('Naraa Ganbold'));
  assert.match(page.text, /<meta name="robots" content="noindex">/);
  assert.equal(page.headers['x-robots-tag'], 'noindex, nofollow');

  const agent = await signIn(t.app, user);
  const token = await tokenFor(agent, '/certificates');
  await agent
    .post(`/certificates/${cert._id}/show-name`)
    .type('form')
    .send({ _csrf: token, showName: 'true' })
    .expect(303);
  const shown = await request(t.app)
    .get(`/verify?code=${cert.code.toLowerCase().replace(/-/g, '')}`)
    .set('Accept-Language', 'en')
    .expect(200);
  assert.match(shown.text, /Naraa Ganbold/);
  assert.ok(!shown.text.includes(user.email));

  const mn = await request(t.app).get(`/verify/${cert.code}`).set('Accept-Language', 'mn').expect(200);
  assert.match(mn.text, /Хүний наймааны тухай мэдээлэх/);
});

test('the show-name toggle rejects bad input and stores nothing', async () => {
  const { user, cert } = await holderWithCertificate();
  const agent = await signIn(t.app, user);
  const token = await tokenFor(agent, '/certificates');
  for (const body of [{ showName: 'yes' }, { showName: 'true', holderName: 'Someone else' }, {}]) {
    await agent
      .post(`/certificates/${cert._id}/show-name`)
      .type('form')
      .send({ _csrf: token, ...body })
      .expect(400);
  }
  const after = await certificateModel(t.ctx.db).findById(cert._id).lean();
  assert.equal(after!.showName, false);
  assert.equal(after!.holderName, cert.holderName);
});

test('unknown and malformed codes get the same 404 page', async () => {
  const unknown = await request(t.app).get('/verify/ZZZZ-ZZZZ-ZZZZ').set('Accept-Language', 'en').expect(404);
  const malformed = await request(t.app).get('/verify/not-a-code').set('Accept-Language', 'en').expect(404);
  const viaForm = await request(t.app).get('/verify?code=%3Cx%3E').set('Accept-Language', 'en').expect(404);
  assert.match(unknown.text, /There is no certificate with this code/);
  assert.equal(stable(unknown.text), stable(malformed.text));
  assert.equal(stable(unknown.text), stable(viaForm.text));
  const form = await request(t.app).get('/verify').set('Accept-Language', 'en').expect(200);
  assert.match(form.text, /name="code"/);
});

test('a trainer revokes once; the public page and the holder list show it as revoked', async () => {
  const { user, cert } = await holderWithCertificate();
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const staff = await signIn(t.app, trainer);
  const list = await staff.get('/trainer/certificates').expect(200);
  assert.match(list.text, new RegExp(cert.code));
  const token = await tokenFor(staff, '/trainer/certificates');
  await staff
    .post(`/trainer/certificates/${cert._id}/revoke`)
    .type('form')
    .send({ _csrf: token, reason: 'ab' })
    .expect(400);
  assert.equal((await certificateByCode(t.ctx, cert.code))!.revokedAt, undefined);
  // The too-short reason comes back beside that certificate's form, as typed and explained.
  const refused = await staff
    .post(`/trainer/certificates/${cert._id}/revoke`)
    .type('form')
    .send({ _csrf: token, reason: 'ab' })
    .expect(400);
  assert.match(refused.text, new RegExp(`id="reason-${cert._id}"[^>]*value="ab"[^>]*aria-invalid="true"`));
  assert.match(refused.text, /Give a reason of at least 3 characters\./);

  await staff
    .post(`/trainer/certificates/${cert._id}/revoke`)
    .type('form')
    .send({ _csrf: token, reason: 'Issued in error' })
    .expect(303);
  await staff
    .post(`/trainer/certificates/${cert._id}/revoke`)
    .type('form')
    .send({ _csrf: token, reason: 'Twice' })
    .expect(409);
  const stored = await certificateByCode(t.ctx, cert.code);
  assert.equal(stored!.revokeReason, 'Issued in error');
  assert.equal(String(stored!.revokedBy), String(trainer._id));
  const audit = await listAudit(t.ctx, { action: 'certificate.revoked', targetId: String(cert._id) });
  assert.equal(audit.length, 1);

  const page = await request(t.app).get(`/verify/${cert.code}`).set('Accept-Language', 'en').expect(200);
  assert.match(page.text, /This certificate was revoked/);
  assert.ok(page.text.includes(enDate(stored!.revokedAt!)));
  assert.ok(!page.text.includes('Issued in error'), 'the reason stays internal');

  const holder = await signIn(t.app, user);
  const mine = await holder.get('/certificates').expect(200);
  assert.match(mine.text, /Revoked on/);
  await holder.get(`/certificates/${cert._id}/pdf`).expect(409);
  await staff
    .post('/trainer/certificates/0123456789abcdef01234567/revoke')
    .type('form')
    .send({ _csrf: token, reason: 'Nope' })
    .expect(404);
});

test('a journalist cannot list or revoke certificates', async () => {
  const { user, cert } = await holderWithCertificate();
  const agent = await signIn(t.app, user);
  await agent.get('/trainer/certificates').expect(403);
  const token = await tokenFor(agent, '/certificates');
  await agent
    .post(`/trainer/certificates/${cert._id}/revoke`)
    .type('form')
    .send({ _csrf: token, reason: 'Because I can' })
    .expect(403);
  assert.equal((await certificateByCode(t.ctx, cert.code))!.revokedAt, undefined);
});

test('a script in the holder name is escaped on the verify page and the trainer list', async () => {
  const payload = '<script>alert(1)</script>';
  const { cert } = await holderWithCertificate({ name: payload });
  await certificateModel(t.ctx.db).updateOne({ _id: cert._id }, { $set: { showName: true } });
  const page = await request(t.app).get(`/verify/${cert.code}`).set('Accept-Language', 'en').expect(200);
  assert.ok(!page.text.includes(payload));
  assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const staff = await signIn(t.app, admin);
  const list = await staff.get('/trainer/certificates').expect(200);
  assert.ok(!list.text.includes(payload));
});
