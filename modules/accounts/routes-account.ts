import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { accountSignedIn, credentialLimits } from '../../server/auth/rate-limit';
import { clearBrowserState, endSession, saveSession, startSession } from '../../server/auth/sign-in';
import { fieldErrors, parse } from '../../server/http/validate';
import { Invalid } from '../../server/http/errors';
import {
  changePasswordForm,
  deleteAccountForm,
  profileForm,
  registerForm,
  regenerateCodesForm,
} from './schemas';
import { accountsPolicy as policy } from './policy';
import * as accounts from './service';
import { deleteOwnAccount, exportPersonalData } from './privacy';
import { signedInUser } from '../../server/auth/policy';
import { homeTasks } from './home';
import { issueRecoveryCodes, recoveryCodesLeft, RECOVERY_CODE_COUNT } from './recovery-codes';
import { requireRecentAuth } from './step-up';
import { GENDERS, OUTLET_TYPES } from './model';

/** Registration and the signed-in user's own profile. */

/** The profile form's fixed choices, from the model (the view only lists them). */
const PROFILE_CHOICES = { outletTypes: OUTLET_TYPES, genders: GENDERS };
export function accountRoutes(ctx: AppContext): Router {
  const router = Router();
  const limits = credentialLimits(
    ctx,
    'register',
    ctx.config.loginLimitPerIp,
    ctx.config.loginLimitPerAccount,
  );

  router.get('/', policy.public, async (req, res) => {
    if (!req.user) return res.redirect(303, res.locals.url('/login'));
    if (req.user.role === 'journalist') return res.redirect(303, res.locals.url('/learn'));
    // Staff land on what needs doing (modules add their tasks through extendHome).
    res.render('home', { tasks: await homeTasks(ctx, signedInUser(req), res.locals.lang) });
  });

  router.get('/register', policy.public, (req, res) => {
    if (req.user) return res.redirect(303, res.locals.url('/'));
    res.render('accounts/register', {});
  });

  router.post('/register', policy.public, ...limits, async (req, res) => {
    const parsed = registerForm.safeParse(req.body ?? {});
    const values = { ...(req.body ?? {}), password: '' };
    if (!parsed.success)
      return res.status(400).render('accounts/register', { values, errors: fieldErrors(parsed.error) });
    try {
      // A new address and one already in use get the same page (no enumeration); the owner of an
      // existing account is told by e-mail. The new journalist signs in from there.
      await accounts.registerJournalist(ctx, parsed.data, res.locals.lang);
      res.render('accounts/register-done', {});
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      res.status(400).render('accounts/register', { values, errors: err.details ?? { _form: err.key } });
    }
  });

  router.get('/account', policy.self, async (req, res) => {
    const user = await accounts.findActiveUser(ctx, signedInUser(req).id);
    res.render('accounts/profile', {
      ...PROFILE_CHOICES,
      values: user,
      twoStep: user.totpEnabledAt ? { left: recoveryCodesLeft(user), of: RECOVERY_CODE_COUNT } : undefined,
      saved: req.query.saved === '1',
      passwordChanged: req.query.passwordChanged === '1',
    });
  });

  router.get('/account/export', policy.self, async (req, res) => {
    const data = await exportPersonalData(ctx, signedInUser(req));
    const day = ctx.clock.now().toISOString().slice(0, 10);
    res
      .set('Cache-Control', 'no-store')
      .attachment(`umbrella-my-data-${day}.json`)
      .type('application/json')
      .send(JSON.stringify(data, null, 2));
  });

  // Guessing the password of a session left open: counted per client address and per account.
  const confirmLimits = credentialLimits(
    ctx,
    'confirm-password',
    ctx.config.loginLimitPerIp,
    ctx.config.loginLimitPerAccount,
    accountSignedIn,
  );

  router.post('/account/delete', policy.deleteSelf, ...confirmLimits, async (req, res) => {
    try {
      const { password } = parse(deleteAccountForm, req.body);
      await deleteOwnAccount(ctx, signedInUser(req), password);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      const user = await accounts.findActiveUser(ctx, signedInUser(req).id);
      return res.status(400).render('accounts/profile', {
        ...PROFILE_CHOICES,
        values: user,
        errors: { password: err.details?.password ?? err.key },
      });
    }
    await endSession(req);
    clearBrowserState(res, ctx.config);
    res.redirect(303, res.locals.url('/login?notice=accountDeleted'));
  });

  // New recovery codes replace the old ones: a session left open must not be enough to get them.
  router.post('/account/recovery-codes', policy.self, ...requireRecentAuth(ctx), async (req, res) => {
    parse(regenerateCodesForm, req.body);
    const codes = await issueRecoveryCodes(ctx, signedInUser(req).id);
    res.render('accounts/recovery-codes', { codes, next: '/account', enrolled: false });
  });

  router.post('/account/password', policy.self, ...confirmLimits, async (req, res) => {
    const me = signedInUser(req);
    try {
      const input = parse(changePasswordForm, req.body);
      const user = await accounts.changePassword(ctx, me.id, input, req.sessionID);
      // A new session id too: whoever may have learnt the old one is out with the old password.
      await startSession(req, accounts.toSessionUser(user), ctx.clock.now());
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      const user = await accounts.findActiveUser(ctx, me.id);
      return res.status(400).render('accounts/profile', {
        ...PROFILE_CHOICES,
        values: user,
        errors: { _form: 'errors.invalid', ...(err.details ?? {}) },
      });
    }
    res.redirect(303, res.locals.url('/account?passwordChanged=1'));
  });

  router.post('/account', policy.self, async (req, res) => {
    const parsed = profileForm.safeParse(req.body ?? {});
    if (!parsed.success)
      return res.status(400).render('accounts/profile', {
        ...PROFILE_CHOICES,
        values: req.body,
        errors: fieldErrors(parsed.error),
      });
    try {
      const user = await accounts.updateProfile(ctx, signedInUser(req).id, parsed.data);
      req.session.user = accounts.toSessionUser(user);
      req.session.lang = user.locale;
      await saveSession(req);
      res.redirect(303, res.locals.url('/account?saved=1'));
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      res.status(400).render('accounts/profile', {
        ...PROFILE_CHOICES,
        values: req.body,
        errors: err.details ?? {},
      });
    }
  });

  return router;
}
