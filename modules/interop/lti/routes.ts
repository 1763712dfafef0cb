import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../server/context';
import { allow, signedInUser } from '../../../server/auth/policy';
import { startSession } from '../../../server/auth/sign-in';
import { widenCsp } from '../../../server/http/security';
import { speakTo } from '../../../server/http/locals';
import { readCookie } from '../../../server/http/cookies';
import { fieldErrors, idParams, parse, parseParams } from '../../../server/http/validate';
import {
  deepLinkForm,
  launchInput,
  loginInput,
  platformForm,
  registrationQuery,
  ticketParams,
} from './schemas';
import { toolJwks } from './keys';
import { linkableContent } from './targets';
import * as lti from './service';
import { createRegistrationLink, registerFromLms } from './registration';
import { requireRecentAuth } from '../../accounts';

/** One cookie per login under way, so two activities launched at once do not overwrite each other's. */
const stateCookie = (state: string) => `lti-state-${state.slice(0, 16)}`;

/** LTI 1.3 tool endpoints (cross-site by design: /lti/ skips the same-origin and CSRF checks). */
export function ltiRoutes(ctx: AppContext): Router {
  const router = Router();
  const admin = allow.roles('admin');
  // Trusting or dropping a platform needs a fresh password or TOTP code, not just the session.
  const stepUp = requireRecentAuth(ctx);

  // The launch is a cross-site form post from the LMS, inside its frame: over HTTPS the cookie must be
  // SameSite=None, and Partitioned keeps it working where third-party cookies are blocked (CHIPS).
  const stateCookieOptions = {
    httpOnly: true,
    path: '/lti/',
    maxAge: lti.STATE_COOKIE_MAX_AGE_MS,
    ...(ctx.config.secureCookies
      ? { secure: true, sameSite: 'none' as const, partitioned: true }
      : { sameSite: 'lax' as const }),
  };

  router.get('/lti/jwks', allow.anyone, async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(await toolJwks(ctx));
  });

  const login = async (req: Request, res: Response) => {
    const input = parse(loginInput, req.method === 'POST' ? req.body : req.query);
    const { redirect, state, browserSecret } = await lti.beginLogin(ctx, input);
    res.cookie(stateCookie(state), browserSecret, stateCookieOptions);
    res.redirect(302, redirect);
  };
  router.get('/lti/login', allow.anyone, login);
  router.post('/lti/login', allow.anyone, login);

  router.post('/lti/launch', allow.anyone, async (req, res) => {
    const { id_token, state } = parse(launchInput, req.body);
    const outcome = await lti.handleLaunch(ctx, id_token, state, readCookie(req, stateCookie(state)));
    res.clearCookie(stateCookie(state), stateCookieOptions);
    // The page lives in the LMS's frame: that LMS may frame it, and it speaks the LMS's language.
    widenCsp(res, { frameAncestors: outcome.frameOrigins });
    if (outcome.lang) speakTo(res, outcome.lang);
    if (outcome.kind === 'deep-link') {
      const choices = await linkableContent(ctx);
      return res.render('interop/lti/deep-link', {
        ticket: outcome.ticket,
        multiple: outcome.multiple,
        choices,
      });
    }
    res.render('interop/lti/launch', { outcome });
  });

  router.get('/lti/continue/:ticket', allow.anyone, async (req, res) => {
    const { ticket } = parseParams(ticketParams, req.params);
    const { user, path, lang } = await lti.redeemHandoff(ctx, ticket);
    await startSession(req, user, ctx.clock.now(), lang);
    res.redirect(303, res.locals.url(path));
  });

  router.post('/lti/deep-link', allow.anyone, async (req, res) => {
    const { ticket, target } = parse(deepLinkForm, req.body);
    const { returnUrl, jwt, frameOrigins } = await lti.completeDeepLink(ctx, ticket, target);
    widenCsp(res, { frameAncestors: frameOrigins, formAction: [returnUrl] });
    res.render('interop/lti/deep-link-return', { returnUrl, jwt });
  });

  // Opened by the LMS (in its frame or a window) with its configuration: register, then tell it so.
  router.get('/lti/register/:ticket', allow.anyone, async (req, res) => {
    const { ticket } = parseParams(ticketParams, req.params);
    const input = parse(registrationQuery, req.query);
    const { issuer } = await registerFromLms(ctx, ticket, input);
    widenCsp(res, { frameAncestors: [issuer] });
    res.render('interop/lti/registered', { issuer });
  });

  const renderAdmin = async (res: Response, status = 200, extra: Record<string, unknown> = {}) =>
    res.status(status).render('interop/lti/platforms', {
      platforms: await lti.listPlatforms(ctx),
      urls: lti.toolUrls(ctx),
      ...extra,
    });

  router.get('/admin/lti', admin, (_req, res) => renderAdmin(res));

  router.post('/admin/lti', admin, ...stepUp, async (req, res) => {
    const parsed = platformForm.safeParse(req.body ?? {});
    if (!parsed.success)
      return renderAdmin(res, 400, { errors: fieldErrors(parsed.error), values: req.body });
    await lti.registerPlatform(ctx, signedInUser(req), parsed.data);
    res.redirect(303, res.locals.url('/admin/lti'));
  });

  router.post('/admin/lti/registration-link', admin, ...stepUp, async (req, res) => {
    const link = await createRegistrationLink(ctx, signedInUser(req));
    await renderAdmin(res, 201, { registrationLink: link });
  });

  router.post('/admin/lti/:id/delete', admin, ...stepUp, async (req, res) => {
    const { id } = parseParams(idParams, req.params);
    await lti.removePlatform(ctx, signedInUser(req), id);
    res.redirect(303, res.locals.url('/admin/lti'));
  });

  return router;
}
