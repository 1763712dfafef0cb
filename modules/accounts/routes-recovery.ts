import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../server/context';
import { credentialLimits } from '../../server/auth/rate-limit';
import { saveSession, startPendingSecondFactor, startSession } from '../../server/auth/sign-in';
import { fieldErrors } from '../../server/http/validate';
import { Invalid } from '../../server/http/errors';
import { acceptInviteForm, forgotForm, resetForm, tokenParams } from './schemas';
import { accountsPolicy as policy } from './policy';
import * as accounts from './service';

/** The token from /reset/:token or /invite/:token, or undefined when it cannot be one of ours. */
function tokenOf(req: Request): string | undefined {
  const parsed = tokenParams.safeParse(req.params);
  return parsed.success ? parsed.data.token : undefined;
}

function invalidLink(res: Response) {
  res.status(404).render('accounts/link-invalid', {});
}

/** Forgotten password and invitation acceptance. */
export function recoveryRoutes(ctx: AppContext): Router {
  const router = Router();
  const limits = credentialLimits(
    ctx,
    'recovery',
    ctx.config.loginLimitPerIp,
    ctx.config.loginLimitPerAccount,
  );
  // Token forms carry no e-mail: limit them per client address only.
  const perIp = limits.slice(0, 1);

  router.get('/forgot', policy.public, (_req, res) => {
    res.render('accounts/forgot', {});
  });

  router.post('/forgot', policy.public, ...limits, (req, res) => {
    const parsed = forgotForm.safeParse(req.body ?? {});
    if (!parsed.success)
      return res.status(400).render('accounts/forgot', { errors: fieldErrors(parsed.error) });
    // The answer never waits for the lookup or the e-mail, so neither its content nor its timing
    // tells whether the address has an account.
    const lang = res.locals.lang;
    accounts
      .requestPasswordReset(ctx, parsed.data.email, lang)
      .catch((err: unknown) => ctx.log.error({ err }, 'password reset request failed'));
    res.render('accounts/forgot-done', {});
  });

  router.get('/reset/:token', policy.public, async (req, res) => {
    const token = tokenOf(req);
    if (!token || !(await accounts.resetTokenIsValid(ctx, token))) return invalidLink(res);
    res.render('accounts/reset', { token });
  });

  router.post('/reset/:token', policy.public, ...perIp, async (req, res) => {
    const token = tokenOf(req);
    if (!token) return invalidLink(res);
    const parsed = resetForm.safeParse(req.body ?? {});
    if (!parsed.success)
      return res.status(400).render('accounts/reset', { token, errors: fieldErrors(parsed.error) });
    try {
      await accounts.resetPassword(ctx, token, parsed.data.password);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      if (err.key === 'accounts.errors.tokenInvalid') return invalidLink(res);
      return res.status(400).render('accounts/reset', { token, errors: err.details ?? { _form: err.key } });
    }
    // Whoever was signed in here is not necessarily the account's owner: start from scratch.
    req.session.user = undefined;
    await saveSession(req);
    res.redirect(303, res.locals.url('/login?notice=passwordReset'));
  });

  router.get('/invite/:token', policy.public, async (req, res) => {
    const token = tokenOf(req);
    const invited = token ? await accounts.invitationFor(ctx, token) : undefined;
    if (!token || !invited) return invalidLink(res);
    res.render('accounts/invite', { token, invited, values: { name: invited.name } });
  });

  router.post('/invite/:token', policy.public, ...perIp, async (req, res) => {
    const token = tokenOf(req);
    const invited = token ? await accounts.invitationFor(ctx, token) : undefined;
    if (!token || !invited) return invalidLink(res);
    const parsed = acceptInviteForm.safeParse(req.body ?? {});
    const values = { name: typeof req.body?.name === 'string' ? req.body.name : '' };
    if (!parsed.success)
      return res
        .status(400)
        .render('accounts/invite', { token, invited, values, errors: fieldErrors(parsed.error) });
    let user;
    try {
      user = await accounts.acceptInvitation(ctx, token, parsed.data);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      if (err.key === 'accounts.errors.tokenInvalid') return invalidLink(res);
      return res
        .status(400)
        .render('accounts/invite', { token, invited, values, errors: err.details ?? { _form: err.key } });
    }
    if (accounts.SECOND_FACTOR_ROLES.includes(user.role)) {
      await startPendingSecondFactor(req, String(user._id), '/', ctx.clock.now());
      return res.redirect(303, res.locals.url('/login/2fa/setup'));
    }
    await startSession(req, accounts.toSessionUser(user), ctx.clock.now());
    res.redirect(303, res.locals.url('/'));
  });

  return router;
}
