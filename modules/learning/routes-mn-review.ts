import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { AppError, Invalid } from '../../server/http/errors';
import { fieldErrors, parseParams } from '../../server/http/validate';
import { signedInUser } from '../../server/auth/policy';
import type { SessionUser } from '../../server/types';
import { learningPolicy as policy } from './policy';
import { courseParams, lessonParams, mnReviewForm, noticesFrom, type MnReviewInput } from './schemas';
import { courseReviewReport, lessonReview, signOffBlocks } from './mn-review';

/** The calendar day (YYYY-MM-DD) in the programme's time zone, as the server's clock says. */
const todayIn = (now: Date, timeZone?: string | null) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: timeZone || 'Asia/Ulaanbaatar',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);

/** What the schema cannot say: a real calendar day, not after today, and at least one block. */
function formProblems(input: MnReviewInput, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const day = new Date(`${input.reviewedOn}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || !day.toISOString().startsWith(input.reviewedOn))
    errors.reviewedOn = 'learning.mnReview.dateInvalid';
  else if (input.reviewedOn > today) errors.reviewedOn = 'learning.mnReview.dateFuture';
  if (!input.blocks.length) errors.blocks = 'learning.mnReview.chooseBlocks';
  return errors;
}

interface FormValues {
  blocks: string[];
  reviewerName: string;
  reviewedOn: string;
}

/** Trainer pages: the course's Mongolian review report, and sign-off of a lesson's blocks. */
export function mnReviewRoutes(ctx: AppContext): Router {
  const router = Router();
  const lessonPath = '/trainer/courses/:courseSlug/lessons/:lessonSlug/mn-review';

  router.get('/trainer/courses/:courseSlug/mn-review', policy.author, async (req, res) => {
    const { courseSlug } = parseParams(courseParams, req.params);
    res.render('learning/trainer/mn-report', await courseReviewReport(ctx, courseSlug));
  });

  async function renderLesson(
    res: Response,
    user: SessionUser,
    slugs: { courseSlug: string; lessonSlug: string },
    options: { status?: number; values?: FormValues; errors?: Record<string, string>; saved?: boolean } = {},
  ) {
    const data = await lessonReview(ctx, slugs.courseSlug, slugs.lessonSlug);
    const today = todayIn(ctx.clock.now(), user.timeZone);
    res.status(options.status ?? 200).render('learning/trainer/mn-review', {
      ...data,
      values: options.values ?? { blocks: [], reviewerName: user.name, reviewedOn: today },
      today,
      errors: options.errors ?? {},
      saved: options.saved,
    });
  }

  router.get(lessonPath, policy.author, async (req, res) => {
    const slugs = parseParams(lessonParams, req.params);
    await renderLesson(res, signedInUser(req), slugs, { saved: noticesFrom(req.query).saved === '1' });
  });

  router.post(lessonPath, policy.author, async (req, res) => {
    const slugs = parseParams(lessonParams, req.params);
    const user = signedInUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const typed: FormValues = {
      blocks: ([] as unknown[]).concat(body.blocks ?? []).filter((b): b is string => typeof b === 'string'),
      reviewerName: typeof body.reviewerName === 'string' ? body.reviewerName : '',
      reviewedOn: typeof body.reviewedOn === 'string' ? body.reviewedOn : '',
    };
    const parsed = mnReviewForm.safeParse(body);
    const errors = parsed.success
      ? formProblems(parsed.data, todayIn(ctx.clock.now(), user.timeZone))
      : fieldErrors(parsed.error);
    if (!parsed.success || Object.keys(errors).length)
      return renderLesson(res, user, slugs, {
        status: 400,
        values: typed,
        errors: { _form: 'errors.invalid', ...errors },
      });
    const input = parsed.data;
    try {
      await signOffBlocks(ctx, user, slugs.courseSlug, slugs.lessonSlug, {
        version: input.version,
        blockIds: input.blocks,
        reviewerName: input.reviewerName,
        reviewedOn: new Date(`${input.reviewedOn}T00:00:00Z`),
      });
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      // The lesson changed since the page was opened, or a block is unknown: show the page as it is
      // now, with what the trainer entered kept.
      return renderLesson(res, user, slugs, {
        status: err.status,
        values: typed,
        errors: { _form: err.key, ...(err instanceof Invalid ? err.details : {}) },
      });
    }
    res.redirect(
      303,
      res.locals.url(`/trainer/courses/${slugs.courseSlug}/lessons/${slugs.lessonSlug}/mn-review?saved=1`),
    );
  });

  return router;
}
