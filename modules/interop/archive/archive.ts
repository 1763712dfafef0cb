import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import JSZip from 'jszip';
import { stringify } from 'yaml';
import type { AppContext } from '../../../server/context';
import { Invalid, NotFound } from '../../../server/http/errors';
import {
  courseMedia,
  courseWithPublishedLessons,
  importCourses,
  MAX_MEDIA_MB,
  MEDIA_NAME,
  type Bilingual,
  type Block,
} from '../../learning';
import { courseQuizBank, surveyOfCourse, type Question, type QuestionOption, type Quiz } from '../../quizzes';

/**
 * A course as one .zip: `<slug>/course.yaml`, `<slug>/lessons/<lesson>.yaml`,
 * `<slug>/questions/<objective>.yaml`, `<slug>/media/<file>` (the course's media library) — the same
 * files as content/courses/<slug>/ — plus `umbrella-course.json` (format marker). Importing extracts to a
 * temp folder and runs learning's importer.
 */
export const ARCHIVE_FORMAT = 'umbrella-course';
const MB = 1024 * 1024;
export const MAX_ARCHIVE_BYTES = 400 * MB;
/** A YAML file; a media file may be as large as an upload. */
const MAX_TEXT_ENTRY_BYTES = 2 * MB;
const MAX_MEDIA_ENTRY_BYTES = MAX_MEDIA_MB * MB;
const MAX_TOTAL_BYTES = 500 * MB;
const MAX_ENTRIES = 2000;

type QuestionDoc = Question;
type OptionDoc = QuestionOption;

const bi = (b: Bilingual) => ({ en: b.en, mn: b.mn });
const option = (o: OptionDoc) => ({
  id: o.id,
  text: bi(o.text),
  ...(typeof o.correct === 'boolean' ? { correct: o.correct } : {}),
  feedback: bi(o.feedback),
});
const block = (b: Block) => ({
  type: b.type,
  ...(b.variant ? { variant: b.variant } : {}),
  en: b.en,
  mn: b.mn,
  ...(b.src ? { src: b.src } : {}),
  ...(b.alt ? { alt: bi(b.alt) } : {}),
});

export async function exportCourseArchive(
  ctx: AppContext,
  slug: string,
): Promise<{ slug: string; zip: Buffer }> {
  const found = await courseWithPublishedLessons(ctx, slug);
  if (!found) throw new NotFound();
  const { course, lessons: ordered } = found;
  const { quizzes, questions } = await courseQuizBank(ctx, course._id);
  const quiz = (key: string) => quizzes.find((q) => q.key === key);
  // Parallel forms are the course's testForms (shared by both tests); otherwise each test lists its own.
  const counterbalanced = [quiz('pre'), quiz('post')].find((q) => q?.counterbalance && q.forms?.length);
  const test = (key: 'pre' | 'post') => {
    const q = quiz(key);
    if (!q) return undefined;
    return {
      title: bi(q.title),
      ...(counterbalanced ? {} : { questions: q.questionIds }),
      passingScore: q.passingScore,
      ...(q.timeLimitMinutes ? { timeLimitMinutes: q.timeLimitMinutes } : {}),
    };
  };

  const zip = new JSZip();
  const dir = zip.folder(course.slug)!;
  const pre = test('pre');
  const post = test('post');
  dir.file(
    'course.yaml',
    stringify({
      slug: course.slug,
      title: bi(course.title),
      summary: bi(course.summary),
      mnDraft: course.mnDraft,
      objectives: course.objectives.map((o) => ({ id: o.id, label: bi(o.label) })),
      lessons: ordered.map((l) => l.slug),
      ...(pre ? { preTest: pre } : {}),
      ...(post ? { postTest: post } : {}),
      ...(counterbalanced ? { testForms: testForms(counterbalanced) } : {}),
      ...(course.sequence
        ? { sequence: { preTest: course.sequence.preTest, postTest: course.sequence.postTest } }
        : {}),
      completionRules: {
        lessons: course.completionRules.lessons,
        lessonQuizzes: course.completionRules.lessonQuizzes,
        postTest: course.completionRules.postTest,
      },
    }),
  );
  for (const l of ordered) {
    const q = quiz(`lesson:${l.slug}`);
    dir.file(
      `lessons/${l.slug}.yaml`,
      stringify({
        slug: l.slug,
        title: bi(l.title),
        objectives: l.objectives,
        minutes: l.minutes,
        blocks: l.blocks.map(block),
        ...(q ? { quiz: { questions: q.questionIds, draw: q.draw, passingScore: q.passingScore } } : {}),
      }),
    );
  }
  const groups = new Map<string, QuestionDoc[]>();
  for (const q of questions) groups.set(q.objective, [...(groups.get(q.objective) ?? []), q]);
  for (const [objective, list] of groups) {
    dir.file(
      `questions/${objective}.yaml`,
      stringify(
        list.map((q) => ({
          id: q.qid,
          objective: q.objective,
          type: q.type,
          stem: bi(q.stem),
          ...(q.explanation ? { explanation: bi(q.explanation) } : {}),
          ...(q.excerpt ? { excerpt: bi(q.excerpt) } : {}),
          ...(q.case ? { case: bi(q.case) } : {}),
          options: q.options.map(option),
          ...(q.elements?.length ? { elements: q.elements.map(option) } : {}),
        })),
      ),
    );
  }
  const survey = [...(await surveyOfCourse(ctx, course._id)).values()];
  if (survey.length) dir.file('survey.yaml', stringify(surveyFile(survey)));
  for (const media of await courseMedia(ctx, course._id))
    dir.file(`media/${media.name}`, await ctx.storage.read(media.storageKey), { compression: 'STORE' });
  zip.file('umbrella-course.json', JSON.stringify({ format: ARCHIVE_FORMAT, version: 1, slug: course.slug }));
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
  return { slug: course.slug, zip: buffer };
}

const testForms = (q: Quiz) => q.forms!.map((f) => ({ id: f.id, questions: f.questionIds }));

type SurveyItem = Awaited<ReturnType<typeof surveyOfCourse>> extends Map<string, infer T> ? T : never;

/** The attitude and practice items as `survey.yaml` says them (the file the importer reads). */
function surveyFile(items: SurveyItem[]) {
  const dimensions = new Map(items.map((i) => [i.dimension, bi(i.dimensionLabel)]));
  return {
    dimensions: [...dimensions].map(([id, label]) => ({ id, label })),
    items: [...items]
      .sort((a, b) => a.position - b.position)
      .map((i) => ({
        id: i.sid,
        kind: i.kind,
        dimension: i.dimension,
        scale: i.scale,
        ...(i.scale === 'choice' ? {} : { reversed: i.reversed }),
        ...(i.kind === 'attitude' ? { statement: bi(i.text) } : { scenario: bi(i.text) }),
        ...(i.options?.length
          ? { options: i.options.map((o) => ({ id: o.id, text: bi(o.text), level: o.level })) }
          : {}),
      })),
  };
}

const SLUG = '[a-z0-9][a-z0-9-]{0,79}';
const ENTRY = new RegExp(
  `^(${SLUG})/(course\\.yaml|survey\\.yaml|lessons/${SLUG}\\.yaml|questions/${SLUG}\\.ya?ml|media/(${MEDIA_NAME.source.slice(1, -1)}))$`,
);
const DIR_ENTRY = new RegExp(`^${SLUG}/((lessons|questions|media)/)?$`);

class ArchiveError extends Invalid {
  constructor(readonly reason: string) {
    super('interop.archive.errors.invalid', { archive: 'interop.archive.errors.invalid' });
    this.message = reason;
  }
}

/** Decompresses one entry as a stream, stopping at the size cap (a zip bomb never fills memory). */
function readEntry(
  file: JSZip.JSZipObject,
  budget: { left: number },
  max = MAX_TEXT_ENTRY_BYTES,
): Promise<Buffer> {
  const stream = file.nodeStream('nodebuffer') as unknown as Readable;
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      budget.left -= chunk.length;
      if (size > max || budget.left < 0) {
        stream.pause();
        stream.removeAllListeners('data');
        reject(new ArchiveError(`${file.name}: too large`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', (err: Error) => reject(new ArchiveError(`${file.name}: ${err.message}`)));
  });
}

/** Checks every entry name (no traversal, only the course file layout) and imports through learning. */
export async function importCourseArchive(ctx: AppContext, data: Buffer) {
  if (data.length > MAX_ARCHIVE_BYTES) throw new ArchiveError('archive too large');
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(data, { checkCRC32: true });
  } catch {
    throw new ArchiveError('not a zip archive');
  }
  const entries = Object.values(zip.files);
  if (entries.length > MAX_ENTRIES) throw new ArchiveError('too many files');
  const marker = zip.file('umbrella-course.json');
  if (!marker) throw new ArchiveError('umbrella-course.json missing');
  const budget = { left: MAX_TOTAL_BYTES };
  let manifest: { format?: unknown; slug?: unknown };
  try {
    manifest = JSON.parse((await readEntry(marker, budget)).toString('utf8')) as typeof manifest;
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError('umbrella-course.json is not JSON');
  }
  if (
    manifest.format !== ARCHIVE_FORMAT ||
    typeof manifest.slug !== 'string' ||
    !new RegExp(`^${SLUG}$`).test(manifest.slug)
  )
    throw new ArchiveError('not an Umbrella course archive');
  const slug = manifest.slug;
  const files: Array<{ name: string; entry: JSZip.JSZipObject; media: boolean }> = [];
  for (const entry of entries) {
    if (entry.name === 'umbrella-course.json') continue;
    if (entry.dir) {
      if (!DIR_ENTRY.test(entry.name)) throw new ArchiveError(`${entry.name}: unexpected folder`);
      continue;
    }
    const m = ENTRY.exec(entry.name);
    if (!m || m[1] !== slug) throw new ArchiveError(`${entry.name}: unexpected file`);
    files.push({ name: entry.name, entry, media: m[3] !== undefined });
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'umbrella-course-'));
  try {
    const root = path.join(tmp, slug);
    await mkdir(path.join(root, 'lessons'), { recursive: true });
    await mkdir(path.join(root, 'questions'), { recursive: true });
    if (files.some((f) => f.media)) await mkdir(path.join(root, 'media'), { recursive: true });
    for (const f of files) {
      const target = path.join(tmp, f.name);
      if (!target.startsWith(root + path.sep)) throw new ArchiveError(`${f.name}: unexpected file`);
      const max = f.media ? MAX_MEDIA_ENTRY_BYTES : MAX_TEXT_ENTRY_BYTES;
      await writeFile(target, await readEntry(f.entry, budget, max), { flag: 'wx' });
    }
    try {
      return await importCourses(ctx, root);
    } catch (err) {
      if (err instanceof Invalid) throw err;
      throw new ArchiveError((err as Error).message.slice(0, 2000));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
