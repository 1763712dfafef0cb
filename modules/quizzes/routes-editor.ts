import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { AppError, Invalid } from '../../server/http/errors';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { signedInUser } from '../../server/auth/policy';
import { quizzesPolicy as policy } from './policy';
import * as editor from './editor';
import type { QuestionContent } from './editor-model';
import type { QuestionOption } from './model';
import {
  contentFromInput,
  courseQuestionsParams,
  parseQuestionEditor,
  questionParams,
  questionPreviewQuery,
  questionRevForm,
  type QuestionEditorInput,
} from './editor-schemas';

/** Keeps a list's ids and order as the question has them (true/false options, case choices). */
function fixedIds(typed: QuestionOption[], current: QuestionOption[]): QuestionOption[] {
  return current.map((c) => typed.find((o) => o.id === c.id) ?? c);
}

/** Moves an ordering question's step one place up or down (the order is its key). */
function moved(list: QuestionOption[], from: number, by: -1 | 1): QuestionOption[] {
  const to = from + by;
  if (!list[from] || !list[to]) return list;
  const out = [...list];
  [out[from], out[to]] = [out[to]!, out[from]!];
  return out;
}

/** Applies the editor's button (add, remove or move an option) to what the trainer typed. */
function applyAction(found: editor.QuestionForEditing, input: QuestionEditorInput): QuestionContent {
  const { type } = found.question;
  const content = contentFromInput(type, input);
  if (type === 'true-false' || type === 'case') {
    // True/False and a case's classifications and elements are fixed: only texts, feedback and key change.
    content.options = fixedIds(content.options, found.working.options);
    if (type === 'case') content.elements = fixedIds(content.elements ?? [], found.working.elements ?? []);
    return content;
  }
  const [verb, arg] = [input.action.replace(/-\d$/, ''), Number(input.action.split('-').pop())];
  if (verb === 'add-option' && content.options.length < editor.MAX_OPTIONS) {
    const taken = new Set(content.options.map((o) => o.id));
    let n = content.options.length + 1;
    while (taken.has(`o${n}`)) n++;
    content.options.push({
      id: `o${n}`,
      text: { en: '', mn: '' },
      feedback: { en: '', mn: '' },
      ...(type === 'ordering' ? {} : { correct: false }),
    });
  }
  if (verb === 'remove-option' && content.options.length > editor.MIN_OPTIONS && content.options[arg])
    content.options.splice(arg, 1);
  if (type === 'ordering' && verb === 'move-up') content.options = moved(content.options, arg, -1);
  if (type === 'ordering' && verb === 'move-down') content.options = moved(content.options, arg, 1);
  return content;
}

/** Where the page opens after a button: the option added, or the step that moved (focus follows it). */
function anchorAfter(action: string, content: QuestionContent): string {
  if (action === 'add-option') return `#option-${content.options.length - 1}`;
  const move = /^move-(up|down)-(\d)$/.exec(action);
  if (!move) return '';
  const to = Number(move[2]) + (move[1] === 'up' ? -1 : 1);
  return `#option-${Math.min(Math.max(to, 0), content.options.length - 1)}`;
}

/** Trainers edit questions: list by objective, editor, preview in either language, publish, history. */
export function questionEditorRoutes(ctx: AppContext): Router {
  const router = Router();
  const base = (res: Response, slug: string, qid: string) =>
    res.locals.url(`/trainer/courses/${slug}/questions/${qid}`);

  const renderEditor = (
    res: Response,
    found: editor.QuestionForEditing,
    extra: {
      working?: QuestionContent;
      rev?: number;
      errors?: Record<string, string>;
      status?: number;
      saved?: boolean;
    },
  ) =>
    res.status(extra.status ?? 200).render('quizzes/editor/edit', {
      course: found.course,
      question: found.question,
      working: extra.working ?? found.working,
      rev: extra.rev ?? found.rev,
      hasDraft: found.hasDraft,
      maxOptions: editor.MAX_OPTIONS,
      minOptions: editor.MIN_OPTIONS,
      saved: extra.saved,
      errors: extra.errors ?? {},
    });

  router.get('/trainer/courses/:courseSlug/questions', policy.author, async (req, res) => {
    const { courseSlug } = parseParams(courseQuestionsParams, req.params);
    res.render('quizzes/editor/list', await editor.questionList(ctx, courseSlug));
  });

  const path = '/trainer/courses/:courseSlug/questions/:qid';

  router.get(`${path}/edit`, policy.author, async (req, res) => {
    const { courseSlug, qid } = parseParams(questionParams, req.params);
    const found = await editor.questionForEditing(ctx, courseSlug, qid);
    renderEditor(res, found, { saved: req.query.saved === '1' });
  });

  router.post(`${path}/edit`, policy.author, async (req, res) => {
    const { courseSlug, qid } = parseParams(questionParams, req.params);
    const found = await editor.questionForEditing(ctx, courseSlug, qid);
    const parsed = parseQuestionEditor(req.body);
    if (!parsed.success) {
      if (!('shaped' in parsed)) throw new Invalid('errors.invalid', fieldErrors(parsed.error));
      const typed = parsed.shaped;
      return renderEditor(res, found, {
        status: 400,
        rev: Number(typed.rev) || 0,
        working: contentFromInput(found.question.type, typed),
        errors: { _form: 'errors.invalid', ...fieldErrors(parsed.error) },
      });
    }
    const content = applyAction(found, parsed.data);
    try {
      await editor.saveQuestionDraft(ctx, signedInUser(req), found, parsed.data.rev, content);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      // Someone saved first: their revision number, this trainer's text kept on screen.
      const fresh = await editor.questionForEditing(ctx, courseSlug, qid);
      return renderEditor(res, fresh, {
        status: 409,
        working: content,
        errors: { _form: 'errors.staleEdit' },
      });
    }
    const anchor = anchorAfter(parsed.data.action, content);
    res.redirect(303, `${base(res, courseSlug, qid)}/edit?saved=1${anchor}`);
  });

  router.get(`${path}/preview`, policy.author, async (req, res) => {
    const { courseSlug, qid } = parseParams(questionParams, req.params);
    const { lang: asked } = parse(questionPreviewQuery, req.query);
    const found = await editor.questionForEditing(ctx, courseSlug, qid);
    const lang = asked ?? res.locals.lang;
    res.render('quizzes/editor/preview', {
      course: found.course,
      question: found.question,
      working: found.working,
      hasDraft: found.hasDraft,
      contentLang: lang,
      otherLang: lang === 'en' ? 'mn' : 'en',
    });
  });

  router.post(`${path}/publish`, policy.author, async (req, res) => {
    const { courseSlug, qid } = parseParams(questionParams, req.params);
    const { rev } = parse(questionRevForm, req.body);
    const found = await editor.questionForEditing(ctx, courseSlug, qid);
    try {
      await editor.publishQuestion(ctx, signedInUser(req), found, rev);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      return renderEditor(res, found, {
        status: err.status,
        errors: { _form: err.key, ...(err instanceof Invalid ? err.details : {}) },
      });
    }
    res.redirect(303, `${base(res, courseSlug, qid)}/history?published=1`);
  });

  router.get(`${path}/history`, policy.author, async (req, res) => {
    const { courseSlug, qid } = parseParams(questionParams, req.params);
    const found = await editor.questionForEditing(ctx, courseSlug, qid);
    res.render('quizzes/editor/history', {
      course: found.course,
      question: found.question,
      versions: await editor.questionHistory(ctx, found.question._id),
      published: req.query.published === '1',
    });
  });

  return router;
}
