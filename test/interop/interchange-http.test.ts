import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Agent } from 'supertest';
import { buildTestApp } from '../support/app';
import { buildUser, csrfFrom, signIn } from '../factories';
import { importCourses } from '../../modules/learning';
import { projectRoot } from '../../server/paths';
import {
  exportQuestionsCommand,
  importMoodleXml,
  importQuestionsCommand,
} from '../../modules/interop/interchange';

const PAGE = '/trainer/courses/tip-reporting/interchange';
const fixture = (name: string) => readFileSync(path.join(projectRoot, 'test/fixtures/interchange', name));

async function upload(agent: Agent, data: Buffer, name: string, status: number, objective = '') {
  const page = await agent.get(PAGE);
  assert.equal(page.status, 200, page.text.slice(0, 3000));
  const res = await agent
    .post(`${PAGE}/import`)
    .field('_csrf', csrfFrom(page.text))
    .field('objective', objective)
    .attach('file', data, name);
  assert.equal(res.status, status, res.text.slice(0, 2000));
  return res;
}

test('trainer: upload Moodle XML → preview → confirm; complete questions join the bank, drafts wait', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
    const before = await t.ctx.db.collection('questions').countDocuments();
    const preview = await upload(trainer, fixture('partial-credit.xml'), 'bank.xml', 200, 'source-security');
    assert.match(preview.text, /Preview of bank\.xml/);
    assert.match(preview.text, /protect-the-source/);
    assert.match(preview.text, /Draft for a translator/);
    assert.match(preview.text, /stem\.mn/);
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before, 'nothing before confirm');
    const action = /action="([^"]*\/confirm)"/.exec(preview.text)?.[1];
    assert.ok(action);
    const done = await trainer
      .post(action)
      .type('form')
      .send({ _csrf: csrfFrom(preview.text) });
    assert.equal(done.status, 200, done.text.slice(0, 3000));
    // Every question of this file lacks a language or answer feedback (the bank needs both): drafts.
    assert.match(done.text, /Imported: 0 added, 5 kept as drafts for a translator, 0 already/);
    assert.match(done.text, /Waiting for a translator/);
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before);

    // Our own export, with one question renamed: that one is new and complete, the rest exist.
    const xml = (await trainer.get(`${PAGE}/export.xml`).expect(200)).text.replace(
      '<name><text>td-01</text></name>',
      '<name><text>td-01-copy</text></name>',
    );
    const second = await upload(trainer, Buffer.from(xml), 'ours.xml', 200);
    assert.match(second.text, /td-01-copy<\/code><\/strong>[\s\S]*?New</);
    const action2 = /action="([^"]*\/confirm)"/.exec(second.text)?.[1];
    assert.ok(action2);
    const done2 = await trainer
      .post(action2)
      .type('form')
      .send({ _csrf: csrfFrom(second.text) })
      .expect(200);
    assert.match(
      done2.text,
      new RegExp(`Imported: 1 added, 0 kept as drafts for a translator, ${before - 1} already`),
    );
    const copy = await t.ctx.db.collection('questions').findOne({ qid: 'td-01-copy' });
    const original = await t.ctx.db.collection('questions').findOne({ qid: 'td-01' });
    assert.ok(copy && original);
    assert.equal(copy.version, 1);
    for (const k of ['objective', 'type', 'stem', 'explanation', 'options'])
      assert.deepEqual(copy[k], original[k], k);
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before + 1);
    // Confirming twice does nothing more.
    await trainer
      .post(action2)
      .type('form')
      .send({ _csrf: csrfFrom(done2.text) })
      .expect(409);
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before + 1);
  } finally {
    await t.close();
  }
});

test('a bad file re-renders the page with every problem and changes nothing; wrong objective refused', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
    const before = await t.ctx.db.collection('questions').countDocuments();
    const bad = Buffer.from(
      fixture('partial-credit.xml')
        .toString('utf8')
        .replace('<answer fraction="-100">', '<answer fraction="x">'),
    );
    const res = await upload(trainer, bad, 'bad.xml', 422, 'source-security');
    assert.match(res.text, /role="alert"/);
    assert.match(
      res.text,
      /&#34;Three safe habits&#34;.*fraction &#34;x&#34;|"Three safe habits".*fraction "x"/,
    );
    assert.match(res.text, /aria-invalid="true"/);
    assert.match(res.text, /<option value="source-security" selected>/);
    const wrong = await upload(trainer, fixture('partial-credit.xml'), 'bank.xml', 422);
    assert.match(wrong.text, /no objective/);
    const empty = await upload(trainer, Buffer.alloc(0), 'empty.xml', 400);
    assert.match(empty.text, /Choose a file to upload/);
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before);
    assert.equal(await t.ctx.db.collection('questionimports').countDocuments(), 0);
  } finally {
    await t.close();
  }
});

test('export downloads Moodle XML and GIFT; journalists cannot; unknown course is 404', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
    const xml = await trainer.get(`${PAGE}/export.xml`);
    assert.equal(xml.status, 200, xml.text.slice(0, 1500));
    assert.match(xml.headers['content-disposition'] ?? '', /tip-reporting-questions\.xml/);
    const bank = await t.ctx.db.collection('questions').countDocuments();
    assert.equal(importMoodleXml(xml.text).questions.length, bank);
    const gift = await trainer.get(`${PAGE}/export.gift`).expect(200);
    assert.match(gift.text, /::td-01::\[html\]/);
    const page = await trainer.get(PAGE).expect(200);
    await trainer
      .post('/lang')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), lang: 'mn', next: PAGE });
    const mn = await trainer.get(PAGE).expect(200);
    assert.match(mn.text, /Асуулт/);
    await trainer.get('/trainer/courses/nope/interchange').expect(404);
    const journalist = await signIn(t.app, await buildUser(t.ctx));
    await journalist.get(`${PAGE}/export.xml`).expect(403);
    await request(t.app).get(PAGE).expect(303);
  } finally {
    await t.close();
  }
});

test('CLI: export-questions writes Moodle XML and GIFT; import-questions previews, applies with --apply, refuses bad files', async () => {
  const t = await buildTestApp();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'interchange-cli-'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await importCourses(t.ctx);
    const xmlFile = path.join(dir, 'q.xml');
    await exportQuestionsCommand(t.ctx, ['tip-reporting', 'xml', xmlFile]);
    await exportQuestionsCommand(t.ctx, ['tip-reporting', 'gift', path.join(dir, 'q.gift')]);
    assert.ok(lines.some((l) => /Not in GIFT \(ordering, case\)/.test(l)));
    const before = await t.ctx.db.collection('questions').countDocuments();
    writeFileSync(
      xmlFile + '2',
      readFileSync(xmlFile, 'utf8').replace('<name><text>td-02</text>', '<name><text>td-02-b</text>'),
    );
    lines.length = 0;
    await importQuestionsCommand(t.ctx, ['tip-reporting', xmlFile + '2']);
    assert.ok(
      lines.some((l) => /^new\s+td-02-b \(single\)$/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /Preview only/.test(l)));
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before);
    await importQuestionsCommand(t.ctx, ['tip-reporting', xmlFile + '2', '--apply']);
    assert.ok(
      lines.some((l) => /^Added 1, drafts 0/.test(l)),
      lines.join('\n'),
    );
    assert.equal(await t.ctx.db.collection('questions').countDocuments(), before + 1);
    const bad = path.join(dir, 'bad.gift');
    writeFileSync(bad, '::Essay::Write {}\n');
    await assert.rejects(
      importQuestionsCommand(t.ctx, ['tip-reporting', bad, 'source-security', '--apply']),
      /"Essay" \(line 1\): an essay question/,
    );
    await assert.rejects(exportQuestionsCommand(t.ctx, ['tip-reporting', 'pdf', 'x']), /Usage/);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  }
});
