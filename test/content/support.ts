import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { lessonFile, type LessonFile } from '../../modules/learning/content';
import { loadQuestionBank, type QuestionFile } from '../../modules/quizzes/import';

/** Reads the shipped course and the UI locale files straight from disk (no database). */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const COURSES = path.join(ROOT, 'content/courses');
export const GLOSSARY = path.join(ROOT, 'content/glossary.yaml');

export interface Bilingual {
  en: string;
  mn: string;
  /** "tip-reporting/lessons/01-….yaml: blocks.2" */
  where: string;
}

export interface Course {
  slug: string;
  dir: string;
  raw: { objectives: Array<{ id: string }>; [k: string]: unknown };
  lessons: Array<{ file: string; lesson: LessonFile; raw: unknown }>;
  questions: QuestionFile[];
  /** Every question file as parsed, for the texts the bank keeps. */
  questionFiles: Array<{ file: string; raw: unknown }>;
  /** survey.yaml as parsed (attitude and practice items), when the course has one. */
  surveyFile?: unknown;
}

const yaml = (file: string): unknown => parse(readFileSync(file, 'utf8'));

export function readCourses(): Course[] {
  return readdirSync(COURSES)
    .filter((d) => existsSync(path.join(COURSES, d, 'course.yaml')))
    .map((slug) => {
      const dir = path.join(COURSES, slug);
      const raw = yaml(path.join(dir, 'course.yaml')) as Course['raw'];
      const lessonDir = path.join(dir, 'lessons');
      const lessons = readdirSync(lessonDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => {
          const parsed = yaml(path.join(lessonDir, f));
          return { file: f, lesson: lessonFile.parse(parsed), raw: parsed };
        });
      const qDir = path.join(dir, 'questions');
      const questionFiles = readdirSync(qDir)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => ({ file: f, raw: yaml(path.join(qDir, f)) }));
      const questions = loadQuestionBank(
        dir,
        raw.objectives.map((o) => o.id),
      );
      const surveyPath = path.join(dir, 'survey.yaml');
      const surveyFile = existsSync(surveyPath) ? yaml(surveyPath) : undefined;
      return { slug, dir, raw, lessons, questions, questionFiles, surveyFile };
    });
}

/** Every { en, mn } pair in a parsed YAML tree: titles, blocks, stems, cases, options, feedback. */
export function bilingualTexts(tree: unknown, where: string): Bilingual[] {
  const out: Bilingual[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}.${i}`));
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.en === 'string' && typeof o.mn === 'string') out.push({ en: o.en, mn: o.mn, where: at });
    for (const [k, v] of Object.entries(o)) if (k !== 'en' && k !== 'mn') walk(v, `${at}.${k}`);
  };
  walk(tree, where);
  return out;
}

/** All bilingual texts of a course: course.yaml, lessons, questions, the survey. */
export function courseTexts(course: Course): Bilingual[] {
  return [
    ...bilingualTexts(course.raw, `${course.slug}/course.yaml`),
    ...course.lessons.flatMap((l) => bilingualTexts(l.raw, `${course.slug}/lessons/${l.file}`)),
    ...course.questionFiles.flatMap((q) => bilingualTexts(q.raw, `${course.slug}/questions/${q.file}`)),
    ...bilingualTexts(course.surveyFile, `${course.slug}/survey.yaml`),
  ];
}

/** Every string of every UI locale file, with its language (from the file name). */
export function localeStrings(): Array<{ lang: string; text: string; where: string }> {
  const files = [
    ...readdirSync(path.join(ROOT, 'modules'))
      .map((m) => path.join(ROOT, 'modules', m, 'locales'))
      .filter((d) => existsSync(d)),
    path.join(ROOT, 'server/i18n/locales'),
  ].flatMap((d) =>
    readdirSync(d)
      .filter((f) => /\.(json|ya?ml)$/.test(f))
      .map((f) => path.join(d, f)),
  );
  const out: Array<{ lang: string; text: string; where: string }> = [];
  for (const file of files) {
    const lang = path.basename(file).replace(/\.(json|ya?ml)$/, '');
    const rel = path.relative(ROOT, file);
    const tree: unknown = file.endsWith('.json') ? JSON.parse(readFileSync(file, 'utf8')) : yaml(file);
    const walk = (node: unknown, key: string) => {
      if (typeof node === 'string') out.push({ lang, text: node, where: `${rel}: ${key}` });
      else if (node && typeof node === 'object')
        for (const [k, v] of Object.entries(node)) walk(v, key ? `${key}.${k}` : k);
    };
    walk(tree, '');
  }
  return out;
}

/** Lower case, one space for any run of spaces and line breaks: how phrases are compared. */
export const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ');
