import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from '../support/app';
import { binary } from '../support/binary';
import { signIn } from '../factories';
import { buildFixture } from './fixture';
import { completionMatrix } from '../../modules/reports/completion';
import { learningGain } from '../../modules/reports/gain';
import { itemAnalysis } from '../../modules/reports/items';
import { grantPipeline } from '../../modules/reports/pipeline';
import { cohortScope } from '../../modules/reports/data';
import { formulaSafe } from '../../modules/reports/export';
import { weightedScore } from '../../modules/reviews';
import ExcelJS from 'exceljs';
import { translator } from '../../server/i18n';

const rubric = [
  { id: 'c1', scaleMax: 5, weight: 2 },
  { id: 'c2', scaleMax: 5, weight: 1 },
];

let t: TestApp;
let f: Awaited<ReturnType<typeof buildFixture>>;
const close = (a: number | null | undefined, b: number, msg?: string) =>
  assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-9, `${msg ?? ''} expected ${b}, got ${a}`);

before(async () => {
  t = await buildTestApp();
  f = await buildFixture(t.ctx);
});
after(async () => t.close());

const agents = new Map<string, Promise<Awaited<ReturnType<typeof signIn>>>>();
/** One session per user: a TOTP code is never accepted twice, so staff sign in once per file. */
const as = (u: Parameters<typeof signIn>[1]) => {
  const key = String(u._id);
  if (!agents.has(key)) agents.set(key, signIn(t.app, u));
  return agents.get(key)!;
};

const asViewer = (u: { _id: unknown; role: string }) => ({ id: String(u._id), role: u.role as 'admin' });

describe('services: exact numbers', () => {
  test('completion matrix counts, cells and scope', async () => {
    const all = await completionMatrix(t.ctx, { courseId: f.courseId }, 1);
    assert.equal(all.total, 6);
    assert.deepEqual(all.counts, { enrolled: 1, in_progress: 2, completed: 3 });
    assert.deepEqual(all.totals, { lessons: 2, lessonQuizzes: 1 });
    const u1 = all.rows.find((r) => String(r.userId) === String(f.u1._id))!;
    assert.equal(u1.lessonsViewed, 2, 'distinct lessons');
    assert.equal(u1.lessonQuizzesPassed, 1);
    assert.deepEqual([u1.pre.status, u1.pre.score, u1.pre.attempts], ['submitted', 50, 2]);
    assert.deepEqual([u1.post.status, u1.post.score, u1.post.passed], ['submitted', 100, true]);
    const u3 = all.rows.find((r) => String(r.userId) === String(f.u3._id))!;
    assert.equal(u3.post.status, 'started');
    const u6 = all.rows.find((r) => String(r.userId) === String(f.u6._id))!;
    assert.equal(u6.pre.status, 'none');

    const scope = await cohortScope(t.ctx, asViewer(f.trainer1));
    const mine = await completionMatrix(t.ctx, { courseId: f.courseId, scope }, 1);
    assert.equal(mine.total, 3);
    assert.deepEqual(
      mine.rows.map((r) => String(r.userId)).sort(),
      [f.u1, f.u2, f.u3].map((u) => String(u._id)).sort(),
    );
    const filtered = await completionMatrix(
      t.ctx,
      { courseId: f.courseId, region: 'Darkhan-Uul', status: 'in_progress' },
      1,
    );
    assert.equal(filtered.total, 2);
    const mn = await completionMatrix(t.ctx, { courseId: f.courseId, language: 'en', sort: '-name' }, 1);
    assert.deepEqual(
      mn.rows.map((r) => r.name),
      ['Dulguun', '=HYPERLINK("http://evil.example")'],
    );
  });

  test('paired learning gain, normalised gain, per objective, region and language', async () => {
    const g = await learningGain(t.ctx, { courseId: f.courseId });
    assert.equal(g.summary?.n, 4);
    close(g.summary?.meanPre, 37.5, 'mean pre');
    // The first post-test attempt counts, not the best: u1's retake (100) is left out.
    close(g.summary?.meanPost, 75, 'mean post');
    close(g.summary?.meanGain, 37.5, 'mean gain');
    close(g.summary?.meanNormGain, (75 - 37.5) / (100 - 37.5), "Hake's gain on the means");
    assert.ok(g.summary?.ci, 'the headline gain has its interval');
    assert.equal(g.summary?.shown, false, 'four trainees are too few to call it shown');
    const byObj = Object.fromEntries(g.objectives.map((o) => [o.objective, o]));
    close(byObj.A?.preShare, 50);
    close(byObj.A?.postShare, 75);
    close(byObj.A?.gain, 25);
    close(byObj.B?.preShare, 25);
    close(byObj.B?.postShare, 75);
    close(byObj.B?.gain, 50);
    const region = Object.fromEntries(g.byRegion.map((x) => [x.key, x]));
    close(region['Ulaanbaatar']?.meanGain, 50 / 3);
    close(region['Darkhan-Uul']?.meanGain, 100);
    const language = Object.fromEntries(g.byLanguage.map((x) => [x.key, x]));
    close(language.mn?.meanGain, 50);
    close(language.en?.meanGain, 25);
    close(language.en?.meanNormGain, 0.5);
    const u1 = g.trainees.find((r) => String(r.userId) === String(f.u1._id))!;
    assert.deepEqual([u1.pre, u1.post, u1.gain, u1.normGain], [50, 50, 0, 0]);

    const scope = await cohortScope(t.ctx, asViewer(f.trainer1));
    const mine = await learningGain(t.ctx, { courseId: f.courseId, scope });
    assert.equal(mine.summary?.n, 2);
    close(mine.summary?.meanNormGain, 1 / 3, 'Hake on the means (25 → 50)');
    const k2 = await learningGain(t.ctx, { courseId: f.courseId, cohortId: f.k2 });
    assert.equal(k2.summary?.n, 2);
    close(k2.summary?.meanGain, 50);
  });

  test('item facility, discrimination, point-biserial, option shares, misconceptions', async () => {
    // First submitted attempts only: u1's post-test retake (100) is left out, as in the gain.
    const r = await itemAnalysis(t.ctx, { courseId: f.courseId, quizId: f.quiz.post });
    assert.equal(r.total, 4);
    const [q1, q2] = r.items;
    assert.equal(q1?.qid, 'q1');
    close(q1?.facility, 0.75);
    close(q2?.facility, 0.75);
    // Against the rest score (here the other question): u1 is right on q1 only, u2 on q2 only.
    close(q1?.pointBiserial, -1 / 3);
    close(q2?.pointBiserial, -1 / 3);
    // Groups of 1: upper = a third of each of the three tied at rest 100 (2 of 3 right), lower = u1.
    assert.equal(q1?.groupN, 1);
    close(q1?.discrimination, 2 / 3 - 1);
    assert.equal(q1?.rough, true);
    assert.deepEqual(
      q1?.options.map((o) => [o.id, o.share]),
      [
        ['a', 75],
        ['b', 25],
        ['c', 0],
      ],
    );
    assert.deepEqual(r.misconceptions, [], 'four answers are too few to rank');

    const pre = await itemAnalysis(t.ctx, { courseId: f.courseId, quizId: f.quiz.pre });
    assert.equal(pre.total, 5);
    assert.deepEqual(
      pre.misconceptions.map((m) => [m.qid, m.option.en, m.share]),
      [
        ['q2', 'Never', 80],
        ['q1', 'Yes, always', 20],
        ['q1', 'Sometimes', 20],
      ],
    );
    assert.equal(pre.misconceptions[1]?.option.mn, 'Тийм, үргэлж');
    assert.deepEqual(
      pre.misconceptions[1]?.lessons.map((l) => l.slug),
      ['lesson-a'],
    );
  });

  test('grant pipeline funnel, reviewers, scores, budget, themes', async () => {
    const p = await grantPipeline(t.ctx, f.callId);
    assert.deepEqual(
      p.funnel.map((s) => [s.key, s.n]),
      [
        ['eligible', 3],
        ['drafts', 5],
        ['submitted', 3],
        ['reviewed', 2],
        ['funded', 1],
        ['published', 1],
      ],
    );
    assert.deepEqual(
      p.reviewers.map((r) => [r.name, r.assigned, r.submitted, r.conflicts]),
      [
        ['Reviewer One', 3, 2, 0],
        ['Reviewer Two', 1, 1, 1],
      ],
    );
    assert.equal(p.scoredPitches, 2);
    assert.equal(
      p.scores.reduce((s, b) => s + b.n, 0),
      2,
    );
    // Weighted (c1 weight 2, c2 weight 1, both out of 5): p1 = mean(86.67, 60) = 73.33, p5 = 40.
    const w = (a: number, b: number) =>
      weightedScore(rubric, [
        { criterionId: 'c1', score: a },
        { criterionId: 'c2', score: b },
      ]);
    close((w(4, 5) + w(3, 3)) / 2, 220 / 3);
    assert.equal(p.weighted, true);
    assert.deepEqual(
      p.scores.map((b) => b.n),
      [0, 0, 0, 0, 1, 0, 0, 1, 0, 0],
    );
    assert.deepEqual(p.budget, { pool: 5000, used: 900, currency: 'USD' });
    assert.deepEqual(
      p.themes.map((x) => [x.id, x.n]),
      [['t1', 1]],
    );
    assert.deepEqual(
      p.uncovered.map((x) => x.id),
      ['t2'],
    );
  });

  test('formula-safe cells', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(formulaSafe(s), `'${s}`);
    assert.equal(formulaSafe('Алтанцэцэг'), 'Алтанцэцэг');
    assert.equal(formulaSafe(-5), -5);
  });
});

describe('routes', () => {
  test('a trainer sees only their cohorts: matrix, trainee page, CSV', async () => {
    const agent = await as(f.trainer1);
    const page = await agent.get('/reports/completion?course=tip').expect(200);
    assert.match(page.text, /Алтанцэцэг Бат/);
    assert.doesNotMatch(page.text, /Dulguun|Enkhjin|Fulan/);
    await agent.get(`/reports/trainees/${String(f.u4._id)}`).expect(404);
    await agent.get(`/reports/completion?course=tip&cohort=${String(f.k2)}`).expect(404);
    const own = await agent.get(`/reports/trainees/${String(f.u1._id)}`).expect(200);
    assert.match(
      own.text,
      /Does smuggling cross a border\?<\/th>\s*<td>B<\/td>\s*<td>Never<\/td>\s*<td>Wrong/,
    );
    const csv = await agent.get('/reports/export/completion?course=tip&format=csv').expect(200);
    assert.doesNotMatch(csv.text, /Dulguun|Enkhjin|Fulan/);
    assert.match(csv.text, /Chimeg/);
    const gain = await agent.get('/reports/export/gain?course=tip').expect(200);
    assert.doesNotMatch(gain.text, /Dulguun|Enkhjin/);
    await agent.get('/reports/pipeline').expect(403);
    await agent.get(`/reports/export/pipeline-funnel?call=${String(f.callId)}`).expect(404);
    const audit = await t.ctx.db.collection('auditevents').find({ action: 'trainee.viewed' }).toArray();
    assert.ok(audit.some((a) => a.targetId === String(f.u1._id)));
  });

  test('journalists cannot open reports; bad filters are a 400', async () => {
    const agent = await as(f.u1);
    await agent.get('/reports/completion').expect(403);
    const admin = await as(f.admin);
    await admin.get('/reports/completion?course=tip&bogus=1').expect(400);
    await admin.get('/reports/completion?course=tip&status=nope').expect(400);
    await admin.get('/reports/export/nope').expect(404);
  });

  test('CSV: BOM, formula escaping, Mongolian text, headers, audit', async () => {
    const admin = await as(f.admin);
    const res = await admin
      .get('/reports/export/completion?course=tip&format=csv')
      .buffer(true)
      .parse(binary)
      .expect(200);
    const body = res.body as Buffer;
    assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = body.toString('utf8');
    assert.match(text, /"'=HYPERLINK\(""http:\/\/evil\.example""\)"/);
    assert.doesNotMatch(text, /[,\n]"?=HYPERLINK/);
    assert.match(text, /Алтанцэцэг Бат/);
    assert.match(text, /Өдрийн сонин/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="completion.csv"/);
    assert.match(String(res.headers['content-type']), /text\/csv/);
    const events = await t.ctx.db.collection('auditevents').find({ action: 'report.exported' }).toArray();
    assert.ok(events.some((e) => e.meta?.report === 'completion' && e.meta?.filters?.course === 'tip'));
  });

  test('XLSX and PDF downloads', async () => {
    const admin = await as(f.admin);
    const x = await admin
      .get('/reports/export/items?course=tip&quiz=post&format=xlsx')
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.equal((x.body as Buffer).subarray(0, 2).toString(), 'PK');
    const p = await admin.get('/reports/cohort-summary?course=tip').buffer(true).parse(binary).expect(200);
    assert.equal((p.body as Buffer).subarray(0, 4).toString(), '%PDF');
    assert.equal(p.headers['cache-control'], 'no-store');
  });

  test('exports speak the reader’s language; XLSX opens with widths and a frozen header', async () => {
    const mn = await as(f.adminMn);
    const x = await mn
      .get('/reports/export/items?course=tip&quiz=post&format=xlsx')
      .buffer(true)
      .parse(binary)
      .expect(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(x.body as Parameters<typeof book.xlsx.load>[0]);
    const sheet = book.worksheets[0]!;
    const header = sheet.getRow(1);
    const col = (key: string) => (header.values as unknown[]).indexOf(translator('mn')(`reports.col.${key}`));
    assert.ok(col('objective') > 0 && col('stem') > 0, 'Mongolian headers');
    // The objective is its label (Cyrillic А/Б here), never the id (Latin A/B).
    const objectives = [2, 3].map((r) => String(sheet.getRow(r).getCell(col('objective')).value));
    assert.deepEqual(objectives.sort(), ['А', 'Б']);
    assert.equal(sheet.getColumn(col('stem')).width, 60, 'long text gets a wide column');
    // Groups of one answer each (4 trainees): the export gives the size the page calls rough.
    assert.ok(col('groupSize') > 0, 'the group size has its column');
    assert.deepEqual(
      [2, 3].map((r) => sheet.getRow(r).getCell(col('groupSize')).value),
      [1, 1],
    );
    assert.ok(sheet.getColumn(col('qid')).width! >= 10, 'short columns fit their header');
    assert.equal(header.font?.bold, true);
    assert.equal(sheet.views[0]?.state, 'frozen');

    const csv = await mn.get('/reports/export/completion?course=tip&format=csv').expect(200);
    const [head, ...lines] = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    const statusAt = head!.split(',').indexOf(translator('mn')('reports.col.status'));
    const statuses = new Set(lines.map((l) => l.split(',')[statusAt]));
    const words = ['enrolled', 'in_progress', 'completed'].map((s) =>
      translator('mn')(`reports.status.${s}`),
    );
    assert.ok(
      [...statuses].every((s) => words.includes(s!)),
      `statuses in Mongolian: ${[...statuses].join(' | ')}`,
    );
    assert.doesNotMatch(csv.text, /,(in_progress|completed|enrolled|submitted),/);
  });

  test('report pages render in English and Mongolian with accessible charts', async () => {
    const en = await as(f.admin);
    const gain = await en.get('/reports/gain?course=tip').expect(200);
    assert.match(gain.text, /<h1>Learning gain<\/h1>/);
    assert.match(
      gain.text,
      /role="img" aria-labelledby="chart-gain-objectives-title chart-gain-objectives-desc"/,
    );
    assert.match(gain.text, /<title id="chart-gain-objectives-title">/);
    assert.doesNotMatch(gain.text, /style="/);
    const items = await en.get('/reports/items?course=tip&quiz=pre').expect(200);
    assert.match(items.text, /20% chose “Yes, always” for “Is consent relevant\?”/);
    assert.match(items.text, /href="\/learn\/tip\/lesson-a"/);
    await en.get(`/reports/pipeline?call=${String(f.callId)}`).expect(200);
    const themes = await en.get(`/reports/export/pipeline-themes?call=${String(f.callId)}`).expect(200);
    assert.match(themes.text, /Safe migration,1/);
    await en.get('/reports').expect(200);
    const mn = await as(f.adminMn);
    const g2 = await mn.get('/reports/gain?course=tip').expect(200);
    assert.match(g2.text, /<h1>Мэдлэгийн ахиц<\/h1>/);
    const c2 = await mn.get('/reports/completion?course=tip').expect(200);
    assert.match(c2.text, /Гүйцэтгэлийн хүснэгт/);
    const i2 = await mn.get('/reports/items?course=tip&quiz=pre').expect(200);
    assert.match(i2.text, /20% нь “Зөвшөөрөл хамаатай юу\?” асуултад “Тийм, үргэлж” гэж хариулсан/);
    const p2 = await mn.get(`/reports/pipeline?call=${String(f.callId)}`).expect(200);
    assert.match(p2.text, /Тэтгэлгийн явц/);
  });
});
