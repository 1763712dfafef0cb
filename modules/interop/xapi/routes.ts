import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import { allow, signedInUser } from '../../../server/auth/policy';
import { fieldErrors } from '../../../server/http/validate';
import { saveSettings, settingsView } from './service';
import { requireRecentAuth } from '../../accounts';

const settingsForm = z.strictObject({
  endpoint: z
    .string()
    .trim()
    .max(500, 'interop.xapi.errors.endpoint')
    .refine((v) => v === '' || (/^https?:\/\//i.test(v) && URL.canParse(v)), 'interop.xapi.errors.endpoint'),
  username: z.string().trim().max(200, 'interop.xapi.errors.username'),
  password: z.string().max(500, 'interop.xapi.errors.password'),
  enabled: z.literal('on').optional(),
});

/** Admin settings for the optional xAPI learning record store. */
export function xapiRoutes(ctx: AppContext): Router {
  const router = Router();
  const admin = allow.roles('admin');
  // Where learning records (and their credentials) go needs a fresh password or TOTP code.
  const stepUp = requireRecentAuth(ctx);
  const render = async (res: Response, status = 200, extra: Record<string, unknown> = {}) =>
    res.status(status).render('interop/lti/xapi-settings', { settings: await settingsView(ctx), ...extra });

  router.get('/admin/xapi', admin, (req, res) => render(res, 200, { saved: req.query.saved === '1' }));

  router.post('/admin/xapi', admin, ...stepUp, async (req, res) => {
    const parsed = settingsForm.safeParse(req.body ?? {});
    if (!parsed.success) return render(res, 400, { errors: fieldErrors(parsed.error) });
    const { endpoint, username, password, enabled } = parsed.data;
    if (enabled && !endpoint)
      return render(res, 400, { errors: { endpoint: 'interop.xapi.errors.endpoint' } });
    await saveSettings(ctx, signedInUser(req), { endpoint, username, password, enabled: enabled === 'on' });
    res.redirect(303, res.locals.url('/admin/xapi?saved=1'));
  });
  return router;
}
