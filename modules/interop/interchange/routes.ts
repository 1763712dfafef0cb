import { Router, type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import { allow, signedInUser } from '../../../server/auth/policy';
import { parseParams } from '../../../server/http/validate';
import { AppError, Invalid } from '../../../server/http/errors';
import { recordAudit } from '../../audit';
import { InterchangeError } from './model';
import { exportCommonCartridge } from './cartridge';
import {
  confirmImport,
  courseBySlug,
  exportQuestions,
  MAX_QUESTION_FILE_BYTES,
  previewImport,
  translationDrafts,
} from './service';

const params = z.strictObject({ courseSlug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/) });
const confirmParams = params.extend({ id: z.string().regex(/^[a-f0-9]{24}$/) });
const exportParams = params.extend({ format: z.enum(['xml', 'gift']) });

const receiveFile = (() => {
  const upload = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: { fileSize: MAX_QUESTION_FILE_BYTES, files: 1, fields: 4, fieldSize: 1024, parts: 6 },
  }).single('file');
  return (req: Request, res: Response, next: NextFunction) =>
    upload(req, res, (err?: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE')
        return next(new AppError(413, 'interop.interchange.errors.tooBig'));
      next(new Invalid('interop.interchange.errors.badUpload'));
    });
})();

/** Trainers and admins move a course's questions to and from Moodle (Moodle XML, GIFT). */
export function interchangeRoutes(ctx: AppContext): Router {
  const router = Router();
  const staff = allow.roles('trainer', 'admin');
  const base = '/trainer/courses/:courseSlug/interchange';

  const render = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const { courseSlug } = parseParams(params, { courseSlug: req.params.courseSlug });
    const course = await courseBySlug(ctx, courseSlug);
    res.status(status).render('interop/interchange/page', {
      course,
      drafts: await translationDrafts(ctx, course.id),
      values: {},
      errors: {},
      ...extra,
    });
  };

  router.get(base, staff, (req, res) => render(req, res, 200));

  router.get(`${base}/export.:format`, staff, async (req, res) => {
    const { courseSlug, format } = parseParams(exportParams, req.params);
    const out = await exportQuestions(ctx, courseSlug, format === 'xml' ? 'moodle-xml' : 'gift');
    await recordAudit(ctx, signedInUser(req), 'questions.exported', { type: 'course', id: courseSlug });
    res
      .set({
        'Content-Type': format === 'xml' ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8',
        'Content-Disposition': `attachment; filename="${out.filename}"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "sandbox; default-src 'none'",
        'Cache-Control': 'no-store',
      })
      .send(out.body);
  });

  router.get(`${base}/cartridge.imscc`, staff, async (req, res) => {
    const { courseSlug } = parseParams(params, req.params);
    const { slug, zip } = await exportCommonCartridge(ctx, courseSlug);
    await recordAudit(ctx, signedInUser(req), 'course.exported', { type: 'course', id: slug });
    res
      .set({
        'Content-Type': 'application/zip',
        'Content-Disposition': `attachment; filename="${slug}.imscc"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "sandbox; default-src 'none'",
        'Cache-Control': 'no-store',
      })
      .send(zip);
  });

  router.post(`${base}/import`, staff, receiveFile, async (req, res) => {
    const { courseSlug } = parseParams(params, req.params);
    const body = (req.body ?? {}) as { objective?: unknown };
    const objective = typeof body.objective === 'string' ? body.objective.trim() : '';
    const values = { objective };
    const file = req.file;
    if (!file || !file.size)
      return render(req, res, 400, { values, errors: { file: 'interop.interchange.errors.noFile' } });
    const text = file.buffer.toString('utf8');
    if (text.includes('\uFFFD'))
      return render(req, res, 400, { values, errors: { file: 'interop.interchange.errors.notUtf8' } });
    try {
      const preview = await previewImport(
        ctx,
        signedInUser(req),
        courseSlug,
        file.originalname,
        text,
        objective || undefined,
      );
      await render(req, res, 200, { values, preview, filename: file.originalname });
    } catch (err) {
      if (!(err instanceof InterchangeError)) throw err;
      await render(req, res, 422, {
        values,
        errors: { file: 'interop.interchange.errors.seeAbove' },
        problems: err.problems,
        filename: file.originalname,
      });
    }
  });

  router.post(`${base}/import/:id/confirm`, staff, async (req, res) => {
    const { courseSlug, id } = parseParams(confirmParams, req.params);
    const result = await confirmImport(ctx, signedInUser(req), courseSlug, id);
    await render(req, res, 200, { result });
  });
  return router;
}
