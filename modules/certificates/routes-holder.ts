import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { idParams, parse, parseParams } from '../../server/http/validate';
import { certificatesPolicy as policy } from './policy';
import { showNameForm } from './schemas';
import { forHolder } from './present';
import { renderCertificatePdf } from './pdf';
import * as certificates from './service';
import { signedInUser } from '../../server/auth/policy';

/** The signed-in holder's certificates: list, public-name choice, PDF download. */
export function holderRoutes(ctx: AppContext): Router {
  const router = Router();

  router.get('/certificates', policy.holder, async (req, res) => {
    const list = await certificates.certificatesOf(ctx, signedInUser(req).id);
    res.render('certificates/mine', {
      certificates: list.map((c) => forHolder(c, res.locals.lang)),
      saved: req.query.saved === '1',
    });
  });

  router.post('/certificates/:id/show-name', policy.holder, async (req, res) => {
    const id = parseParams(idParams, req.params).id;
    const { showName } = parse(showNameForm, req.body);
    await certificates.setShowName(ctx, signedInUser(req).id, id, showName === 'true');
    res.redirect(303, res.locals.url('/certificates?saved=1'));
  });

  router.get('/certificates/:id/pdf', policy.holder, async (req, res) => {
    const id = parseParams(idParams, req.params).id;
    const cert = await certificates.downloadableCertificate(ctx, signedInUser(req), id);
    const pdf = await renderCertificatePdf(ctx, cert);
    res
      .status(200)
      .set({
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="certificate-${cert.code}.pdf"`,
        'Cache-Control': 'no-store',
        'Content-Security-Policy': "sandbox; default-src 'none'",
        'X-Content-Type-Options': 'nosniff',
      })
      .send(pdf);
  });

  return router;
}
