import { Types } from 'mongoose';
import { trusted } from '../../../server/db/ids';
import type { AppContext } from '../../../server/context';
import type { SessionUser } from '../../../server/types';
import { Conflict, NotFound } from '../../../server/http/errors';
import { getOutlineBySlug, type CourseOutline } from '../../learning';
import { addImportedQuestions, courseQuizBank, type NewQuestion } from '../../quizzes';
import { recordAudit } from '../../audit';
import { fromBankQuestion, InterchangeError, type InterchangeQuestion } from './model';
import { exportMoodleXml, importMoodleXml, isCorrect } from './moodle';
import { exportGift, importGift } from './gift';
import { questionImportModel, type QuestionImport } from './store';

export const MAX_QUESTION_FILE_BYTES = 2 * 1024 * 1024;
export type InterchangeFormat = 'moodle-xml' | 'gift';

export async function courseBySlug(ctx: AppContext, slug: string): Promise<CourseOutline> {
  const course = await getOutlineBySlug(ctx, slug);
  if (!course) throw new NotFound();
  return course;
}

/** The course's question bank as a Moodle XML or GIFT file. */
export async function exportQuestions(ctx: AppContext, slug: string, format: InterchangeFormat) {
  const course = await courseBySlug(ctx, slug);
  const { questions } = await courseQuizBank(ctx, course.id);
  const list = questions.map(fromBankQuestion);
  if (format === 'gift') {
    const { text, left } = exportGift(list, course.slug);
    return { body: text, left, filename: `${course.slug}-questions.gift.txt` };
  }
  return { body: exportMoodleXml(list, course.slug), left: [], filename: `${course.slug}-questions.xml` };
}

export const formatOf = (filename: string, text: string): InterchangeFormat =>
  /\.xml$/i.test(filename) || /^\s*(<\?xml|<quiz)/.test(text) ? 'moodle-xml' : 'gift';

/** What keeps an imported question out of the bank for now: a missing language or missing feedback. */
export function draftReasons(q: InterchangeQuestion): string[] {
  const out = [...q.missing];
  for (const [list, name] of [
    [q.options, 'options'],
    [q.elements ?? [], 'elements'],
  ] as const)
    for (const o of list)
      if (!o.feedback.en?.trim() && !o.feedback.mn?.trim()) out.push(`${name}.${o.id}.feedback`);
  return out;
}

export interface PreviewRow {
  question: InterchangeQuestion;
  state: 'new' | 'exists' | 'draft';
  reasons: string[];
}

/**
 * Reads an uploaded file and keeps it for confirmation. Refuses it whole (InterchangeError) when any
 * question is broken or names an objective the course does not have.
 */
export async function previewImport(
  ctx: AppContext,
  actor: Pick<SessionUser, 'id' | 'role'> | undefined,
  slug: string,
  filename: string,
  text: string,
  defaultObjective?: string,
): Promise<{ id: string; rows: PreviewRow[]; skipped: string[] }> {
  const course = await courseBySlug(ctx, slug);
  const format = formatOf(filename, text);
  const opts = defaultObjective ? { defaultObjective } : {};
  const parsed =
    format === 'moodle-xml' ? importMoodleXml(text, opts) : { ...importGift(text, opts), skipped: [] };
  const objectives = new Set(course.objectives.map((o) => o.id));
  const problems = parsed.questions
    .filter((q) => !objectives.has(q.objective))
    .map((q) => `question "${q.qid}": objective "${q.objective}" is not an objective of the course`);
  if (problems.length) throw new InterchangeError(problems);
  const { questions: bank } = await courseQuizBank(ctx, course.id);
  const have = new Set(bank.map((q) => q.qid));
  const rows = parsed.questions.map((question): PreviewRow => {
    const reasons = draftReasons(question);
    return { question, reasons, state: have.has(question.qid) ? 'exists' : reasons.length ? 'draft' : 'new' };
  });
  const doc = await questionImportModel(ctx.db).create({
    courseId: new Types.ObjectId(course.id),
    ...(actor ? { createdBy: new Types.ObjectId(actor.id) } : {}),
    createdAt: ctx.clock.now(),
    filename: filename.slice(0, 200),
    format,
    status: 'preview',
    questions: parsed.questions,
  });
  return { id: String(doc._id), rows, skipped: parsed.skipped };
}

export function toNewQuestion(q: InterchangeQuestion): NewQuestion {
  const both = (t: { en?: string; mn?: string }) => ({ en: t.en ?? '', mn: t.mn ?? '' });
  const opt = (type: InterchangeQuestion['type']) => (o: InterchangeQuestion['options'][number]) => ({
    id: o.id,
    text: both(o.text),
    ...(type === 'ordering' ? {} : { correct: isCorrect(type, o) }),
    feedback: both(o.feedback),
  });
  return {
    qid: q.qid,
    objective: q.objective,
    type: q.type,
    stem: both(q.stem),
    ...(q.explanation ? { explanation: both(q.explanation) } : {}),
    ...(q.excerpt ? { excerpt: both(q.excerpt) } : {}),
    ...(q.case ? { case: both(q.case) } : {}),
    options: q.options.map(opt(q.type)),
    ...(q.elements ? { elements: q.elements.map(opt('single')) } : {}),
  };
}

/**
 * Applies a previewed import once (a conditional update claims it): complete new questions join the
 * bank, incomplete ones stay as drafts for a translator, questions the bank has are left alone.
 */
export async function confirmImport(
  ctx: AppContext,
  actor: Pick<SessionUser, 'id' | 'role'> | undefined,
  slug: string,
  id: string,
) {
  const course = await courseBySlug(ctx, slug);
  if (!Types.ObjectId.isValid(id)) throw new NotFound();
  const Imports = questionImportModel(ctx.db);
  const claimed = await Imports.findOneAndUpdate(
    { _id: new Types.ObjectId(id), courseId: new Types.ObjectId(course.id), status: 'preview' },
    { $set: { status: 'applied', appliedAt: ctx.clock.now() } },
    { new: true },
  ).lean<QuestionImport>();
  if (!claimed) throw new Conflict('interop.interchange.errors.alreadyApplied');
  const drafts = claimed.questions.filter((q) => draftReasons(q).length);
  const complete = claimed.questions.filter((q) => !draftReasons(q).length);
  const { added, existing } = await addImportedQuestions(ctx, course.id, complete.map(toNewQuestion));
  await Imports.updateOne({ _id: claimed._id }, { $set: { added, drafts: drafts.map((q) => q.qid) } });
  await recordAudit(ctx, actor, 'questions.imported', { type: 'course', id: course.slug });
  return { added, existing, drafts: drafts.map((q) => q.qid) };
}

/** Imported questions waiting for a translator, newest import first. */
export async function translationDrafts(ctx: AppContext, courseId: string) {
  const imports = await questionImportModel(ctx.db)
    .find({
      courseId: new Types.ObjectId(courseId),
      status: 'applied',
      drafts: trusted({ $exists: true, $not: { $size: 0 } }),
    })
    .sort({ appliedAt: -1 })
    .limit(20)
    .lean<QuestionImport[]>();
  return imports.flatMap((imp) =>
    imp.questions
      .filter((q) => imp.drafts?.includes(q.qid))
      .map((q) => ({ question: q, reasons: draftReasons(q), filename: imp.filename })),
  );
}
