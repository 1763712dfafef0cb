import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { NotFound } from '../../server/http/errors';
import { idParams, parseParams } from '../../server/http/validate';
import type { Locale } from '../../server/types';
import { fileSize } from '../../server/i18n';
import { grantsPolicy as policy } from './policy';
import * as calls from './service-calls';
import * as pitches from './service-pitches';
import * as files from './service-files';
import { applicantStatus, pick } from './present';
import { displayName } from '../../server/http/attachment';
import { formatInZone } from './time';
import { FILE_KINDS } from './model';
import { signedInUser } from '../../server/auth/policy';

/**
 * The applicant's printable receipt for a submitted pitch: the short reference, the call, the title,
 * when it was received (in the call's time zone, as the deadline is), and each file with its size and
 * the start of its SHA-256, so a printed copy can be matched to what is on file.
 */
export function receiptRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/grants/pitches/:id/receipt', policy.pitch, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    const lang = res.locals.lang as Locale;
    const pitch = await pitches.myPitch(ctx, signedInUser(req).id, id);
    if (!pitch.submittedAt) throw new NotFound();
    const call = await calls.getCall(ctx, String(pitch.callId));
    const list = await files.storedFilesOfPitch(ctx, pitch._id);
    res.render('grants/receipt', {
      receipt: {
        pitchId: String(pitch._id),
        reference: pitch.reference ?? '',
        callTitle: pitches.quoted(pick(call.title, lang), lang),
        title: pitch.title,
        status: applicantStatus(call, pitch),
        submittedAt: formatInZone(pitch.submittedAt, call.timeZone, lang),
        closesAt: formatInZone(call.closesAt, call.timeZone, lang),
        printedAt: formatInZone(ctx.clock.now(), call.timeZone, lang),
        files: list.map((f) => ({
          name: displayName(f.originalName),
          kind: (FILE_KINDS as readonly string[]).includes(f.kind) ? f.kind : 'other',
          size: fileSize(f.size, lang),
          sha: f.sha256.slice(0, 12),
        })),
      },
    });
  });
  return router;
}
