/**
 * The programme report over a whole programme (see fixture.ts): every figure against values worked
 * out by hand, the page in both languages, the PDF, the rows behind each figure, and who may see it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { binary } from '../support/binary';
import { buildUser, signIn } from '../factories';
import { programmeReport } from '../../modules/programme/report';
import { buildProgramme, PERIOD } from './fixture';
import { pdfText } from './pdf-text';

let t: TestApp;
let p: Awaited<ReturnType<typeof buildProgramme>>;
let admin: Awaited<ReturnType<typeof signIn>>;
before(async () => {
  t = await buildTestApp();
  p = await buildProgramme(t.ctx);
  admin = await signIn(t.app, p.admin);
});
after(() => t.close());

const S = { value: null, suppressed: true };
const v = (value: number) => ({ value, suppressed: false });
const close = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 0.001,
    `${what}: ${actual} ≠ ${expected}`,
  );
const q = () => ({ ...PERIOD, course: p.course.slug });

test('every figure of the report, worked out by hand', async () => {
  const r = await programmeReport(t.ctx, { id: String(p.admin._id), role: 'admin' }, q());
  assert.equal(r.min, 5);
  // 1 Jan 00:00 and 1 Jan 2031 00:00 in Ulaanbaatar (UTC+8).
  assert.equal(r.period.from.toISOString(), '2029-12-31T16:00:00.000Z');
  assert.equal(r.period.to.toISOString(), '2030-12-31T16:00:00.000Z');

  // Trainees: u1–u12 enrolled (u12 at 00:30 on 1 Jan in UB counts; u13 at 23:59 on 31 Dec does not;
  // u14 is another course) = 12. Completed before the end: u1–u6 and u8 = 7 (u7 finished in 2031).
  const tr = r.training!;
  assert.deepEqual(tr.enrolled, v(12));
  assert.deepEqual(tr.completed, v(7));
  // Region: Darkhan-Uul 3 (u8–u10), Orkhon 1 (u11), Ulaanbaatar 7 (u1–u7), not stated 1 (u12).
  // 3, 1 and 1 are under 5: hidden (three hidden, so no second one needed). Completed: Ulaanbaatar
  // u1–u6 = 6; the others are hidden with their enrolled counts.
  assert.deepEqual(
    tr.groups.region.map((g) => [g.key, g.enrolled, g.completed]),
    [
      ['Darkhan-Uul', S, S],
      ['Orkhon', S, S],
      ['Ulaanbaatar', v(7), v(6)],
      ['', S, S],
    ],
  );
  // Outlet type, only with consent (u12 gave radio without consent: not stated): newspaper 6
  // (u1–u6), tv 5 (u7–u11), not stated 1. The one small cell (1) is hidden, and so is the smallest
  // other non-zero cell, tv's 5: otherwise 12 − 6 − 5 = 1 gives it away. Completed: newspaper 6; tv
  // (u8) and not stated hidden with their enrolled counts; zeros shown.
  assert.deepEqual(
    tr.groups.outletType.map((g) => [g.key, g.enrolled, g.completed]),
    [
      ['newspaper', v(6), v(6)],
      ['tv', S, S],
      ['radio', v(0), v(0)],
      ['online', v(0), v(0)],
      ['freelance', v(0), v(0)],
      ['other', v(0), v(0)],
      ['', S, S],
    ],
  );
  // Gender with consent: female u1–u5 = 5, male u6–u10 = 5, other u11 = 1, not stated u12 = 1.
  // Completed: female 5; male u6 + u8 = 2 (under 5: hidden); other and not stated hidden.
  assert.deepEqual(
    tr.groups.gender.map((g) => [g.key, g.enrolled, g.completed]),
    [
      ['female', v(5), v(5)],
      ['male', v(5), S],
      ['other', S, S],
      ['', S, S],
    ],
  );

  // Sessions: S1 and S2 held (S3 cancelled, S4 in 2031). Sign-ups of the period's trainees: S1 10,
  // S2 6 (u13 is not one) = 16 by 10 people. Attendances: 8 + 3 = 11 by 8 people. Rate 11/16 = 68.75 %.
  const a = r.attendance!;
  assert.equal(a.held, 2);
  assert.deepEqual(a.signedUp, v(16));
  assert.deepEqual(a.attendances, v(11));
  assert.deepEqual(a.attendees, v(8));
  assert.deepEqual(a.rate, v(68.75));
  // Per session: sign-ups 10 and 6 shown; attended 8 and 3: the 3 is hidden, and then the 8 too
  // (11 − 8 = 3).
  assert.deepEqual(
    a.sessions.map((s) => [s.title.en, s.signedUp, s.attended]),
    [
      ['S1', v(10), S],
      ['S2', v(6), S],
    ],
  );

  // Knowledge, objective A: u1–u6 paired (cohort K1; u13 is in K2). Share right before: u1–u5 0,
  // u6 100 → 16.667 %; after: all 100 %. Changes d = 100 ×5, 0: mean 83.333; s² = (50 000 − 6 ×
  // 83.333²)/5 = 1 666.67; s/√6 = 16.667; t(0.975, 5) = 2.570582 → ± 42.843: [40.490, 126.176],
  // above zero: shown. Objective B: u1–u4 only (u5, u6 were not asked q2) → n = 4: suppressed.
  const [objA, objB] = r.knowledge!.objectives;
  assert.equal(objA!.id, 'A');
  assert.deepEqual(objA!.n, v(6));
  close(objA!.preShare, 100 / 6, 'A before');
  close(objA!.postShare, 100, 'A after');
  close(objA!.gain, 500 / 6, 'A gain');
  close(objA!.ci?.[0], 500 / 6 - 2.570582 * (100 / 6), 'A low');
  close(objA!.ci?.[1], 500 / 6 + 2.570582 * (100 / 6), 'A high');
  assert.equal(objA!.shown, true);
  assert.deepEqual(
    { id: objB!.id, n: objB!.n, gain: objB!.gain, ci: objB!.ci, suppressed: objB!.suppressed },
    { id: 'B', n: S, gain: null, ci: null, suppressed: true },
  );
  // Attitude "att": u1–u6 before 2,2,3,3,4,2 (mean 2.667) after 4,4,4,5,4,3 (mean 4); d = 2,2,1,2,0,1:
  // mean 1.333, Σd² = 14, s² = (14 − 6 × 1.778)/5 = 0.6667, s/√6 = 0.3333 → ± 0.85686:
  // [0.4765, 2.1902], shown. Practice "prac": u1–u3 → n = 3: suppressed.
  const [att, prac] = r.knowledge!.kap;
  assert.equal(att!.sid, 'att');
  assert.deepEqual(att!.n, v(6));
  close(att!.preMean, 16 / 6, 'att before');
  close(att!.postMean, 4, 'att after');
  close(att!.shift, 8 / 6, 'att shift');
  close(att!.ci?.[0], 8 / 6 - 2.570582 / 3, 'att low');
  close(att!.ci?.[1], 8 / 6 + 2.570582 / 3, 'att high');
  assert.equal(att!.shown, true);
  assert.deepEqual([prac!.sid, prac!.n, prac!.shift, prac!.suppressed], ['prac', S, null, true]);
  assert.equal(r.knowledge!.outsideCohorts, 0);
  // Everyone in scope took both tests: none is left out of the knowledge figures.
  assert.deepEqual(r.knowledge!.unpaired, { preOnly: v(0), postOnly: v(0) });

  // Grants: C1 only (C2 opened in 2029, C3 is a draft). Pitches received p1–p8 (p9 a draft) = 8 by 8
  // people. Funded p1–p5 and p7 = 6; amount 1 000 000 + 1 500 000 + 2 000 000 + 500 000 + 1 000 000 +
  // 800 000 = 6 800 000 (C2's 9 000 000 is outside).
  const g = r.grants!;
  assert.equal(g.calls, 1);
  assert.deepEqual(g.pitches, v(8));
  assert.deepEqual(g.funded, v(6));
  assert.deepEqual(g.amount, v(6_800_000));
  // By theme: pitches tip p1–p6 = 6, migration p6–p8 = 3 (hidden), media p1–p5 = 5 (hidden as the
  // smallest other). Funded: tip p1–p5 = 5, migration p7 = 1 (hidden), media p1–p5 = 5: of the two
  // fives the first, tip, is hidden too. Amounts follow the funded cells: media 6 000 000.
  assert.deepEqual(
    g.byTheme.map((x) => [x.id, x.pitches, x.funded, x.amount]),
    [
      ['tip', v(6), S, S],
      ['migration', S, S, S],
      ['media', S, v(5), v(6_000_000)],
    ],
  );
  assert.deepEqual(
    g.byCall.map((c) => [c.title.en, c.pitches, c.funded, c.amount]),
    [['Stories 2030', v(8), v(6), v(6_800_000)]],
  );
  assert.deepEqual(
    g.fundedRows.map((f) => [f.reference, f.amount]),
    [
      ['DU30-0001', 1_000_000],
      ['DU30-0002', 1_500_000],
      ['DU30-0003', 2_000_000],
      ['DU30-0004', 500_000],
      ['DU30-0005', 1_000_000],
      ['DU30-0007', 800_000],
    ],
  );

  // Publications: pieces 1–3 (piece 4 is from 2029). Views: piece 1's latest verified 2 500 (not the
  // unverified 9 000) + piece 3's 1 200 = 3 700; shares 40; comments 0 (unverified); airings 3; the
  // TV piece's link is dead.
  const i = r.impact!;
  assert.equal(i.pieces, 3);
  assert.deepEqual(i.byFormat, { article: 1, tv: 1, radio: 0, social: 1 });
  assert.deepEqual(i.verifiedReach, { views: 3700, shares: 40, comments: 0, airings: 3 });
  assert.equal(i.deadLinks, 1);
  assert.deepEqual(
    i.pieceRows.map((x) => [x.outlet, x.verifiedReach]),
    [
      ['Outlet 1', { views: 2500, shares: 40 }],
      ['Outlet 2', { airings: 3 }],
      ['Outlet 3', { views: 1200 }],
    ],
  );
});

test('the page shows the figures with suppression spelled out, in English and Mongolian', async () => {
  const qs = new URLSearchParams(q()).toString();
  const en = await admin.get(`/programme?${qs}`).expect(200);
  assert.match(en.text, /<h1>Programme report<\/h1>/);
  assert.match(en.text, /Trainees enrolled: <strong>12<\/strong>/);
  assert.match(en.text, /Trainees who completed: <strong>7<\/strong>/);
  assert.match(en.text, /suppressed \(fewer than 5\)/);
  assert.match(en.text, /6,800,000 ₮/);
  assert.match(en.text, /68\.8%/);
  assert.match(en.text, /<td>3,700<\/td>/);
  assert.match(en.text, /role="region" aria-labelledby="by-gender-caption"/);
  assert.match(en.text, /href="\/programme\/rows\/enrolled\?from=2030-01-01&amp;to=2030-12-31&amp;course=/);
  assert.doesNotMatch(en.text, /Trainee u1\b/, 'no trainee names on the page');
  const mn = await signIn(t.app, p.adminMn);
  const page = await mn.get(`/programme?${qs}`).expect(200);
  assert.match(page.text, /<h1>Хөтөлбөрийн тайлан<\/h1>/);
  assert.match(page.text, /нууцалсан \(хүн цөөн, доод хязгаар 5\)/);
  assert.match(page.text, /Элссэн суралцагч: <strong>12<\/strong>/);
  assert.match(page.text, /Хүний наймаа/);
});

test('a wrong period re-renders the form with the field marked and the value kept', async () => {
  const res = await admin.get('/programme?from=2030-12-31&to=2030-01-01').expect(400);
  assert.match(res.text, /id="f-to"[^>]*aria-invalid="true"/);
  assert.match(res.text, /value="2030-12-31"/);
  assert.match(res.text, /The last day must be on or after the first day/);
  await admin.get('/programme?from=2030-02-30&to=2030-03-01').expect(400);
  await admin.get('/programme?from=yesterday').expect(400);
  await admin.get('/programme?from=2030-01-01&extra=1').expect(400);
  await admin.get('/programme?course=no-such-course').expect(404);
});

test('the PDF opens, has pages and reads in Mongolian', async () => {
  const qs = new URLSearchParams(q()).toString();
  const mn = await signIn(t.app, await buildUser(t.ctx, { role: 'admin', locale: 'mn' }));
  const res = await mn.get(`/programme/report.pdf?${qs}`).buffer(true).parse(binary).expect(200);
  const pdf = res.body as Buffer;
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(pdf.subarray(-8).toString('latin1'), /%%EOF/);
  assert.ok((pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length >= 1, 'at least one page');
  assert.equal(res.headers['cache-control'], 'no-store');
  const text = pdfText(pdf).join('\n');
  assert.match(text, /Хөтөлбөрийн тайлан/);
  assert.match(text, /Элссэн суралцагч: 12/);
  assert.match(text, /нууцалсан \(хүн цөөн, доод хязгаар 5\)/);
  assert.match(text, /Аюулгүй шилжилтийн сурвалжлага/);
  const en = await admin.get(`/programme/report.pdf?${qs}`).buffer(true).parse(binary).expect(200);
  const enText = pdfText(en.body as Buffer).join('\n');
  assert.match(enText, /Trainees enrolled: 12/);
  assert.match(enText, /Verified reach: Views: 3,700/);
  const events = await t.ctx.db.collection('auditevents').find({ action: 'report.exported' }).toArray();
  assert.ok(events.some((e) => e.meta?.report === 'programme' && e.meta?.format === 'pdf'));
});

const csv = async (agent: Awaited<ReturnType<typeof signIn>>, figure: string, status = 200) => {
  const qs = new URLSearchParams(q()).toString();
  const res = await agent.get(`/programme/rows/${figure}?${qs}`).expect(status);
  return res;
};

test('each figure downloads its rows as CSV, suppressed where the figure is, never answers', async () => {
  const enrolled = await csv(admin, 'enrolled');
  assert.equal(enrolled.headers['cache-control'], 'no-store');
  assert.match(String(enrolled.headers['content-type']), /text\/csv/);
  const lines = enrolled.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\n');
  assert.equal(lines[0], 'Name,Cohort,Status,Enrolled at,Completed at');
  assert.equal(lines.length, 13, 'a header and the 12 trainees');
  // Dates in ISO 8601 with the programme zone's offset; u12's 16:30Z is 00:30 on 1 Jan in UB.
  assert.ok(lines.includes('Trainee u12,Spring 2030,In progress,2030-01-01T00:30:00+08:00,'));
  assert.ok(
    lines.includes('Trainee u1,Spring 2030,Completed,2030-03-01T08:00:00+08:00,2030-05-01T08:00:00+08:00'),
  );
  // No region, outlet type or gender beside a name: a hidden group cannot be counted back.
  assert.doesNotMatch(enrolled.text, /Darkhan|newspaper|female/i);
  const completed = await csv(admin, 'completed');
  assert.equal(completed.text.trim().split('\n').length, 8);
  assert.doesNotMatch(completed.text, /Trainee u7,/);

  const groups = (await csv(admin, 'groups')).text;
  assert.match(groups, /By region,Ulaanbaatar,7,6/);
  assert.match(groups, /By region,Orkhon,suppressed \(fewer than 5\),suppressed \(fewer than 5\)/);
  assert.match(groups, /By outlet type,Television,suppressed \(fewer than 5\),suppressed \(fewer than 5\)/);
  assert.match(groups, /By gender,Men,5,suppressed \(fewer than 5\)/);

  const attendance = (await csv(admin, 'attendance')).text;
  assert.match(attendance, /S1,Workshop,2030-03-10T10:00:00\+08:00,20,10,suppressed \(fewer than 5\)/);
  assert.match(attendance, /S2,Workshop,2030-04-10T10:00:00\+08:00,20,6,suppressed \(fewer than 5\)/);

  const knowledge = (await csv(admin, 'knowledge')).text;
  assert.match(knowledge, /Define trafficking,6,16\.7,100,83\.3,40\.5,126\.2,Shown/);
  assert.match(knowledge, /Protect sources,suppressed \(fewer than 5\),,,,,,/);
  const kap = (await csv(admin, 'kap')).text;
  assert.match(kap, /Statement att,6,2\.67,4,1\.33,0\.48,2\.19,Shown/);
  assert.match(kap, /Statement prac,suppressed \(fewer than 5\)/);
  // Aggregates only: no trainee, no answer.
  assert.doesNotMatch(knowledge + kap, /Trainee|choice/);

  assert.match(
    (await csv(admin, 'calls')).text,
    /Stories 2030,2030-02-01T08:00:00\+08:00,2030-03-01T08:00:00\+08:00,8,6,6800000/,
  );
  const themes = (await csv(admin, 'themes')).text;
  assert.match(themes, /Trafficking,6,suppressed \(fewer than 5\),suppressed \(fewer than 5\)/);
  assert.match(themes, /Media ethics,suppressed \(fewer than 5\),5,6000000/);
  const funded = (await csv(admin, 'funded')).text;
  assert.match(funded, /DU30-0007,Stories 2030,migration,800000,2030-03-10T08:00:00\+08:00/);
  assert.doesNotMatch(funded, /Pitch \d|Angle|Outlet/, 'no pitch text');
  const pubs = (await csv(admin, 'publications')).text;
  assert.match(
    pubs,
    /Outlet 1,https:\/\/news\.example\.org\/story\/1,2030-05-01T08:00:00\+08:00,Articles,mn,Live,2500,40,,/,
  );
  assert.match(pubs, /Outlet 2,.*,TV segments,mn,Dead,,,,3/);

  await csv(admin, 'nonsense', 404);
  const events = await t.ctx.db.collection('auditevents').find({ action: 'report.exported' }).toArray();
  assert.ok(events.some((e) => e.meta?.report === 'programme-enrolled' && e.meta?.format === 'csv'));
});

test('trainers see their own cohorts’ training figures only; others are refused', async () => {
  // T2 teaches K2, whose only trainee (u13) enrolled before the period: nothing to count, and no
  // grant or publication figures for a trainer.
  const t2 = await signIn(t.app, p.t2);
  const r2 = await programmeReport(t.ctx, { id: String(p.t2._id), role: 'trainer' }, q());
  assert.deepEqual(r2.training!.enrolled, v(0));
  assert.equal(r2.grants, undefined);
  assert.equal(r2.impact, undefined);
  const page = await t2.get(`/programme?${new URLSearchParams(q())}`).expect(200);
  assert.doesNotMatch(page.text, /Story grants|Publications and verified reach/);
  await csv(t2, 'funded', 404);
  await csv(t2, 'publications', 404);
  // Only the course T2 teaches: another course is a 404.
  await t2.get(`/programme?course=${p.other.slug}`).expect(404);
  // T1 teaches K1: the same twelve trainees as the admin.
  const r1 = await programmeReport(t.ctx, { id: String(p.t1._id), role: 'trainer' }, q());
  assert.deepEqual(r1.training!.enrolled, v(12));
  // Journalists and reviewers: 403; signed out: to the sign-in page.
  const journalist = await signIn(t.app, p.u[0]!);
  await journalist.get('/programme').expect(403);
  await journalist.get('/programme/report.pdf').expect(403);
  await journalist.get('/programme/rows/enrolled').expect(403);
  const reviewer = await signIn(t.app, await buildUser(t.ctx, { role: 'reviewer' }));
  await reviewer.get('/programme').expect(403);
  await reviewer.get('/programme/rows/funded').expect(403);
  const anonymous = await (await import('supertest')).default(t.app).get('/programme');
  assert.equal(anonymous.status, 303);
});
