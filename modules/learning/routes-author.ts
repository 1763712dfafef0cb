import { Router, type Response } from 'express';
import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { AppError, Invalid } from '../../server/http/errors';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { BLOCK_TYPES, type Block, type LessonContent } from './model';
import { learningPolicy as policy } from './policy';
import {
  courseParams,
  lessonParams,
  lessonIdParams,
  moveForm,
  newLessonForm,
  parseEditor,
  previewQuery,
  revForm,
  MAX_BLOCKS,
  type EditorInput,
  noticesFrom,
} from './schemas';
import * as authoring from './authoring';
import { linkMedia, renderBlocks } from './outline';
import { mediaIndexOf } from './media-model';
import { MEDIA_PREFIX } from './media-files';
import { signedInUser } from '../../server/auth/policy';
import { mnReviewRoutes } from './routes-mn-review';

/** Applies the editor's button (add, remove, move a block) to what the trainer typed. */
function applyAction(input: EditorInput): LessonContent {
  const blocks: Block[] = input.blocks.map((b) => ({ ...b }));
  const [verb, arg] = input.action.split('-') as [string, string | undefined];
  const i = Number(arg);
  if (verb === 'add' && blocks.length < MAX_BLOCKS)
    blocks.push({ id: authoring.newBlockId(), type: input.addType ?? 'markdown', en: '', mn: '' });
  if (verb === 'remove' && blocks[i]) blocks.splice(i, 1);
  if (verb === 'up' && i > 0 && blocks[i]) [blocks[i - 1], blocks[i]] = [blocks[i]!, blocks[i - 1]!];
  if (verb === 'down' && blocks[i + 1]) [blocks[i], blocks[i + 1]] = [blocks[i + 1]!, blocks[i]!];
  return {
    title: { en: input.titleEn, mn: input.titleMn },
    objectives: input.objectives,
    minutes: input.minutes,
    blocks,
  };
}

/** Trainer authoring: course list, lesson order, lesson editor, preview, publish, history. */
export function authorRoutes(ctx: AppContext): Router {
  const router = Router();
  const base = (res: Response, slug: string) => res.locals.url(`/trainer/courses/${slug}`);
  /** The editor, with the block types and the course's library files a block may show. */
  const renderEditor = async (
    res: Response,
    status: number,
    locals: { course: { _id: Types.ObjectId } } & Record<string, unknown>,
  ) =>
    res.status(status).render('learning/trainer/editor', {
      ...locals,
      blockTypes: BLOCK_TYPES,
      mediaRefs: Object.keys(await mediaIndexOf(ctx.db, locals.course._id)).map((n) => `${MEDIA_PREFIX}${n}`),
    });
  // Native-speaker sign-off of the Mongolian text, block by block.
  router.use(mnReviewRoutes(ctx));

  router.get('/trainer/courses', policy.author, async (_req, res) => {
    res.render('learning/trainer/courses', { courses: await authoring.listCourses(ctx) });
  });

  router.get('/trainer/courses/:courseSlug', policy.author, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const data = await authoring.courseWithLessons(ctx, courseSlug);
    res.render('learning/trainer/course', { ...data, saved: noticesFrom(req.query).saved });
  });

  router.post('/trainer/courses/:courseSlug/lessons', policy.author, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const parsed = newLessonForm.safeParse(req.body ?? {});
    const render = async (errors: Record<string, string>) => {
      const data = await authoring.courseWithLessons(ctx, courseSlug);
      res.status(400).render('learning/trainer/course', { ...data, values: req.body, errors });
    };
    if (!parsed.success) return render(fieldErrors(parsed.error));
    try {
      const lesson = await authoring.createLesson(ctx, signedInUser(req), courseSlug, parsed.data);
      res.redirect(303, `${base(res, courseSlug)}/lessons/${lesson.slug}/edit`);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      return render(err.details ?? { _form: err.key });
    }
  });

  router.post('/trainer/courses/:courseSlug/lessons/:lessonId/move', policy.author, async (req, res) => {
    const { courseSlug, lessonId } = parseParams(lessonIdParams, req.params);
    const { direction } = parse(moveForm, req.body);
    await authoring.moveLesson(ctx, courseSlug, lessonId, direction);
    res.redirect(303, `${base(res, courseSlug)}#lesson-${lessonId}`);
  });

  router.post('/trainer/courses/:courseSlug/mn-reviewed', policy.author, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    await authoring.clearMnDraft(ctx, signedInUser(req), courseSlug);
    res.redirect(303, `${base(res, courseSlug)}?saved=mn`);
  });

  const editorPath = '/trainer/courses/:courseSlug/lessons/:lessonSlug';

  router.get(`${editorPath}/edit`, policy.author, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const { course, lesson, working } = await authoring.lessonForEditing(ctx, courseSlug, lessonSlug);
    await renderEditor(res, 200, {
      course,
      lesson,
      working,
      rev: lesson.draftRev,
      saved: noticesFrom(req.query).saved,
    });
  });

  router.post(`${editorPath}/edit`, policy.author, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const { course, lesson } = await authoring.lessonForEditing(ctx, courseSlug, lessonSlug);
    const parsed = parseEditor(req.body);
    if (!parsed.success) {
      if (!('shaped' in parsed)) throw new Invalid('errors.invalid', fieldErrors(parsed.error));
      const typed = parsed.shaped;
      return renderEditor(res, 400, {
        course,
        lesson,
        working: {
          title: { en: typed.titleEn, mn: typed.titleMn },
          objectives: typed.objectives,
          minutes: typed.minutes,
          blocks: typed.blocks,
        },
        rev: Number(typed.rev) || 0,
        errors: { _form: 'errors.invalid', ...fieldErrors(parsed.error) },
      });
    }
    const content = applyAction(parsed.data);
    try {
      await authoring.saveDraft(ctx, signedInUser(req), lesson._id, parsed.data.rev, content);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      // Someone saved first: show their revision number but keep this trainer's text on screen.
      const fresh = await authoring.lessonForEditing(ctx, courseSlug, lessonSlug);
      return renderEditor(res, 409, {
        course,
        lesson: fresh.lesson,
        working: content,
        rev: fresh.lesson.draftRev,
        errors: { _form: 'errors.staleEdit' },
      });
    }
    const anchor = parsed.data.action.startsWith('add') ? `#block-${content.blocks.length - 1}` : '';
    res.redirect(303, `${base(res, courseSlug)}/lessons/${lessonSlug}/edit?saved=1${anchor}`);
  });

  router.get(`${editorPath}/preview`, policy.author, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const { lang: asked } = parse(previewQuery, req.query);
    const { course, working } = await authoring.lessonForEditing(ctx, courseSlug, lessonSlug);
    const lang = asked ?? res.locals.lang;
    res.render('learning/trainer/preview', {
      course,
      lessonSlug,
      working,
      contentLang: lang,
      otherLang: lang === 'en' ? 'mn' : 'en',
      blocks: linkMedia(
        renderBlocks(working.blocks, lang),
        await mediaIndexOf(ctx.db, course._id),
        res.locals.url(`/learn/${course.slug}/media`),
      ),
      title: working.title[lang as 'en' | 'mn'],
    });
  });

  router.post(`${editorPath}/publish`, policy.author, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const { rev } = parse(revForm, req.body);
    const { course, lesson, working } = await authoring.lessonForEditing(ctx, courseSlug, lessonSlug);
    try {
      await authoring.publishLesson(ctx, signedInUser(req), lesson._id, rev);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      return renderEditor(res, err.status, {
        course,
        lesson,
        working,
        rev: lesson.draftRev,
        errors: { _form: err.key, ...(err instanceof Invalid ? err.details : {}) },
      });
    }
    res.redirect(303, `${base(res, courseSlug)}/lessons/${lessonSlug}/history?published=1`);
  });

  router.get(`${editorPath}/history`, policy.author, async (req, res) => {
    const { courseSlug, lessonSlug } = parseParams(lessonParams, req.params);
    const { course, lesson } = await authoring.lessonForEditing(ctx, courseSlug, lessonSlug);
    const versions = await authoring.lessonHistory(ctx, new Types.ObjectId(String(lesson._id)));
    res.render('learning/trainer/history', {
      course,
      lesson,
      versions,
      published: noticesFrom(req.query).published,
    });
  });

  return router;
}
