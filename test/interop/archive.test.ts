import { test } from 'node:test';
import assert from 'node:assert/strict';
import JSZip from 'jszip';
import request from 'supertest';
import { buildTestApp } from '../support/app';
import { binary } from '../support/binary';
import { buildUser, signIn } from '../factories';
import { importCourses } from '../../modules/learning';
import { courseModel, lessonModel } from '../../modules/learning/model';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { lessonMediaModel } from '../../modules/learning/media-model';
import { courseWithMedia, MP3 } from '../support/media-course';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { projectRoot } from '../../server/paths';
import os from 'node:os';
import path from 'node:path';
import {
  exportCourseArchive,
  exportCourseCommand,
  importCourseArchive,
  importCourseArchiveCommand,
} from '../../modules/interop/archive';
import type { AppContext } from '../../server/context';

async function snapshot(ctx: AppContext, slug: string) {
  const course = await courseModel(ctx.db).findOne({ slug }).lean();
  assert.ok(course);
  const lessons = await lessonModel(ctx.db).find({ courseId: course._id }).lean();
  const byId = new Map(lessons.map((l) => [String(l._id), l]));
  const strip = <T extends Record<string, unknown>>(o: T) =>
    JSON.parse(
      JSON.stringify(o, (k, v) => (k === '_id' || k === 'courseId' || k === 'lessonId' ? undefined : v)),
    );
  const quizzes = await ctx.db
    .collection('quizzes')
    .find({ courseId: course._id })
    .sort({ key: 1 })
    .toArray();
  const questions = await ctx.db
    .collection('questions')
    .find({ courseId: course._id })
    .sort({ qid: 1 })
    .toArray();
  const survey = await ctx.db
    .collection('surveyitems')
    .find({ courseId: course._id })
    .sort({ position: 1 })
    .toArray();
  return {
    survey: survey.map((i) =>
      strip({
        sid: i.sid,
        kind: i.kind,
        scale: i.scale,
        dimension: i.dimension,
        dimensionLabel: i.dimensionLabel,
        reversed: i.reversed,
        text: i.text,
        options: i.options,
        position: i.position,
      }),
    ),
    course: strip({
      slug: course.slug,
      title: course.title,
      summary: course.summary,
      objectives: course.objectives,
      mnDraft: course.mnDraft,
      status: course.status,
      completionRules: course.completionRules,
      hasPreTest: course.hasPreTest,
      hasPostTest: course.hasPostTest,
      sequence: course.sequence,
    }),
    lessons: course.lessonIds.map((id) => {
      const l = byId.get(String(id))!;
      return strip({
        slug: l.slug,
        title: l.title,
        objectives: l.objectives,
        minutes: l.minutes,
        blocks: l.blocks,
        hasQuiz: l.hasQuiz,
      });
    }),
    quizzes: quizzes.map((q) =>
      strip({
        key: q.key,
        kind: q.kind,
        title: q.title,
        questionIds: q.questionIds,
        draw: q.draw,
        passingScore: q.passingScore,
        maxAttempts: q.maxAttempts,
        forms: q.forms,
        counterbalance: q.counterbalance,
        timeLimitMinutes: q.timeLimitMinutes,
        survey: q.survey,
      }),
    ),
    questions: questions.map((q) =>
      strip({
        qid: q.qid,
        objective: q.objective,
        type: q.type,
        stem: q.stem,
        explanation: q.explanation,
        excerpt: q.excerpt,
        case: q.case,
        options: q.options,
        elements: q.elements,
      }),
    ),
  };
}

test('round trip: the shipped course exported and imported into a fresh database is the same course', async () => {
  const a = await buildTestApp();
  const b = await buildTestApp();
  try {
    await importCourses(a.ctx);
    const { zip } = await exportCourseArchive(a.ctx, 'tip-reporting');
    const names = Object.keys((await JSZip.loadAsync(zip)).files);
    assert.ok(names.includes('tip-reporting/course.yaml'));
    assert.ok(names.includes('tip-reporting/lessons/01-what-is-trafficking.yaml'));
    assert.ok(names.some((n) => n.startsWith('tip-reporting/questions/')));
    const [result] = await importCourseArchive(b.ctx, zip);
    assert.equal(result!.slug, 'tip-reporting');
    const before = await snapshot(a.ctx, 'tip-reporting');
    const after = await snapshot(b.ctx, 'tip-reporting');
    assert.ok(before.lessons.length >= 7 && before.questions.length > 20);
    assert.deepEqual(after.course, before.course);
    assert.deepEqual(after.lessons, before.lessons);
    assert.deepEqual(after.quizzes, before.quizzes);
    assert.deepEqual(after.questions, before.questions);
    assert.deepEqual(after.survey, before.survey);
    // Importing the same archive again changes nothing.
    await importCourseArchive(b.ctx, zip);
    assert.deepEqual(await snapshot(b.ctx, 'tip-reporting'), after);
  } finally {
    await a.close();
    await b.close();
  }
});

/**
 * The shipped course changed to use what it does not use itself: three named parallel forms
 * (testForms), timers on both tests, a different sequence and completion rule.
 */
function variantCourse(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-variant-'));
  const root = path.join(dir, 'variant-course');
  cpSync(path.join(projectRoot, 'content', 'courses', 'tip-reporting'), root, { recursive: true });
  const file = path.join(root, 'course.yaml');
  type TestDef = { questions?: string[]; timeLimitMinutes?: number };
  const def = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> & {
    preTest: TestDef;
    postTest: TestDef;
  };
  const [a, b] = [def.preTest.questions!, def.postTest.questions!];
  def.slug = 'variant-course';
  delete def.parallelForms;
  delete def.preTest.questions;
  delete def.postTest.questions;
  // A third form: A's first half with B's second half (each objective's items sit in pairs).
  def.testForms = [
    { id: 'Spring', questions: a },
    { id: 'Autumn', questions: b },
    { id: 'Mixed', questions: [...a.slice(0, a.length / 2), ...b.slice(b.length / 2)] },
  ];
  def.preTest.timeLimitMinutes = 25;
  def.postTest.timeLimitMinutes = 40;
  def.sequence = { preTest: 'until-post-test', postTest: 'anytime' };
  def.completionRules = { lessons: true, lessonQuizzes: false, postTest: true };
  writeFileSync(file, stringifyYaml(def));
  return dir;
}

test('round trip keeps parallel forms, timers, the sequence and completion rules', async () => {
  const a = await buildTestApp();
  const b = await buildTestApp();
  const dir = variantCourse();
  try {
    await importCourses(a.ctx, dir);
    const before = await snapshot(a.ctx, 'variant-course');
    const pre = before.quizzes.find((q: { key: string }) => q.key === 'pre');
    const post = before.quizzes.find((q: { key: string }) => q.key === 'post');
    // The fixture really uses them (else the comparison below would prove nothing).
    assert.deepEqual(
      pre.forms.map((f: { id: string }) => f.id),
      ['Spring', 'Autumn', 'Mixed'],
    );
    assert.equal(pre.counterbalance, true);
    assert.deepEqual([pre.timeLimitMinutes, post.timeLimitMinutes], [25, 40]);
    assert.deepEqual(before.course.sequence, { preTest: 'until-post-test', postTest: 'anytime' });
    assert.equal(before.course.completionRules.lessonQuizzes, false);

    const { zip } = await exportCourseArchive(a.ctx, 'variant-course');
    const courseYaml = parseYaml(
      await (await JSZip.loadAsync(zip)).file('variant-course/course.yaml')!.async('string'),
    ) as { testForms: Array<{ id: string }> };
    assert.deepEqual(
      courseYaml.testForms.map((f: { id: string }) => f.id),
      ['Spring', 'Autumn', 'Mixed'],
    );
    await importCourseArchive(b.ctx, zip);
    const after = await snapshot(b.ctx, 'variant-course');
    assert.deepEqual(after.course, before.course);
    assert.deepEqual(after.quizzes, before.quizzes);
    assert.deepEqual(after.survey, before.survey);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await a.close();
    await b.close();
  }
});

test('archives with traversal names, foreign files or no marker are refused and write nothing', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const { zip } = await exportCourseArchive(t.ctx, 'tip-reporting');
    const fresh = await buildTestApp();
    try {
      const bad = async (mutate: (z: JSZip) => void, reason: RegExp) => {
        const z = await JSZip.loadAsync(zip);
        mutate(z);
        const buf = await z.generateAsync({ type: 'nodebuffer' });
        await assert.rejects(
          importCourseArchive(fresh.ctx, buf),
          (err: Error & { status?: number }) => err.status === 400 && reason.test(err.message),
        );
      };
      await bad((z) => z.file('../../etc/evil.yaml', 'x: 1'), /unexpected/);
      await bad((z) => z.file('tip-reporting/lessons/../../evil.yaml', 'x: 1'), /unexpected/);
      await bad((z) => z.file('tip-reporting/run.sh', 'echo'), /unexpected/);
      await bad((z) => z.file('other-course/course.yaml', 'x: 1'), /unexpected/);
      await bad((z) => z.remove('umbrella-course.json'), /missing/);
      await bad(
        (z) => z.file('tip-reporting/lessons/01-what-is-trafficking.yaml', 'slug: [not valid'),
        /YAML/,
      );
      await bad((z) => z.file('tip-reporting/lessons/x.yaml', 'a'.repeat(3 * 1024 * 1024)), /too large/);
      await assert.rejects(importCourseArchive(fresh.ctx, Buffer.from('not a zip')));
      assert.equal(await courseModel(fresh.ctx.db).countDocuments(), 0);
    } finally {
      await fresh.close();
    }
  } finally {
    await t.close();
  }
});

test('trainers download the archive; journalists cannot; unknown courses are 404', async () => {
  const t = await buildTestApp();
  try {
    await importCourses(t.ctx);
    const trainer = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
    const res = await trainer
      .get('/trainer/courses/tip-reporting/export')
      .buffer(true)
      .parse(binary)
      .expect(200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(res.headers['content-disposition']!, /^attachment; filename="tip-reporting\.zip"$/);
    const files = Object.keys((await JSZip.loadAsync(res.body as Buffer)).files);
    assert.ok(files.includes('tip-reporting/course.yaml'));
    await trainer.get('/trainer/courses/no-such-course/export').expect(404);
    const journalist = await signIn(t.app, await buildUser(t.ctx));
    await journalist.get('/trainer/courses/tip-reporting/export').expect(403);
    await request(t.app).get('/trainer/courses/tip-reporting/export').expect(303);
  } finally {
    await t.close();
  }
});

test('CLI: export-course writes the archive, import-course-archive reads it on another installation', async () => {
  const a = await buildTestApp();
  const b = await buildTestApp();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-archive-'));
  try {
    await importCourses(a.ctx);
    const file = path.join(dir, 'tip.zip');
    await exportCourseCommand(a.ctx, ['tip-reporting', file]);
    await assert.rejects(exportCourseCommand(a.ctx, ['tip-reporting', file])); // never overwrites
    await assert.rejects(exportCourseCommand(a.ctx, ['no-such-course', path.join(dir, 'x.zip')]));
    await importCourseArchiveCommand(b.ctx, [file]);
    assert.equal(await courseModel(b.ctx.db).countDocuments({ slug: 'tip-reporting' }), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await a.close();
    await b.close();
  }
});

async function mediaOf(ctx: AppContext, slug: string) {
  const course = await courseModel(ctx.db).findOne({ slug }).lean();
  const rows = await lessonMediaModel(ctx.db).find({ courseId: course!._id }).sort({ name: 1 }).lean();
  return Promise.all(
    rows.map(async (m) => ({
      name: m.name,
      sha256: m.sha256,
      mime: m.mime,
      bytes: await ctx.storage.read(m.storageKey),
      storageKey: m.storageKey,
    })),
  );
}

test('lesson media travel inside the archive: same files, same lessons; importing again stores nothing new', async () => {
  const a = await buildTestApp();
  const b = await buildTestApp();
  const dir = await courseWithMedia();
  try {
    await importCourses(a.ctx, dir);
    const before = await mediaOf(a.ctx, 'media-course');
    assert.deepEqual(
      before.map((m) => [m.name, m.mime]),
      [
        ['routes-map.png', 'image/png'],
        ['survivor-voice.mp3', 'audio/mpeg'],
      ],
    );
    const { zip } = await exportCourseArchive(a.ctx, 'media-course');
    const archive = await JSZip.loadAsync(zip);
    assert.deepEqual(await archive.file('media-course/media/survivor-voice.mp3')!.async('nodebuffer'), MP3);
    await importCourseArchive(b.ctx, zip);
    const after = await mediaOf(b.ctx, 'media-course');
    const comparable = (list: typeof before) =>
      list.map(({ name, sha256, mime, bytes }) => ({ name, sha256, mime, bytes }));
    assert.deepEqual(comparable(after), comparable(before));
    assert.deepEqual(
      (await snapshot(b.ctx, 'media-course')).lessons,
      (await snapshot(a.ctx, 'media-course')).lessons,
    );
    await importCourseArchive(b.ctx, zip);
    assert.deepEqual(
      (await mediaOf(b.ctx, 'media-course')).map((m) => m.storageKey),
      after.map((m) => m.storageKey),
      'unchanged files are not stored again',
    );

    // A trainee of the importing installation sees the picture from its own library.
    const reader = await signIn(b.app, await buildUser(b.ctx));
    const first = (await snapshot(b.ctx, 'media-course')).lessons[0] as { slug: string };
    const page = await reader.get(`/learn/media-course/${first.slug}`).expect(200);
    const src = /<img src="([^"]+routes-map\.png\?v=[a-f0-9]{12})"/.exec(page.text)?.[1];
    assert.ok(src, 'the lesson shows the imported picture');
    const served = await reader.get(src).buffer(true).parse(binary).expect(200);
    assert.deepEqual(served.body, after[0]!.bytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await a.close();
    await b.close();
  }
});

test('an archive whose lessons show a file it does not carry, or whose file is not what it says, writes nothing', async () => {
  const a = await buildTestApp();
  const fresh = await buildTestApp();
  const dir = await courseWithMedia();
  try {
    await importCourses(a.ctx, dir);
    const { zip } = await exportCourseArchive(a.ctx, 'media-course');
    const bad = async (mutate: (z: JSZip) => void, reason: RegExp) => {
      const z = await JSZip.loadAsync(zip);
      mutate(z);
      await assert.rejects(
        importCourseArchive(fresh.ctx, await z.generateAsync({ type: 'nodebuffer' })),
        (err: Error & { status?: number }) => err.status === 400 && reason.test(err.message),
      );
    };
    await bad(
      (z) => z.remove('media-course/media/routes-map.png'),
      /blocks\.\d+\.src: "media\/routes-map\.png": no such file in media\//,
    );
    await bad(
      (z) => z.file('media-course/media/routes-map.png', 'MZ not a picture'),
      /media\/routes-map\.png: the contents are not what the extension says/,
    );
    await bad((z) => z.file('media-course/media/Bad Name.png', 'x'), /unexpected file/);
    assert.equal(await courseModel(fresh.ctx.db).countDocuments(), 0);
    assert.equal(await lessonMediaModel(fresh.ctx.db).countDocuments(), 0);
    assert.deepEqual(await fresh.ctx.storage.list(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await a.close();
    await fresh.close();
  }
});
