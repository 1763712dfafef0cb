import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { trusted } from '../../server/db/ids';
import { recordAudit } from '../audit';
import { getOutlineBySlug, type CourseOutline } from '../learning';
import { questionModel, type Question, type QuestionOption, type QuestionType } from './model';
import { questionDraftModel, questionVersionModel, type QuestionContent } from './editor-model';
import { forgetQuizDefinitions } from './definitions';

/**
 * The trainer's question editor, as the lesson editor: a working copy saved with optimistic
 * concurrency (a stale save is a 409 and loses nothing on screen), publishing as an immutable version
 * that the quiz player then shows. Every type: choices, true/false, spot-harm (with its excerpt),
 * ordering (the key is the order of the steps) and cases (fixed classifications and elements).
 */
export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 8;

export interface QuestionForEditing {
  course: CourseOutline;
  question: Question;
  working: QuestionContent;
  rev: number;
  hasDraft: boolean;
}

/** The optional parts of a question's content that are set (a version or a draft never stores empties). */
const extras = (c: Pick<QuestionContent, 'explanation' | 'excerpt' | 'case' | 'elements'>) => ({
  ...(c.explanation ? { explanation: c.explanation } : {}),
  ...(c.excerpt ? { excerpt: c.excerpt } : {}),
  ...(c.case ? { case: c.case } : {}),
  ...(c.elements?.length ? { elements: c.elements } : {}),
});

const contentOf = (q: Question): QuestionContent => ({
  objective: q.objective,
  stem: q.stem,
  options: q.options,
  ...extras(q),
});

async function courseOf(ctx: AppContext, slug: string): Promise<CourseOutline> {
  const course = await getOutlineBySlug(ctx, slug);
  if (!course) throw new NotFound();
  return course;
}

/** The course's questions with their objective's label, and whether each has an unpublished draft. */
export async function questionList(ctx: AppContext, courseSlug: string) {
  const course = await courseOf(ctx, courseSlug);
  const courseId = new Types.ObjectId(course.id);
  const [questions, drafts] = await Promise.all([
    questionModel(ctx.db)
      .find({ courseId }, { qid: 1, objective: 1, type: 1, stem: 1, version: 1 })
      .sort({ qid: 1 })
      .lean(),
    questionDraftModel(ctx.db)
      .find({ courseId, content: trusted({ $exists: true }) }, { questionId: 1 })
      .lean(),
  ]);
  const drafted = new Set(drafts.map((d) => String(d.questionId)));
  const rows = questions.map((q) => ({
    qid: q.qid,
    objective: q.objective,
    type: q.type,
    stem: q.stem,
    version: q.version,
    hasDraft: drafted.has(String(q._id)),
  }));
  // Grouped by objective, in the course's order of objectives.
  const groups = course.objectives.map((o) => ({
    objective: o,
    questions: rows.filter((r) => r.objective === o.id),
  }));
  return { course, groups: groups.filter((g) => g.questions.length) };
}

export async function questionForEditing(
  ctx: AppContext,
  courseSlug: string,
  qid: string,
): Promise<QuestionForEditing> {
  const course = await courseOf(ctx, courseSlug);
  const courseId = new Types.ObjectId(course.id);
  const question = await questionModel(ctx.db).findOne({ courseId, qid }).lean<Question>();
  if (!question) throw new NotFound();
  const draft = await questionDraftModel(ctx.db).findOne({ questionId: question._id }).lean();
  return {
    course,
    question,
    working: draft?.content ?? contentOf(question),
    rev: draft?.rev ?? 0,
    hasDraft: !!draft?.content,
  };
}

/** Saves the working copy only if nobody saved or published since `rev` was read; otherwise 409. */
export async function saveQuestionDraft(
  ctx: AppContext,
  actor: SessionUser,
  found: QuestionForEditing,
  rev: number,
  content: QuestionContent,
): Promise<number> {
  const Drafts = questionDraftModel(ctx.db);
  const set = { content, updatedAt: ctx.clock.now(), updatedBy: new Types.ObjectId(actor.id) };
  if (rev === 0) {
    // The first save creates the working copy; the unique index lets only one first save win.
    try {
      await Drafts.create({
        questionId: found.question._id,
        courseId: found.question.courseId,
        rev: 1,
        ...set,
      });
      return 1;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new Conflict('errors.staleEdit');
      throw err;
    }
  }
  const saved = await Drafts.findOneAndUpdate(
    { questionId: found.question._id, rev },
    { $set: set, $inc: { rev: 1 } },
    { new: true },
  ).lean();
  if (!saved) throw new Conflict('errors.staleEdit');
  return saved.rev;
}

/** What must hold before trainees see it: both languages everywhere, and a key that fits the type. */
export function questionProblems(type: QuestionType, c: QuestionContent, objectives: string[]) {
  const problems: Record<string, string> = {};
  const both = (t: { en?: string; mn?: string } | undefined, field: string) => {
    if (!t?.en?.trim()) problems[`${field}En`] = 'quizzes.editor.errors.bothLanguages';
    if (!t?.mn?.trim()) problems[`${field}Mn`] = 'quizzes.editor.errors.bothLanguages';
  };
  if (!objectives.includes(c.objective)) problems.objective = 'quizzes.editor.errors.objective';
  both(c.stem, 'stem');
  if (c.explanation && (c.explanation.en.trim() || c.explanation.mn.trim()))
    both(c.explanation, 'explanation');
  if (type === 'spot-harm') both(c.excerpt, 'excerpt');
  if (type === 'case') both(c.case, 'case');
  const choices = (list: QuestionOption[], prefix: string) =>
    list.forEach((o, i) => {
      both(o.text, `${prefix}${i}text`);
      both(o.feedback, `${prefix}${i}feedback`);
    });
  choices(c.options, 'o');
  choices(c.elements ?? [], 'e');
  const right = (list: QuestionOption[]) => list.filter((o) => o.correct).length;
  if (c.options.length < MIN_OPTIONS) problems._form = 'quizzes.editor.errors.fewOptions';
  else if (type === 'multiple' || type === 'spot-harm') {
    if (right(c.options) < 1) problems.key = 'quizzes.editor.errors.keyMultiple';
  } else if (type !== 'ordering' && right(c.options) !== 1) problems.key = 'quizzes.editor.errors.keyOne';
  if (type === 'case' && right(c.elements ?? []) !== 1)
    problems.elementKey = 'quizzes.editor.errors.keyElement';
  return problems;
}

/**
 * Publishes the working copy as the next version. The draft is claimed first (one conditional update:
 * a single publisher wins), then the question moves on from the version it was read at.
 */
export async function publishQuestion(
  ctx: AppContext,
  actor: SessionUser,
  found: QuestionForEditing,
  rev: number,
) {
  const { question, course } = found;
  const Drafts = questionDraftModel(ctx.db);
  const draft = await Drafts.findOne({ questionId: question._id }).lean();
  if (!draft || draft.rev !== rev) throw new Conflict('errors.staleEdit');
  if (!draft.content) throw new Invalid('quizzes.editor.errors.nothingToPublish');
  const content = draft.content;
  const problems = questionProblems(
    question.type,
    content,
    course.objectives.map((o) => o.id),
  );
  if (Object.keys(problems).length) throw new Invalid('quizzes.editor.errors.notReady', problems);
  const claimed = await Drafts.findOneAndUpdate(
    { _id: draft._id, rev, content: trusted({ $exists: true }) },
    { $unset: { content: 1 }, $inc: { rev: 1 } },
  ).lean();
  if (!claimed) throw new Conflict('errors.staleEdit');
  await keepVersionAsShown(ctx, question);
  const explanation = content.explanation?.en.trim() ? content.explanation : undefined;
  const fields = {
    objective: content.objective,
    stem: content.stem,
    options: content.options,
    ...extras({ ...content, explanation }),
  };
  const published = await questionModel(ctx.db)
    .findOneAndUpdate(
      { _id: question._id, version: question.version },
      { $set: fields, ...(explanation ? {} : { $unset: { explanation: 1 } }), $inc: { version: 1 } },
      { new: true },
    )
    .lean();
  if (!published) {
    // The question changed under us (an import): the draft goes back for the trainer to look at.
    await Drafts.updateOne({ _id: draft._id }, { $set: { content }, $inc: { rev: 1 } });
    throw new Conflict('errors.staleEdit');
  }
  await questionVersionModel(ctx.db).create({
    questionId: question._id,
    courseId: question.courseId,
    qid: question.qid,
    version: published.version,
    ...fields,
    publishedAt: ctx.clock.now(),
    publishedBy: new Types.ObjectId(actor.id),
  });
  await forgetQuizDefinitions(ctx);
  await recordAudit(ctx, actor, 'question.published', { type: 'question', id: String(question._id) });
  return published;
}

/**
 * Keeps the version about to be replaced (the imported one has no history entry yet): attempts in
 * progress showed it, and are graded against it.
 */
async function keepVersionAsShown(ctx: AppContext, q: Question) {
  await questionVersionModel(ctx.db).updateOne(
    { questionId: q._id, version: q.version },
    {
      $setOnInsert: {
        questionId: q._id,
        courseId: q.courseId,
        qid: q.qid,
        version: q.version,
        objective: q.objective,
        stem: q.stem,
        options: q.options,
        ...extras(q),
      },
    },
    { upsert: true },
  );
}

/**
 * The questions as each attempt item showed them: where a trainer has published a newer version since,
 * the key of the version shown is used, so publishing never changes the grade of an attempt under way.
 */
export async function asShown(
  ctx: AppContext,
  items: ReadonlyArray<{ qid: string; questionVersion: number }>,
  current: Map<string, Question>,
): Promise<Map<string, Question>> {
  const out = new Map(current);
  for (const item of items) {
    const q = current.get(item.qid);
    if (!q || q.version === item.questionVersion) continue;
    const old = await questionVersionModel(ctx.db)
      .findOne({ questionId: q._id, version: item.questionVersion }, { options: 1, stem: 1, elements: 1 })
      .lean();
    if (old) out.set(item.qid, { ...q, options: old.options, stem: old.stem, elements: old.elements });
  }
  return out;
}

export async function questionHistory(ctx: AppContext, questionId: Types.ObjectId) {
  return questionVersionModel(ctx.db)
    .find({ questionId }, { version: 1, publishedAt: 1, stem: 1, objective: 1 })
    .sort({ version: -1 })
    .lean();
}
