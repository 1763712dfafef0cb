import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { parse, parseParams } from '../../server/http/validate';
import { AppError } from '../../server/http/errors';
import { signedInUser } from '../../server/auth/policy';
import { impactPolicy as policy } from './policy';
import {
  awardParams,
  csrfOnly,
  evidenceParams,
  pageQuery,
  figureParams,
  pieceForm,
  pieceParams,
  reachForm,
} from './schemas';
import * as impact from './service';
import { presentPiece } from './present';
import * as evidence from './evidence';
import { receiveOneFile } from '../../server/http/receive-file';
import { attachmentHeader } from '../../server/http/attachment';

/** A reach figure's evidence: one screenshot or file per figure, checked before it is stored. */
const receiveEvidence = receiveOneFile('evidence', evidence.EVIDENCE_MAX_MB, {
  tooBig: 'impact.evidence.errors.tooBig',
  limits: 'impact.evidence.errors.limits',
  badUpload: 'impact.evidence.errors.badUpload',
});

export function impactRouter(ctx: AppContext): Router {
  const router = Router();

  async function renderAward(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
    const user = signedInUser(req);
    const { id } = parseParams(awardParams, { id: req.params.id });
    const pieces = await impact.piecesOfAward(ctx, user, id);
    res.status(status).render('impact/award', {
      awardId: id,
      staff: user.role === 'admin',
      userId: user.id,
      pieces: pieces.map(presentPiece),
      done: false,
      form: '',
      errors: {},
      values: {},
      ...extra,
    });
  }

  /** Runs one change; a bad form or a refused step re-renders the page with the values kept (never 500). */
  const step =
    (form: string, fn: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
      try {
        await fn(req);
      } catch (err) {
        if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
        return renderAward(req, res, err.status, {
          form,
          piece: req.params.piece,
          errors: { _form: err.key, ...err.details },
          values: req.body ?? {},
        });
      }
      res.redirect(303, res.locals.url(`/impact/awards/${req.params.id}?done=1`));
    };

  router.get('/impact/awards/:id', policy.owner, (req, res) =>
    renderAward(req, res, 200, { done: !!parse(pageQuery, req.query).done }),
  );
  router.post(
    '/impact/awards/:id/pieces',
    policy.owner,
    step('piece', async (req) => {
      const { id } = parseParams(awardParams, { id: req.params.id });
      const f = parse(pieceForm, req.body);
      await impact.addPiece(ctx, signedInUser(req), id, { ...f, listPublicly: f.listPublicly === 'yes' });
    }),
  );
  router.post(
    '/impact/awards/:id/pieces/:piece/reach',
    policy.owner,
    // A file too big or a broken upload is the form's error, with the figure's values kept.
    (req, res, next) =>
      receiveEvidence(req, res, (err?: unknown) => {
        if (!(err instanceof AppError)) return next(err);
        void renderAward(req, res, err.status, {
          form: 'reach',
          piece: req.params.piece,
          errors: { _form: err.key, evidence: err.key },
          values: req.body ?? {},
        }).catch(next);
      }),
    step('reach', async (req) => {
      const { piece } = parseParams(pieceParams, req.params);
      const form = parse(reachForm, req.body);
      // The file is checked and stored first; if the figure is then refused, its bytes go again.
      const stored = req.file ? await evidence.storeEvidence(ctx, req.file) : undefined;
      try {
        await impact.addReach(ctx, signedInUser(req), piece, { ...form, evidence: stored });
      } catch (err) {
        await evidence.discardEvidence(ctx, stored);
        throw err;
      }
    }),
  );
  router.get('/impact/pieces/:piece/reach/:figure/evidence', policy.owner, async (req, res) => {
    const { piece, figure } = parseParams(evidenceParams, req.params);
    const file = await evidence.evidenceForDownload(ctx, signedInUser(req), piece, figure);
    res.set({
      'Content-Type': file.mime,
      'Content-Disposition': attachmentHeader(file.originalName),
      'Content-Length': String(file.size),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    const stream = ctx.storage.stream(file.storageKey);
    stream.on('error', (err) => {
      if (!res.headersSent) res.status(404).end();
      else res.destroy(err);
    });
    stream.pipe(res);
  });
  router.post(
    '/impact/awards/:id/pieces/:piece/reach/:figure/verify',
    policy.staff,
    step('verify', async (req) => {
      const { piece, figure } = parseParams(figureParams, req.params);
      parse(csrfOnly, req.body);
      await impact.verifyReach(ctx, signedInUser(req), piece, figure);
    }),
  );

  router.get('/admin/impact', policy.staff, async (_req, res) => {
    const dead = await impact.deadLinks(ctx);
    res.render('impact/admin', { dead: dead.map(presentPiece) });
  });

  return router;
}
