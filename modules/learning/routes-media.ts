import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../server/context';
import { signedInUser } from '../../server/auth/policy';
import { AppError, Invalid, NotFound } from '../../server/http/errors';
import { attachmentHeader } from '../../server/http/attachment';
import { receiveOneFile } from '../../server/http/receive-file';
import { parse, parseParams } from '../../server/http/validate';
import { courseModel } from './model';
import { learningPolicy as policy } from './policy';
import { courseParams } from './schemas';
import { getOutlineBySlug } from './outline';
import { InUse, listMedia, mediaBytes, mediaForReading, removeMedia, uploadMedia } from './media';
import {
  kindOfName,
  MAX_LIBRARY_MB,
  MAX_MEDIA_MB,
  MAX_MEDIA_PER_COURSE,
  MEDIA_NAME,
  MEDIA_PREFIX,
} from './media-files';
import { byteRange } from '../../server/http/range';

const mediaParams = courseParams.extend({ name: z.string().regex(MEDIA_NAME) });
const emptyForm = z.object({ _csrf: z.string().optional() });
const versionQuery = z.object({
  v: z
    .string()
    .regex(/^[a-f0-9]{12}$/)
    .optional(),
});

const receiveFile = receiveOneFile('file', MAX_MEDIA_MB, {
  tooBig: 'learning.media.errors.tooBig',
  limits: 'learning.media.errors.limits',
  badUpload: 'learning.media.errors.badUpload',
});

/** A year: a file's address carries its version, so a changed file has a new address. */
const FOREVER = 'private, max-age=31536000, immutable';

/** Trainers keep a course's media library; readers (signed in) load the files lessons show. */
export function mediaRoutes(ctx: AppContext): Router {
  const router = Router();
  const libraryPath = '/trainer/courses/:courseSlug/media';

  async function renderLibrary(
    courseSlug: string,
    res: Response,
    status = 200,
    extra: Record<string, unknown> = {},
  ) {
    const course = await courseModel(ctx.db).findOne({ slug: courseSlug }).lean();
    if (!course) throw new NotFound();
    const files = (await listMedia(ctx, course._id)).map((m) => ({
      name: m.name,
      ref: `${MEDIA_PREFIX}${m.name}`,
      kind: kindOfName(m.name) ?? 'file',
      size: m.size,
      originalName: m.originalName,
      href: res.locals.url(`/learn/${course.slug}/media/${m.name}?v=${m.sha256.slice(0, 12)}`),
    }));
    res.status(status).render('learning/trainer/media', {
      course,
      files,
      maxMb: MAX_MEDIA_MB,
      maxFiles: MAX_MEDIA_PER_COURSE,
      libraryMb: MAX_LIBRARY_MB,
      errors: {},
      ...extra,
    });
  }

  router.get(libraryPath, policy.author, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    const { saved, name } = parse(noticeQuery, req.query);
    await renderLibrary(courseSlug, res, 200, { saved, savedName: name });
  });

  router.post(
    libraryPath,
    policy.author,
    async (req: Request, _res: Response, next: NextFunction) => {
      // An unknown course is a 404 before a byte of the body is read.
      const { courseSlug } = parseParams(courseParams, req.params);
      if (!(await courseModel(ctx.db).exists({ slug: courseSlug }))) throw new NotFound();
      next();
    },
    receiveFile,
    async (req: Request, res: Response) => {
      const { courseSlug } = parseParams(courseParams, req.params);
      try {
        if (!req.file) throw new Invalid('learning.media.errors.noFile');
        const { media, replaced, unchanged } = await uploadMedia(
          ctx,
          signedInUser(req),
          courseSlug,
          req.file,
        );
        const saved = unchanged ? 'unchanged' : replaced ? 'replaced' : 'uploaded';
        res.redirect(
          303,
          res.locals.url(`${libraryUrl(courseSlug)}?saved=${saved}&name=${media.name}#files`),
        );
      } catch (err) {
        if (!(err instanceof AppError) || ![400, 409].includes(err.status)) throw err;
        await renderLibrary(courseSlug, res, err.status, { errors: { file: err.key } });
      }
    },
    // A file too large or a broken upload: the library again, with the reason at the file field.
    async (err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!(err instanceof AppError) || ![400, 413].includes(err.status)) return next(err);
      const { courseSlug } = parseParams(courseParams, req.params);
      await renderLibrary(courseSlug, res, err.status, { errors: { file: err.key } });
    },
  );

  router.post(`${libraryPath}/:name/remove`, policy.author, async (req, res) => {
    const { courseSlug, name } = parseParams(mediaParams, req.params);
    parse(emptyForm, req.body);
    try {
      await removeMedia(ctx, signedInUser(req), courseSlug, name);
    } catch (err) {
      if (!(err instanceof InUse)) throw err;
      return renderLibrary(courseSlug, res, 409, { inUse: { name, lessons: err.lessons } });
    }
    res.redirect(303, res.locals.url(`${libraryUrl(courseSlug)}?saved=removed&name=${name}#files`));
  });

  router.get('/learn/:courseSlug/media/:name', policy.learner, async (req, res) => {
    const { courseSlug, name } = parseParams(mediaParams, req.params);
    const { v } = parse(versionQuery, req.query);
    const course = await getOutlineBySlug(ctx, courseSlug);
    if (!course) throw new NotFound();
    const media = await mediaForReading(ctx, course.id, name);
    const etag = `"${media.sha256.slice(0, 32)}"`;
    res.set({
      'Content-Type': media.mime,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': v === media.sha256.slice(0, 12) ? FOREVER : 'private, no-cache',
      ETag: etag,
      'Accept-Ranges': 'bytes',
      // A document is downloaded under the name it was uploaded with; pictures and sound play in the page.
      ...(kindOfName(name) === 'file' ? { 'Content-Disposition': attachmentHeader(media.originalName) } : {}),
    });
    if (req.get('if-none-match') === etag) return res.status(304).end();
    const range = byteRange(req.get('range'), media.size);
    if (range === 'unsatisfiable') {
      res.set('Content-Range', `bytes */${media.size}`);
      return res.status(416).end();
    }
    if (range) {
      res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${media.size}`);
      res.set('Content-Length', String(range.end - range.start + 1));
    } else res.set('Content-Length', String(media.size));
    const stream = mediaBytes(ctx, media, range);
    stream.on('error', (err) => {
      if (!res.headersSent) res.status(404).end();
      else res.destroy(err);
    });
    stream.pipe(res);
  });

  return router;
}

const noticeQuery = z.object({
  saved: z.enum(['uploaded', 'replaced', 'unchanged', 'removed']).optional(),
  name: z.string().regex(MEDIA_NAME).optional(),
});

const libraryUrl = (courseSlug: string) => `/trainer/courses/${courseSlug}/media`;
