import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { allow, signedInUser } from '../../server/auth/policy';
import { fieldErrors, idParams, parseParams } from '../../server/http/validate';
import { API_SCOPES } from './api/token-model';
import { createApiToken, listApiTokens, revokeApiToken } from './api/tokens';
import { createTokenForm } from './schemas';
import { requireRecentAuth } from '../accounts';

/** Admins create and revoke API tokens for integrations. */
export function tokenRoutes(ctx: AppContext): Router {
  const router = Router();
  const admin = allow.roles('admin');
  // Creating or revoking a token needs a fresh password or TOTP code, not just the session.
  const stepUp = requireRecentAuth(ctx);
  const render = async (res: Parameters<Parameters<typeof router.get>[1]>[1], status = 200, extra = {}) =>
    res
      .status(status)
      .render('interop/tokens', { tokens: await listApiTokens(ctx), scopes: API_SCOPES, ...extra });

  router.get('/admin/api-tokens', admin, (_req, res) => render(res));

  router.post('/admin/api-tokens', admin, ...stepUp, async (req, res) => {
    const parsed = createTokenForm.safeParse(req.body ?? {});
    if (!parsed.success) return render(res, 400, { errors: fieldErrors(parsed.error), values: req.body });
    const { secret } = await createApiToken(ctx, signedInUser(req), parsed.data.name, parsed.data.scopes);
    await render(res, 201, { secret });
  });

  router.post('/admin/api-tokens/:id/revoke', admin, ...stepUp, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    await revokeApiToken(ctx, signedInUser(req), id);
    res.redirect(303, res.locals.url('/admin/api-tokens'));
  });
  return router;
}
