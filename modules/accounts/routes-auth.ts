import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AppContext } from '../../server/context';
import {
  accountByEmail,
  accountLimit,
  accountPendingSecondFactor,
  ipLimit,
} from '../../server/auth/rate-limit';
import {
  clearBrowserState,
  endSession,
  saveSession,
  startPendingSecondFactor,
  startSession,
} from '../../server/auth/sign-in';
import { safeNext } from '../../server/http/redirect';
import { pageToReturnTo } from '../../server/http/methods';
import { fieldErrors, parse } from '../../server/http/validate';
import { Invalid, Unauthenticated } from '../../server/http/errors';
import { langForm, loginForm, loginQuery, recoveryCodeForm, totpForm } from './schemas';
import { accountsPolicy as policy } from './policy';
import * as accounts from './service';
import { totpQrSvg } from './totp';
import { beginTotpEnrolment, confirmTotpEnrolment, pendingTotpSecret } from './totp-enrolment';
import { issueRecoveryCodes, useRecoveryCode } from './recovery-codes';

/** Sign-in, second factor, sign-out and the language switcher. */
export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const perIp = ipLimit(ctx, 'login-ip', ctx.config.loginLimitPerIp);
  const limits = [perIp, accountLimit(ctx, 'login-account', ctx.config.loginLimitPerAccount, accountByEmail)];
  // The second step names its account through the session, not a form field: each pending sign-in
  // has its own count, and a request with no pending sign-in is refused before it counts at all.
  const secondStepLimits = [
    perIp,
    accountLimit(ctx, 'second-factor', ctx.config.loginLimitPerAccount, accountPendingSecondFactor),
  ];

  router.get('/login', policy.public, (req, res) => {
    if (req.user) return res.redirect(303, res.locals.url('/'));
    const q = loginQuery.parse(req.query);
    res.render('accounts/login', { next: safeNext(q.next, '/'), notice: q.notice });
  });

  router.post('/login', policy.public, ...limits, async (req, res) => {
    const parsed = loginForm.safeParse(req.body ?? {});
    const next = safeNext(parsed.success ? parsed.data.next : undefined, '/');
    if (!parsed.success)
      return res.status(400).render('accounts/login', { next, errors: fieldErrors(parsed.error) });
    try {
      const { user, needsSecondFactor, mustEnrol } = await accounts.authenticate(
        ctx,
        parsed.data.email,
        parsed.data.password,
      );
      if (needsSecondFactor || mustEnrol) {
        await startPendingSecondFactor(req, String(user._id), next, ctx.clock.now());
        return res.redirect(303, res.locals.url(mustEnrol ? '/login/2fa/setup' : '/login/2fa'));
      }
      await startSession(req, accounts.toSessionUser(user), ctx.clock.now());
      res.redirect(303, res.locals.url(next));
    } catch (err) {
      if (!(err instanceof Unauthenticated)) throw err;
      res.status(401).render('accounts/login', {
        next,
        values: { email: parsed.data.email },
        errors: { _form: 'accounts.errors.badLogin' },
      });
    }
  });

  const pendingUserId = (req: Request) => {
    const id = req.session.pending2fa?.userId;
    if (!id) throw new Unauthenticated();
    return id;
  };
  const requirePending: RequestHandler = (req, _res, next) => {
    pendingUserId(req);
    next();
  };

  router.get('/login/2fa', policy.public, (req, res) => {
    pendingUserId(req);
    res.render('accounts/totp', {});
  });

  router.post('/login/2fa', policy.public, requirePending, ...secondStepLimits, async (req, res) => {
    const userId = pendingUserId(req);
    try {
      const { code } = parse(totpForm, req.body);
      const user = await accounts.verifySecondFactor(ctx, userId, code);
      const next = req.session.pending2fa?.next;
      await startSession(req, accounts.toSessionUser(user), ctx.clock.now());
      res.redirect(303, res.locals.url(safeNext(next, '/')));
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      res
        .status(400)
        .render('accounts/totp', { errors: { code: err.details?.code ?? 'accounts.errors.code' } });
    }
  });

  // Instead of a TOTP code (phone lost): a recovery code, each good once. Shares the step's limits.
  router.post('/login/2fa/recovery', policy.public, requirePending, ...secondStepLimits, async (req, res) => {
    const userId = pendingUserId(req);
    try {
      const { recoveryCode } = parse(recoveryCodeForm, req.body);
      const user = await useRecoveryCode(ctx, userId, recoveryCode);
      const next = req.session.pending2fa?.next;
      await startSession(req, accounts.toSessionUser(user), ctx.clock.now());
      res.redirect(303, res.locals.url(safeNext(next, '/')));
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      const error = err.details?.recoveryCode ?? 'accounts.errors.recoveryWrong';
      res.status(400).render('accounts/totp', { recoveryOpen: true, errors: { recoveryCode: error } });
    }
  });

  /**
   * The setup page. Each visit shows a new secret; after a wrong code the same one again (the person
   * has just scanned it), as long as this session still holds it.
   */
  const renderSetup = async (req: Request, res: Response, status = 200, errors = {}) => {
    const userId = pendingUserId(req);
    const user = await accounts.findActiveUser(ctx, userId);
    const kept = status === 200 ? undefined : pendingTotpSecret(req, userId);
    const secret = kept ?? (await beginTotpEnrolment(ctx, req, userId));
    const qr = await totpQrSvg(secret, user.email);
    res.status(status).render('accounts/totp-setup', { secret, qr: qr.dataUrl, errors });
  };

  router.get('/login/2fa/setup', policy.public, (req, res) => renderSetup(req, res));

  router.post('/login/2fa/setup', policy.public, requirePending, ...secondStepLimits, async (req, res) => {
    const userId = pendingUserId(req);
    try {
      const { code } = parse(totpForm, req.body);
      const user = await confirmTotpEnrolment(ctx, req, userId, code);
      const next = req.session.pending2fa?.next;
      const codes = await issueRecoveryCodes(ctx, userId);
      await startSession(req, accounts.toSessionUser(user), ctx.clock.now());
      // Shown in this response only: nothing keeps them in clear, so a reload cannot show them again.
      res.render('accounts/recovery-codes', { codes, next: safeNext(next, '/'), enrolled: true });
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      await renderSetup(req, res, 400, { code: err.details?.code ?? 'accounts.errors.code' });
    }
  });

  router.post('/logout', policy.public, async (req, res) => {
    await endSession(req);
    clearBrowserState(res, ctx.config);
    res.redirect(303, res.locals.url('/login'));
  });

  router.post('/lang', policy.public, async (req, res) => {
    const { lang, next } = parse(langForm, req.body);
    req.session.lang = lang;
    if (req.user) {
      await accounts.setPreferredLocale(ctx, req.user.id, lang);
      req.session.user = { ...req.user, locale: lang };
    }
    await saveSession(req);
    // Back to the page they were looking at, even when its URL was a form's POST target.
    res.redirect(303, res.locals.url(pageToReturnTo(req, safeNext(next, '/'))));
  });

  return router;
}
