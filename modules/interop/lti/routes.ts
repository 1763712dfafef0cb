import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../server/context';
import { allow, signedInUser } from '../../../server/auth/policy';
import { startSession } from '../../../server/auth/sign-in';
import { widenCsp } from '../../../server/http/security';
import { speakTo } from '../../../server/http/locals';
import { readCookie } from '../../../server/http/cookies';
import { fieldErrors, idParams, parse, parseParams } from '../../../server/http/validate';
import {
  continueForm,
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
import { peekHandoff, redeemHandoff, type Handoff } from './handoff';
import { createRegistrationLink, registerFromLms } from './registration';
import { requireRecentAuth } from '../../accounts';

/** One cookie per login under way, so two activities launched at once do not overwrite each other's. */
const stateCookie = (state: string) => `lti-state-${state.slice(0, 16)}`;

/**
 * The state cookie lives under this app's /lti/ path wherever it is mounted (res.locals.url adds the
 * mount path, e.g. /training). The launch is a cross-site form post from the LMS, inside its frame:
 * over HTTPS the cookie must be SameSite=None, and Partitioned keeps it working where third-party
 * cookies are blocked (CHIPS).
 */
const stateCookieOptions = (ctx: AppContext, res: Response) => ({
  httpOnly: true,
  path: res.locals.url('/lti/') as string,
  maxAge: lti.STATE_COOKIE_MAX_AGE_MS,
  ...(ctx.config.secureCookies
    ? { secure: true, sameSite: 'none' as const, partitioned: true }
    : { sameSite: 'lax' as const }),
});

/** LTI 1.3 tool endpoints (cross-site by design: login, launch and deep-link skip the same-origin and CSRF checks). */
export function ltiRoutes(ctx: AppContext): Router {
  const router = Router();
  const admin = allow.roles('admin');
  // Trusting or dropping a platform needs a fresh password or TOTP code, not just the session.
  const stepUp = requireRecentAuth(ctx);

  router.get('/lti/jwks', allow.anyone, async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(await toolJwks(ctx));
  });

  const login = async (req: Request, res: Response) => {
    const input = parse(loginInput, req.method === 'POST' ? req.body : req.query);
    const { redirect, state, browserSecret } = await lti.beginLogin(ctx, input);
    res.cookie(stateCookie(state), browserSecret, stateCookieOptions(ctx, res));
    res.redirect(302, redirect);
  };
  router.get('/lti/login', allow.anyone, login);
  router.post('/lti/login', allow.anyone, login);

  router.post('/lti/launch', allow.anyone, async (req, res) => {
    const { id_token, state } = parse(launchInput, req.body);
    const outcome = await lti.handleLaunch(ctx, id_token, state, readCookie(req, stateCookie(state)));
    res.clearCookie(stateCookie(state), stateCookieOptions(ctx, res));
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

  // The hand-off tab: opening it signs nobody in. It names the account and asks; only its form (with
  // the CSRF token) uses the ticket up and starts the session.
  const renderContinue = (req: Request, res: Response, ticket: string, handoff: Handoff, status = 200) => {
    if (handoff.lang) speakTo(res, handoff.lang);
    const other = req.user && req.user.id !== handoff.user.id ? req.user : undefined;
    res.status(status).render('interop/lti/continue', {
      ticket,
      // The address too (the LMS's, not a placeholder): a display name is easy to copy, an address less so.
      learner: {
        name: handoff.user.name,
        email: handoff.user.email.endsWith('.invalid') ? '' : handoff.user.email,
      },
      signedInAs: other ? { name: other.name } : undefined,
    });
  };

  router.get('/lti/continue/:ticket', allow.anyone, async (req, res) => {
    const { ticket } = parseParams(ticketParams, req.params);
    const handoff = await peekHandoff(ctx, ticket);
    renderContinue(req, res, ticket, handoff);
  });

  router.post('/lti/continue/:ticket', allow.anyone, async (req, res) => {
    const { ticket } = parseParams(ticketParams, req.params);
    const { switchUser } = parse(continueForm, req.body ?? {});
    // Someone else signed in since the page was shown: ask again rather than replace them silently.
    if (req.user && !switchUser) {
      const handoff = await peekHandoff(ctx, ticket);
      if (handoff.user.id !== req.user.id) return renderContinue(req, res, ticket, handoff, 409);
    }
    const { user, path, lang } = await redeemHandoff(ctx, ticket);
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
