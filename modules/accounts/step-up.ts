import type { Request, RequestHandler, Response } from 'express';
import type { AppContext } from '../../server/context';
import { signedInUser } from '../../server/auth/policy';
import { accountLimit } from '../../server/auth/rate-limit';
import { verifyPassword } from '../../server/auth/passwords';
import { Invalid } from '../../server/http/errors';
import { findActiveUser, verifySecondFactor } from './service';

/** How long a confirmation counts: long enough for a few changes in a row, short for a left-open tab. */
export const STEP_UP_WINDOW_MS = 5 * 60 * 1000;

/** The form field carrying the password or TOTP code; taken out of the body before the route's schema. */
const FIELD = 'stepUpSecret';

const fresh = (ctx: AppContext, req: Request) => {
  const at = req.session?.stepUp;
  return (
    !!at && at.userId === req.user?.id && ctx.clock.now().getTime() - at.at < STEP_UP_WINDOW_MS && at.at > 0
  );
};

const secretOf = (req: Request) => {
  const value = (req.body as Record<string, unknown> | undefined)?.[FIELD];
  return typeof value === 'string' && value.length <= 128 ? value : undefined;
};

/** The form's own fields, sent back as hidden inputs so nothing typed is lost (strings only). */
function replayFields(body: unknown): Array<{ name: string; value: string }> {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([name]) => name !== FIELD && name !== '_csrf' && /^[\w.[\]-]{1,100}$/.test(name))
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value])
        .filter((v): v is string => typeof v === 'string' && v.length <= 20_000)
        .slice(0, 100)
        .map((v) => ({ name, value: v })),
    );
}

function challenge(req: Request, res: Response, status: number, error?: string) {
  res.status(status).render('accounts/step-up', {
    title: res.locals.t('accounts.stepUp.title'),
    action: req.originalUrl.split('?')[0],
    fields: replayFields(req.body),
    minutes: STEP_UP_WINDOW_MS / 60_000,
    errors: error ? { [FIELD]: error } : {},
  });
}

/**
 * Step-up for sensitive administrative changes (roles and status, invitations, API tokens, LTI
 * platforms, the xAPI store): the session alone is not enough. The admin confirms with their password
 * or a fresh TOTP code (accepted once, like at sign-in), which then counts for STEP_UP_WINDOW_MS in
 * this session. Without it the route does not run: a confirmation page answers (403) with the form's
 * fields kept, and posts them again with the secret. Guesses are limited per account.
 *
 * Mount after the route's policy. Host-app users without a password or TOTP here (the host signed them
 * in, second factor included) cannot be asked, so they pass.
 */
export function requireRecentAuth(
  ctx: AppContext,
  perAccount = ctx.config.loginLimitPerAccount,
): RequestHandler[] {
  const attempts = accountLimit(ctx, 'step-up', perAccount, (req) =>
    req.user && secretOf(req) !== undefined && !fresh(ctx, req) ? `step-up:${req.user.id}` : undefined,
  );
  const check: RequestHandler = async (req, res, next) => {
    const me = signedInUser(req);
    const secret = secretOf(req);
    if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)[FIELD];
    if (fresh(ctx, req)) return next();
    const user = await findActiveUser(ctx, me.id);
    if (!user.passwordHash && !user.totpEnabledAt && user.hostId) return next();
    if (secret === undefined || secret === '') return challenge(req, res, 403);
    let ok = false;
    if (/^\d{6}$/.test(secret.trim()) && user.totpEnabledAt) {
      try {
        await verifySecondFactor(ctx, me.id, secret.trim());
        ok = true;
      } catch (err) {
        if (!(err instanceof Invalid)) throw err;
        if (err.key === 'accounts.errors.codeUsed') return challenge(req, res, 403, err.key);
      }
    } else ok = await verifyPassword(user.passwordHash, secret);
    if (!ok) return challenge(req, res, 403, 'accounts.stepUp.wrong');
    req.session.stepUp = { userId: me.id, at: ctx.clock.now().getTime() };
    next();
  };
  return [attempts, check];
}
