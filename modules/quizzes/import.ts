import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AppContext } from '../../server/context';
import { questionModel, quizModel, type Quiz, type Text } from './model';
import type { CourseQuizImport, LessonQuizImport } from '../learning';
import { forgetQuizDefinitions } from './definitions';
import { importSurvey, loadSurvey, SURVEY_FILE } from './survey-import';
import { forgetSurveys } from './survey';
import { formCoverageProblems } from './form-coverage';

export const CLASSIFICATIONS = ['trafficking', 'smuggling', 'neither', 'not-enough-info'] as const;
export const ELEMENTS = ['consent', 'means', 'exploitation', 'border'] as const;

const bilingual = z.strictObject({
  en: z.string().trim().min(1, 'English text is missing'),
  mn: z.string().trim().min(1, 'Mongolian text is missing'),
});
const optionId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'option id: lowercase letters, digits, -');
const option = z.strictObject({
  id: z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), optionId),
  text: bilingual,
  correct: z.boolean().optional(),
  feedback: bilingual,
});
type Option = z.infer<typeof option>;

const questionFile = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'question id: lowercase letters, digits, -'),
  objective: z.string().min(1),
  type: z.enum(['single', 'multiple', 'true-false', 'ordering', 'case', 'spot-harm']),
  stem: bilingual,
  explanation: bilingual.optional(),
  excerpt: bilingual.optional(),
  case: bilingual.optional(),
  options: z.array(option).min(2, 'at least two options'),
  elements: z.array(option).optional(),
});
export type QuestionFile = z.infer<typeof questionFile>;

const countCorrect = (opts: Option[] = []) => opts.filter((o) => o.correct === true).length;

/** The rules per type that a plain shape cannot say; returns problems as "field: message". */
function typeRules(q: QuestionFile): string[] {
  const problems: string[] = [];
  const ids = q.options.map((o) => o.id);
  if (new Set(ids).size !== ids.length) problems.push('options: duplicate option ids');
  const correct = countCorrect(q.options);
  switch (q.type) {
    case 'single':
    case 'true-false':
      if (correct !== 1) problems.push(`options: exactly one correct option needed, found ${correct}`);
      if (q.type === 'true-false' && [...ids].sort().join(',') !== 'false,true')
        problems.push('options: true-false needs the options "true" and "false"');
      break;
    case 'multiple':
    case 'spot-harm':
      if (correct < 1) problems.push('options: at least one correct option needed');
      if (q.type === 'spot-harm' && !q.excerpt) problems.push('excerpt: spot-harm needs an excerpt');
      break;
    case 'ordering':
      if (correct > 0) problems.push('options: ordering options are listed in order, without "correct"');
      break;
    case 'case': {
      if (!q.case) problems.push('case: the case text is missing');
      if (ids.some((id) => !(CLASSIFICATIONS as readonly string[]).includes(id)))
        problems.push(`options: case classifications must be ${CLASSIFICATIONS.join(', ')}`);
      if (correct !== 1)
        problems.push(`options: exactly one correct classification needed, found ${correct}`);
      const els = q.elements ?? [];
      const elIds = els.map((o) => o.id);
      if (els.length < 2) problems.push('elements: a case needs the deciding elements');
      if (new Set(elIds).size !== elIds.length) problems.push('elements: duplicate element ids');
      if (elIds.some((id) => !(ELEMENTS as readonly string[]).includes(id)))
        problems.push(`elements: element ids must be ${ELEMENTS.join(', ')}`);
      if (countCorrect(els) !== 1) problems.push('elements: exactly one correct element needed');
      break;
    }
  }
  if (q.type !== 'case' && q.elements) problems.push('elements: only case questions have elements');
  return problems;
}

function readQuestionFile(file: string, objectives: Set<string>): QuestionFile[] {
  const name = path.basename(file);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${name}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(raw)) throw new Error(`${name}: expected a list of questions`);
  return raw.map((entry: unknown, i) => {
    const id = (entry as { id?: unknown })?.id;
    const label = `${name}: question ${typeof id === 'string' ? id : `#${i + 1}`}`;
    const result = questionFile.safeParse(entry);
    if (!result.success) {
      const issues = result.error.issues.map(
        (iss) => `${iss.path.join('.') || '(question)'}: ${iss.message}`,
      );
      throw new Error(`${label}: ${issues.join('; ')}`);
    }
    const problems = typeRules(result.data);
    if (!objectives.has(result.data.objective))
      problems.push(`objective: "${result.data.objective}" is not an objective of the course`);
    if (problems.length) throw new Error(`${label}: ${problems.join('; ')}`);
    return result.data;
  });
}

/** Every question file of a course directory, checked; ids unique across files. */
export function loadQuestionBank(courseDir: string, objectiveIds: string[]): QuestionFile[] {
  const dir = path.join(courseDir, 'questions');
  if (!existsSync(dir)) throw new Error(`${dir}: no questions folder`);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const objectives = new Set(objectiveIds);
  const seen = new Map<string, string>();
  const all: QuestionFile[] = [];
  for (const f of files) {
    for (const q of readQuestionFile(path.join(dir, f), objectives)) {
      const other = seen.get(q.id);
      if (other) throw new Error(`${f}: question ${q.id}: id already used in ${other}`);
      seen.set(q.id, f);
      all.push(q);
    }
  }
  return all;
}

const testDef = z.looseObject({
  title: bilingual,
  /** Left out when the course lists `testForms`. */
  questions: z.array(z.string()).min(1).optional(),
  passingScore: z.number().int().min(0).max(100),
  /** No timer unless the course sets one. */
  timeLimitMinutes: z.number().int().min(1).max(600).optional(),
});
const formDef = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/, 'form id: letters, digits, -'),
  questions: z.array(z.string()).min(1),
});
const courseDef = z.looseObject({
  objectives: z.array(z.looseObject({ id: z.string() })).min(1),
  preTest: testDef.optional(),
  postTest: testDef.optional(),
  /**
   * Parallel forms shared by the pre- and post-test (two or more): each trainee takes one before and
   * another after, assigned at random and balanced across trainees; a post-test retake takes another.
   */
  testForms: z.array(formDef).min(2).optional(),
  /** Shorthand: preTest.questions and postTest.questions are two parallel forms, A and B. */
  parallelForms: z.boolean().optional(),
});
/** The parts of a parsed course.yaml this module reads. */
export type CourseDefinition = z.input<typeof courseDef>;

export type { CourseQuizImport as ImportInput } from '../learning';
type ImportInput = CourseQuizImport;
type LessonQuizInput = LessonQuizImport;

function lessonTitle(courseDir: string, lesson: LessonQuizInput): Text {
  if (lesson.title) return lesson.title;
  const file = path.join(courseDir, 'lessons', `${lesson.slug}.yaml`);
  if (existsSync(file)) {
    const parsed = bilingual.safeParse((parseYaml(readFileSync(file, 'utf8')) as { title?: unknown })?.title);
    if (parsed.success) return parsed.data;
  }
  return { en: lesson.slug, mn: lesson.slug };
}

type QuizFields = Omit<Quiz, '_id' | 'courseId'>;

/** The forms of the pre- and post-test, and whether they are parallel (counterbalanced). */
function testForms(course: z.infer<typeof courseDef>) {
  const { preTest, postTest } = course;
  if (course.testForms) {
    const ids = course.testForms.map((f) => f.id);
    if (new Set(ids).size !== ids.length) throw new Error('testForms: a form id is used twice');
    for (const [key, def] of [
      ['preTest', preTest],
      ['postTest', postTest],
    ] as const)
      if (def?.questions) throw new Error(`${key}.questions: leave it out when testForms lists the forms`);
    const forms = course.testForms.map((f) => ({ id: f.id, questionIds: f.questions }));
    return { pre: forms, post: forms, counterbalance: true };
  }
  if (course.parallelForms) {
    if (!preTest?.questions || !postTest?.questions)
      throw new Error('parallelForms: needs preTest.questions and postTest.questions');
    const forms = [
      { id: 'A', questionIds: preTest.questions },
      { id: 'B', questionIds: postTest.questions },
    ];
    return { pre: forms, post: forms, counterbalance: true };
  }
  const own = (key: string, def: typeof preTest) => {
    if (def && !def.questions)
      throw new Error(`${key}.questions: list the questions (or the course's testForms)`);
    return def?.questions ? [{ id: key === 'preTest' ? 'pre' : 'post', questionIds: def.questions }] : [];
  };
  return { pre: own('preTest', preTest), post: own('postTest', postTest), counterbalance: false };
}

/** Parallel forms measure the same objectives: each must cover every objective another covers. */
function checkFormsMatch(forms: Array<{ id: string; questionIds: string[] }>, bank: QuestionFile[]) {
  const objective = new Map(bank.map((q) => [q.id, q.objective]));
  const covered = forms.map((f) => new Set(f.questionIds.map((id) => objective.get(id))));
  const all = new Set(covered.flatMap((c) => [...c]));
  forms.forEach((f, i) => {
    const missing = [...all].filter((o) => o && !covered[i]!.has(o));
    if (missing.length) throw new Error(`form ${f.id}: measures no question of ${missing.join(', ')}`);
  });
}

function quizDefinitions(input: ImportInput, course: z.infer<typeof courseDef>): QuizFields[] {
  const quizzes: QuizFields[] = [];
  const forms = testForms(course);
  for (const [kind, def] of [
    ['pre', course.preTest],
    ['post', course.postTest],
  ] as const) {
    if (!def) continue;
    const own = forms[kind];
    quizzes.push({
      key: kind,
      kind,
      title: def.title,
      // The test's own form (parallel forms: A for the pre-test, B for the post-test), as read by
      // exports and archives; attempts take any of `forms`.
      questionIds: (kind === 'pre' ? own[0] : (own[1] ?? own[0]))!.questionIds,
      forms: own,
      counterbalance: forms.counterbalance,
      draw: Math.max(...own.map((f) => f.questionIds.length)),
      passingScore: def.passingScore,
      maxAttempts: kind === 'pre' ? 1 : 3,
      timeLimitMinutes: def.timeLimitMinutes,
      feedbackMode: 'after-submit',
    });
  }
  for (const lesson of input.lessons) {
    if (!lesson.quiz) continue;
    const { questions, draw, passingScore } = lesson.quiz;
    if (draw < 1 || draw > questions.length)
      throw new Error(`lesson ${lesson.slug}: quiz draw ${draw} must be between 1 and ${questions.length}`);
    if (passingScore < 0 || passingScore > 100)
      throw new Error(`lesson ${lesson.slug}: passingScore must be 0–100`);
    quizzes.push({
      key: `lesson:${lesson.slug}`,
      kind: 'lesson',
      lessonId: new Types.ObjectId(String(lesson.lessonId)),
      title: lessonTitle(input.courseDir, lesson),
      questionIds: questions,
      draw,
      passingScore,
      maxAttempts: 3,
      feedbackMode: 'after-submit',
    });
  }
  return quizzes;
}

const hashOf = (q: QuestionFile) => createHash('sha256').update(JSON.stringify(q)).digest('hex');

/** Reads, validates and upserts a course's question bank and quizzes. Safe to run again. */
export async function importQuizzes(ctx: AppContext, input: ImportInput): Promise<void> {
  const courseResult = courseDef.safeParse(input.course);
  if (!courseResult.success)
    throw new Error(
      `course.yaml: ${courseResult.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)}`,
    );
  const course = courseResult.data;
  const bank = loadQuestionBank(
    input.courseDir,
    course.objectives.map((o) => o.id),
  );
  const qids = new Set(bank.map((q) => q.id));
  const quizzes = quizDefinitions(input, course);
  // Attitude and practice items: shown in the pre- and post-test, never scored.
  const survey = loadSurvey(input.courseDir, qids);
  if (survey) {
    const tests = quizzes.filter((q) => q.kind !== 'lesson');
    if (!tests.length) throw new Error(`${SURVEY_FILE}: the course has no pre- or post-test to show it in`);
    for (const q of tests) q.survey = survey.map((d) => d.sid);
  }
  for (const quiz of quizzes) {
    const missing = [...quiz.questionIds, ...(quiz.forms ?? []).flatMap((f) => f.questionIds)].filter(
      (id) => !qids.has(id),
    );
    if (missing.length) throw new Error(`quiz ${quiz.key}: unknown question ids ${missing.join(', ')}`);
    for (const list of quiz.forms ? quiz.forms.map((f) => f.questionIds) : [quiz.questionIds])
      if (new Set(list).size !== list.length) throw new Error(`quiz ${quiz.key}: a question is listed twice`);
    if (quiz.counterbalance && quiz.forms) checkFormsMatch(quiz.forms, bank);
  }
  const coverage = formCoverageProblems(
    quizzes.flatMap((q) => (q.kind === 'lesson' ? [] : [{ kind: q.kind, forms: q.forms ?? [] }])),
    new Map(bank.map((q) => [q.id, q.objective])),
    course.objectives.map((o) => o.id),
  );
  if (coverage.length) throw new Error(`course.yaml: ${coverage.join('\n')}`);

  const courseId = new Types.ObjectId(String(input.courseId));
  const Questions = questionModel(ctx.db);
  const Quizzes = quizModel(ctx.db);
  await Promise.all([Questions.init(), Quizzes.init()]);
  for (const q of bank) {
    const contentHash = hashOf(q);
    const content = {
      objective: q.objective,
      type: q.type,
      stem: q.stem,
      explanation: q.explanation,
      excerpt: q.excerpt,
      case: q.case,
      options: q.options,
      elements: q.elements,
      contentHash,
    };
    const changed = await Questions.updateOne(
      { courseId, qid: q.id, contentHash: mongoose.trusted({ $ne: contentHash }) },
      { $set: content, $inc: { version: 1 } },
    );
    if (changed.matchedCount > 0) continue;
    try {
      await Questions.create({ courseId, qid: q.id, version: 1, ...content });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err; // unchanged: nothing to do
    }
  }
  if (survey) await importSurvey(ctx, courseId, survey);
  for (const quiz of quizzes) {
    // Settings the course no longer gives (a timer, forms, a survey) are removed, not kept from before.
    const unset = (['timeLimitMinutes', 'forms', 'counterbalance', 'survey'] as const).filter(
      (k) => quiz[k] === undefined,
    );
    const set = Object.fromEntries(Object.entries(quiz).filter(([, v]) => v !== undefined));
    await Quizzes.updateOne(
      { courseId, key: quiz.key },
      { $set: set, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) } : {}) },
      { upsert: true },
    );
  }
  forgetSurveys(ctx);
  await forgetQuizDefinitions(ctx);
}
