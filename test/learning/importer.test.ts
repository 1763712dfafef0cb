import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildTestApp, type TestApp } from '../support/app';
import { importCourses, getCourseOutline } from '../../modules/learning';
import { courseModel, lessonModel, lessonVersionModel } from '../../modules/learning/model';

const shipped = path.resolve(import.meta.dirname, '../../content/courses');
let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

const EXPECTED_BLOCKS: Record<string, number> = {
  '01-what-is-trafficking': 6,
  '02-smuggling-vs-trafficking': 6,
  '03-words-and-images': 5,
  '04-protecting-identity': 5,
  '05-safe-interviews-and-referral': 6,
  '06-source-and-journalist-security': 5,
  '07-mongolia-and-dream-umbrella': 5,
};

test('imports the shipped course: all 7 lessons in order with their blocks; re-import is a no-op', async () => {
  await importCourses(t.ctx, shipped);
  const course = await courseModel(t.ctx.db).findOne({ slug: 'tip-reporting' }).lean();
  assert.ok(course);
  assert.equal(course.status, 'published');
  assert.equal(course.mnDraft, true);
  assert.equal(course.objectives.length, 10);
  const outline = await getCourseOutline(t.ctx, course._id);
  assert.deepEqual(
    outline!.lessons.map((l) => l.slug),
    Object.keys(EXPECTED_BLOCKS),
  );
  for (const lesson of outline!.lessons) {
    assert.equal(lesson.blocks.length, EXPECTED_BLOCKS[lesson.slug], lesson.slug);
    assert.equal(lesson.version, 1);
    assert.ok(lesson.hasQuiz);
  }
  const before = await lessonModel(t.ctx.db).find({}, { updatedAt: 1, version: 1 }).sort({ slug: 1 }).lean();
  const courseBefore = course.updatedAt.getTime();
  await importCourses(t.ctx, shipped);
  const afterLessons = await lessonModel(t.ctx.db)
    .find({}, { updatedAt: 1, version: 1 })
    .sort({ slug: 1 })
    .lean();
  assert.deepEqual(afterLessons, before);
  assert.equal(await lessonVersionModel(t.ctx.db).countDocuments(), 7);
  assert.equal(await courseModel(t.ctx.db).countDocuments(), 1);
  const again = await courseModel(t.ctx.db).findOne({ slug: 'tip-reporting' }).lean();
  assert.equal(again!.updatedAt.getTime(), courseBefore);
});

function copyCourse(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-'));
  cpSync(path.join(shipped, 'tip-reporting'), path.join(dir, 'tip-reporting'), { recursive: true });
  return path.join(dir, 'tip-reporting');
}

test('changed content publishes a new version of that lesson only', async () => {
  const app = await buildTestApp();
  const dir = copyCourse();
  try {
    await importCourses(app.ctx, dir);
    const file = path.join(dir, 'lessons', '03-words-and-images.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('minutes: 15', 'minutes: 16').replace('minutes: 20', 'minutes: 21'),
    );
    await importCourses(app.ctx, dir);
    const lessons = await lessonModel(app.ctx.db).find({}, { slug: 1, version: 1 }).lean();
    for (const l of lessons) assert.equal(l.version, l.slug === '03-words-and-images' ? 2 : 1, l.slug);
    assert.equal(await lessonVersionModel(app.ctx.db).countDocuments(), 8);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
    await app.close();
  }
});

test('an invalid lesson file gives an error naming the file, and nothing is imported', async () => {
  const app = await buildTestApp();
  const dir = copyCourse();
  try {
    const file = path.join(dir, 'lessons', '04-protecting-identity.yaml');
    // Empty the Mongolian text of the first callout.
    const broken = readFileSync(file, 'utf8').replace(
      /(\n {2}- type: callout\n(?: {4}variant: \w+\n)? {4}en: "[^"]*"\n {4}mn: )"[^"]*"/,
      '$1""',
    );
    assert.notEqual(broken, readFileSync(file, 'utf8'));
    writeFileSync(file, broken);
    await assert.rejects(importCourses(app.ctx, dir), (err: Error) => {
      assert.match(err.message, /lessons\/04-protecting-identity\.yaml/);
      assert.match(err.message, /blocks\.\d+\.mn/);
      return true;
    });
    assert.equal(await courseModel(app.ctx.db).countDocuments(), 0);
    assert.equal(await lessonModel(app.ctx.db).countDocuments(), 0);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
    await app.close();
  }
});

test('the seed steps import the shipped course into an empty database', async () => {
  const { learningModule } = await import('../../modules/learning');
  const { seedCourses } = await import('../../modules/learning/jobs');
  assert.ok(learningModule.seed?.includes(seedCourses));
  const app = await buildTestApp();
  try {
    await seedCourses(app.ctx);
    assert.equal(await lessonModel(app.ctx.db).countDocuments({ status: 'published' }), 7);
  } finally {
    await app.close();
  }
});
