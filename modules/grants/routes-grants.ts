import { Router, type Request, type Response } from 'express';
import { receiveOneFile } from '../../server/http/receive-file';
import type { AppContext } from '../../server/context';
import { AppError, Invalid, NotFound } from '../../server/http/errors';
import { fieldErrors, idParams, parse, parseParams } from '../../server/http/validate';
import { grantsPolicy as policy } from './policy';
import { callIdParams, emptyForm, fileIdParams, pitchFileParams, pitchForm, uploadFields } from './schemas';
import * as calls from './service-calls';
import * as pitches from './service-pitches';
import * as files from './service-files';
import { eligibilityFor } from './eligibility';
import {
  applicantStatus,
  differingParts,
  editedAt,
  pick,
  pitchFormFromBody,
  pitchFormValues,
  presentCall,
  presentFiles,
} from './present';
import { callsByIds } from './service-budget';
import { recordAudit } from '../audit';
import type { Pitch } from './model';
import { signedInUser } from '../../server/auth/policy';

/** One file per request, held in memory (never on disk before it is checked), with finite limits. */
const receiveFile = receiveOneFile('file', 10, {
  tooBig: 'grants.files.errors.tooBig',
  limits: 'grants.files.errors.limits',
  badUpload: 'grants.files.errors.badUpload',
});

/** Journalists: open calls, eligibility, pitches (draft, autosave, submit, withdraw) and their files. */
export function grantsRoutes(ctx: AppContext): Router {
  const router = Router();

  async function renderEditor(
    req: Request,
    res: Response,
    pitch: Pitch,
    status = 200,
    extra: Record<string, unknown> = {},
  ) {
    const call = await calls.getCall(ctx, String(pitch.callId));
    const list = await files.storedFilesOfPitch(ctx, pitch._id);
    const can = pitches.editability(call, pitch, ctx.clock.now());
    const decision = pitches.releasedDecision(call, pitch);
    res.status(status).render('grants/pitch-edit', {
      decision,
      pitchId: String(pitch._id),
      status: applicantStatus(call, pitch),
      reference: pitch.reference ?? '',
      submittedAt: pitch.submittedAt ? res.locals.fmt.dateTime(pitch.submittedAt) : '',
      budgetTotal: pitch.budgetTotal,
      call: presentCall(call, res.locals.lang, res.locals.timeZone),
      callThemes: call.themes.map((t) => ({ id: t.id, label: pick(t.label, res.locals.lang) })),
      editable: can.editable,
      lockedReason: can.reason,
      canSubmit: pitch.status === 'draft' && can.editable,
      canWithdraw:
        (pitch.status === 'draft' || pitch.status === 'submitted') && ctx.clock.now() < call.closesAt,
      files: presentFiles(list),
      maxFiles: 8,
      values: pitchFormValues(pitch),
      saved: req.query.saved === '1',
      submitted: req.query.submitted === '1',
      savedAt: editedAt(pitch),
      ...extra,
    });
  }

  router.get('/grants', policy.browse, async (_req, res) => {
    const list = await calls.openCalls(ctx);
    const mine =
      res.locals.user?.role === 'journalist' ? await pitches.myPitches(ctx, res.locals.user.id) : [];
    const theirCalls = new Map(
      (
        await callsByIds(
          ctx,
          mine.map((p) => p.callId),
        )
      ).map((c) => [String(c._id), c]),
    );
    res.render('grants/calls', {
      calls: list.map((c) => presentCall(c, res.locals.lang, res.locals.timeZone)),
      pitches: mine.map((p) => {
        const call = theirCalls.get(String(p.callId));
        return {
          id: String(p._id),
          title: p.title,
          status: applicantStatus(call, p),
          callTitle: call ? pick(call.title, res.locals.lang) : '',
        };
      }),
    });
  });

  router.get('/grants/pitches/:id', policy.pitch, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const pitch = await pitches.myPitch(ctx, signedInUser(req).id, id);
    await renderEditor(req, res, pitch);
  });

  /** The Save button (works without JavaScript). */
  router.post('/grants/pitches/:id', policy.pitch, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const current = await pitches.myPitch(ctx, signedInUser(req).id, id);
    const parsed = pitchForm.safeParse(body);
    if (!parsed.success)
      return renderEditor(req, res, current, 400, {
        values: pitchFormFromBody(body, current.__v),
        errors: fieldErrors(parsed.error),
      });
    try {
      await pitches.savePitch(ctx, signedInUser(req), id, parsed.data);
      res.redirect(303, res.locals.url(`/grants/pitches/${id}?saved=1`));
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
      const fresh = await pitches.myPitch(ctx, signedInUser(req).id, id);
      const typed = pitchFormFromBody(body, fresh.__v);
      if (err.key === 'errors.staleEdit') {
        // Saved meanwhile in another tab or device: what was typed stays in the form, the saved version
        // beside it. The page's script holds autosave until a choice is made; without a script, Save
        // (on the current version) deliberately keeps what was typed.
        const saved = pitchFormValues(fresh);
        return renderEditor(req, res, fresh, 409, {
          values: typed,
          conflict: { version: fresh.__v, savedAt: editedAt(fresh), values: saved },
          conflictParts: differingParts(typed, saved),
        });
      }
      await renderEditor(req, res, fresh, err.status, {
        values: typed,
        errors: { ...(err.details ?? {}), _form: err.status === 409 ? err.key : 'errors.invalid' },
      });
    }
  });

  /** JSON autosave from the editor's script: { version, ...fields } → { version }. */
  router.post('/grants/pitches/:id/autosave', policy.pitch, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const form = parse(pitchForm, req.body);
    let saved: Pitch;
    try {
      saved = await pitches.savePitch(ctx, signedInUser(req), id, form);
    } catch (err) {
      if (!(err instanceof AppError) || err.key !== 'errors.staleEdit') throw err;
      // The editor shows both versions side by side and lets the journalist keep either or merge them.
      const fresh = await pitches.myPitch(ctx, signedInUser(req).id, id);
      return res.status(409).json({
        error: { status: 409, code: err.key, message: res.locals.t('grants.conflict.title') },
        current: { version: fresh.__v, savedAt: editedAt(fresh), values: pitchFormValues(fresh) },
      });
    }
    res.json({
      ok: true,
      version: saved.__v,
      budgetTotal: saved.budgetTotal,
      savedAt: editedAt(saved),
      values: pitchFormValues(saved),
    });
  });

  router.post('/grants/pitches/:id/submit', policy.pitch, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    parse(emptyForm, req.body);
    try {
      await pitches.submitPitch(ctx, signedInUser(req), id);
      res.redirect(303, res.locals.url(`/grants/pitches/${id}?submitted=1`));
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400 || !err.details) throw err;
      const pitch = await pitches.myPitch(ctx, signedInUser(req).id, id);
      await renderEditor(req, res, pitch, 400, { errors: { ...err.details, _form: err.key } });
    }
  });

  router.post('/grants/pitches/:id/withdraw', policy.pitch, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    parse(emptyForm, req.body);
    await pitches.withdrawPitch(ctx, signedInUser(req), id);
    res.redirect(303, res.locals.url(`/grants/pitches/${id}`));
  });

  router.post(
    '/grants/pitches/:id/files',
    policy.pitch,
    async (req, _res, next) => {
      // Someone else's pitch is a 404 before a byte of the body is read.
      const { id } = parseParams(idParams, req.params);
      await pitches.myPitch(ctx, signedInUser(req).id, id);
      next();
    },
    receiveFile,
    async (req, res) => {
      const { id } = parseParams(idParams, req.params);
      try {
        const { kind } = parse(uploadFields, { ...(req.body ?? {}) });
        if (!req.file) throw new Invalid('grants.files.errors.noFile');
        await files.uploadPitchFile(ctx, signedInUser(req), id, kind, req.file);
        res.redirect(303, res.locals.url(`/grants/pitches/${id}?saved=1#files`));
      } catch (err) {
        if (!(err instanceof AppError) || (err.status !== 400 && err.status !== 409)) throw err;
        const pitch = await pitches.myPitch(ctx, signedInUser(req).id, id);
        await renderEditor(req, res, pitch, err.status, { errors: { file: err.key, _form: err.key } });
      }
    },
  );

  router.post('/grants/pitches/:id/files/:fileId/remove', policy.pitch, async (req, res) => {
    const { id, fileId } = parseParams(pitchFileParams, req.params);
    parse(emptyForm, req.body);
    await files.removePitchFile(ctx, signedInUser(req), id, fileId);
    res.redirect(303, res.locals.url(`/grants/pitches/${id}#files`));
  });

  router.get('/grants/files/:fileId', policy.download, async (req, res) => {
    const { fileId } = parseParams(fileIdParams, req.params);
    const file = await files.fileForDownload(ctx, signedInUser(req), fileId);
    if (signedInUser(req).role === 'admin')
      await recordAudit(ctx, req.user, 'file.downloaded', { type: 'file', id: fileId });
    const { stream } = await files.streamStoredFile(ctx, fileId);
    res.set({
      'Content-Type': file.mime,
      'Content-Length': String(file.size),
      'Content-Disposition': files.attachmentHeader(file.originalName),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'no-store',
    });
    stream.on('error', (err) => {
      if (!res.headersSent) res.status(404).end();
      else res.destroy(err);
    });
    stream.pipe(res);
  });

  router.get('/grants/:callId', policy.browse, async (req, res) => {
    const { callId } = parseParams(callIdParams, req.params);
    const call = await calls.getCall(ctx, callId);
    if (call.status === 'draft') throw new NotFound();
    const eligibility = await eligibilityFor(ctx, signedInUser(req), call);
    const mine =
      signedInUser(req).role === 'journalist'
        ? await pitches.myPitchesForCall(ctx, signedInUser(req).id, callId)
        : [];
    res.render('grants/call', {
      call: presentCall(call, res.locals.lang, res.locals.timeZone),
      accepting: calls.acceptingPitches(call, ctx.clock.now()),
      notYetOpen: ctx.clock.now() < call.opensAt,
      eligibility,
      pitches: mine.map((p) => ({ id: String(p._id), title: p.title, status: applicantStatus(call, p) })),
      canStart: eligibility.eligible && (call.allowMultiplePitches || mine.length === 0),
    });
  });

  router.post('/grants/:callId/pitches', policy.pitch, async (req, res) => {
    const { callId } = parseParams(callIdParams, req.params);
    parse(emptyForm, req.body);
    const pitch = await pitches.createDraft(ctx, signedInUser(req), callId);
    res.redirect(303, res.locals.url(`/grants/pitches/${String(pitch._id)}`));
  });

  return router;
}
