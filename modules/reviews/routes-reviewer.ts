import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import type { Locale } from '../../server/types';
import { fieldErrors, parse, parseParams } from '../../server/http/validate';
import { AppError, Invalid, NotFound } from '../../server/http/errors';
import { reviewsPolicy as policy } from './policy';
import {
  assignmentParams,
  commentForm,
  declareForm,
  fileParams,
  listQuery,
  reviewForm,
  reviewPageQuery,
} from './schemas';
import { declare, myAssignments } from './assign';
import {
  editCommentToApplicant,
  readableFile,
  reviewPage,
  reviewTarget,
  saveReview,
  StaleReview,
  type ReviewInput,
} from './service';
import { callsByIds, pitchesByIds, streamStoredFile } from './grants-port';
import { assignmentListItem, runningTotal, safeExt } from './present';
import { stripDocumentMetadata } from './docmeta';
import { signedInUser } from '../../server/auth/policy';

const MAX_DOWNLOAD = 50 * 1024 * 1024;

/** Field errors as i18n keys: a message zod wrote itself (a tampered field) reads as "not valid". */
const knownErrors = (errors: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(errors).map(([k, v]) => [k, /^(reviews|errors)\.[\w.]+$/.test(v) ? v : 'errors.invalid']),
  );

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > MAX_DOWNLOAD) throw new NotFound();
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Reviewer pages: my assignments, declaration, blind pitch view, review form, blind downloads. */
export function reviewerRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/reviews', policy.reviewer, async (req, res) => {
    const lang = res.locals.lang as Locale;
    const q = parse(listQuery, req.query);
    const list = await myAssignments(ctx, signedInUser(req).id);
    const pitches = new Map(
      (
        await pitchesByIds(
          ctx,
          list.map((a) => a.pitchId),
        )
      ).map((p) => [String(p._id), p]),
    );
    const calls = new Map(
      (
        await callsByIds(
          ctx,
          list.map((a) => a.callId),
        )
      ).map((c) => [String(c._id), c]),
    );
    const now = ctx.clock.now();
    const items = list
      // A pitch withdrawn before the deadline leaves the list.
      .filter((a) => pitches.get(String(a.pitchId))?.status !== 'withdrawn')
      .map((a) =>
        assignmentListItem(a, pitches.get(String(a.pitchId)), calls.get(String(a.callId)), lang, now),
      );
    res.render('reviews/index', { items, declared: !!q.declared });
  });

  const renderPage = async (
    res: Response,
    assignmentId: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const page = await reviewPage(ctx, signedInUser(res.req), assignmentId, res.locals.lang as Locale);
    const view = page.opened ? 'reviews/pitch' : 'opensAt' in page ? 'reviews/waiting' : 'reviews/declare';
    // The weighted total of the scores on the form (as typed when it comes back refused).
    const shown = (extra.mine as ReviewInput | undefined)?.scores ?? (page.opened ? page.review.scores : {});
    const total = page.opened ? runningTotal(page.rubric, shown) : undefined;
    res.status(status).render(view, { page, total, ...extra });
  };

  router.get('/reviews/:assignmentId', policy.reviewer, async (req, res) => {
    const { assignmentId } = parseParams(assignmentParams, req.params);
    const q = parse(reviewPageQuery, req.query);
    await renderPage(res, assignmentId, {
      saved: !!q.saved,
      submitted: !!q.submitted,
      commented: !!q.commented,
    });
  });

  router.post('/reviews/:assignmentId/declare', policy.reviewer, async (req, res) => {
    const { assignmentId } = parseParams(assignmentParams, req.params);
    const form = parse(declareForm, req.body);
    const a = await declare(ctx, signedInUser(req), assignmentId, {
      conflict: form.answer === 'conflict',
      reason: form.reason,
    });
    res.redirect(
      303,
      res.locals.url(a.status === 'accepted' ? `/reviews/${assignmentId}` : '/reviews?declared=1'),
    );
  });

  router.post('/reviews/:assignmentId/review', policy.reviewer, async (req, res) => {
    const { assignmentId } = parseParams(assignmentParams, req.params);
    const target = await reviewTarget(ctx, signedInUser(req).id, assignmentId);
    const { call } = target;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = reviewForm(call.rubric).safeParse(body);
    const typed = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const form = (parsed.success ? parsed.data : {}) as Record<string, unknown> & {
      version?: number;
      action?: 'save' | 'submit';
      commentToApplicant?: string;
      privateComment?: string;
      recommendation?: ReviewInput['recommendation'];
    };
    const input: ReviewInput = {
      version: form.version ?? 0,
      commentToApplicant: form.commentToApplicant ?? typed('commentToApplicant'),
      privateComment: form.privateComment ?? typed('privateComment'),
      recommendation:
        form.recommendation ??
        (['fund', 'maybe', 'decline'].includes(typed('recommendation'))
          ? (typed('recommendation') as ReviewInput['recommendation'])
          : undefined),
      scores: Object.fromEntries(call.rubric.map((c) => [c.id, typed(`score_${c.id}`)])),
    };
    // A form that does not parse still comes back with what was typed, each bad field marked.
    if (!parsed.success)
      return renderPage(
        res,
        assignmentId,
        { mine: input, errors: { _form: 'errors.invalid', ...knownErrors(fieldErrors(parsed.error)) } },
        400,
      );
    try {
      await saveReview(ctx, signedInUser(req), target, input, form.action === 'submit');
      res.redirect(
        303,
        res.locals.url(`/reviews/${assignmentId}?${form.action === 'submit' ? 'submitted' : 'saved'}=1`),
      );
    } catch (err) {
      // Show the reviewer's own text back beside the error: nothing typed is lost.
      if (err instanceof StaleReview)
        return renderPage(res, assignmentId, { mine: input, errors: { _form: 'errors.staleEdit' } }, 409);
      if (err instanceof Invalid)
        return renderPage(
          res,
          assignmentId,
          { mine: input, errors: { _form: err.key, ...err.details } },
          400,
        );
      throw err;
    }
  });

  /** The comment to the applicant, reworded after submitting; refused edits come back with the text kept. */
  router.post('/reviews/:assignmentId/comment', policy.reviewer, async (req, res) => {
    const { assignmentId } = parseParams(assignmentParams, req.params);
    const target = await reviewTarget(ctx, signedInUser(req).id, assignmentId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed = typeof body.commentToApplicant === 'string' ? body.commentToApplicant : '';
    const back = (status: number, errors: Record<string, string>) =>
      renderPage(res, assignmentId, { commentValue: typed, errors }, status);
    const parsed = commentForm.safeParse(body);
    if (!parsed.success)
      return back(400, { _form: 'errors.invalid', ...knownErrors(fieldErrors(parsed.error)) });
    try {
      await editCommentToApplicant(ctx, signedInUser(req), target, parsed.data);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      return back(409, { _form: err.key, commentToApplicant: err.key });
    }
    res.redirect(303, res.locals.url(`/reviews/${assignmentId}?commented=1`));
  });

  router.get('/reviews/files/:assignmentId/:index', policy.reviewer, async (req, res) => {
    const { assignmentId, index } = parseParams(fileParams, req.params);
    const { file, blind } = await readableFile(ctx, signedInUser(req).id, assignmentId, Number(index));
    const { stream } = await streamStoredFile(ctx, file._id);
    const ext = safeExt(file.ext);
    // A record whose bytes are missing is a 404 for the reviewer (backup checks report it to staff).
    const bytes = await readAll(stream).catch((err: { code?: string }) => {
      if (err?.code === 'ENOENT') throw new NotFound();
      throw err;
    });
    // On a call that is not blind the reviewer sees who applied: the file goes out as it came.
    const body = blind ? await stripDocumentMetadata(bytes, ext) : bytes;
    res.set({
      'Content-Type': /^[a-z]+\/[a-z0-9.+-]+$/i.test(file.mime) ? file.mime : 'application/octet-stream',
      'Content-Disposition': `attachment; filename="attachment-${index}.${ext}"`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "sandbox; default-src 'none'",
      'Content-Length': String(body.length),
    });
    res.end(body);
  });

  return router;
}
