import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { idParams, parse, parseParams } from '../../server/http/validate';
import { certificatesPolicy as policy } from './policy';
import { revokeForm } from './schemas';
import { forStaff } from './present';
import * as certificates from './service';
import { signedInUser } from '../../server/auth/policy';

/** Trainers and admins: the issued certificates, and revocation with a reason. */
export function trainerRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/trainer/certificates', policy.manage, async (req, res) => {
    const list = await certificates.listIssued(ctx);
    res.render('certificates/trainer-list', {
      certificates: list.map((c) => forStaff(c, res.locals.lang)),
      revoked: req.query.revoked === '1',
    });
  });

  router.post('/trainer/certificates/:id/revoke', policy.manage, async (req, res) => {
    const id = parseParams(idParams, req.params).id;
    const { reason } = parse(revokeForm, req.body);
    await certificates.revokeCertificate(ctx, signedInUser(req), id, reason);
    res.redirect(303, res.locals.url('/trainer/certificates?revoked=1'));
  });

  return router;
}
