import { Router, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { idParams, parseParams } from '../../server/http/validate';
import { certificatesPolicy as policy } from './policy';
import { revokeForm } from './schemas';
import { forStaff } from './present';
import * as certificates from './service';
import { signedInUser } from '../../server/auth/policy';

/** Trainers and admins: the issued certificates, and revocation with a reason. */
export function trainerRoutes(ctx: AppContext): Router {
  const router = Router();

  const renderList = async (res: Response, status = 200, extra: Record<string, unknown> = {}) => {
    const list = await certificates.listIssued(ctx);
    res.status(status).render('certificates/trainer-list', {
      certificates: list.map((c) => forStaff(c, res.locals.lang)),
      ...extra,
    });
  };

  router.get('/trainer/certificates', policy.manage, async (req, res) => {
    await renderList(res, 200, { revoked: req.query.revoked === '1' });
  });

  router.post('/trainer/certificates/:id/revoke', policy.manage, async (req, res) => {
    const id = parseParams(idParams, req.params).id;
    const parsed = revokeForm.safeParse(req.body ?? {});
    // A reason that is too short comes back beside the certificate's own form, as typed.
    if (!parsed.success) {
      const typed = (req.body as Record<string, unknown> | undefined)?.reason;
      return renderList(res, 400, {
        refused: { id, reason: typeof typed === 'string' ? typed : '', key: 'certificates.errors.reason' },
      });
    }
    await certificates.revokeCertificate(ctx, signedInUser(req), id, parsed.data.reason);
    res.redirect(303, res.locals.url('/trainer/certificates?revoked=1'));
  });

  return router;
}
