import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import type { SessionUser } from '../../../server/types';
import { Invalid, NotFound, Forbidden, Conflict } from '../../../server/http/errors';
import { findOrCreateLearner, launchLanguage } from './learners';
import { nrpsClaim, rememberRoster } from './roster';
import { recordAudit } from '../../audit';
import { CLAIM, isLearner, mapRoles } from './claims';
import { ltiLaunchModel, ltiPlatformModel, ltiStateModel, ltiTicketModel, type LtiPlatform } from './model';
import { formatTarget, parseTarget, resolveTarget } from './targets';
import { signWithToolKey } from './keys';
import type { PlatformInput, LoginInput } from './schemas';
import { createHandoff } from './handoff';

const STATE_TTL_MS = 10 * 60 * 1000;
const DEEP_LINK_TTL_MS = 30 * 60 * 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(32).toString('base64url');

export const toolUrls = (ctx: AppContext) => ({
  login: `${ctx.config.baseUrl}/lti/login`,
  launch: `${ctx.config.baseUrl}/lti/launch`,
  jwks: `${ctx.config.baseUrl}/lti/jwks`,
  deepLinking: `${ctx.config.baseUrl}/lti/launch`,
});

// ---- Platforms (admin) ----

export async function listPlatforms(ctx: AppContext) {
  return ltiPlatformModel(ctx.db).find().sort({ createdAt: 1 }).lean();
}

export async function registerPlatform(ctx: AppContext, actor: SessionUser, input: PlatformInput) {
  try {
    const p = await ltiPlatformModel(ctx.db).create(input);
    await recordAudit(ctx, actor, 'lti.platform.registered', { type: 'ltiPlatform', id: String(p._id) });
    return p.toObject();
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new Conflict('interop.lti.errors.duplicate');
    throw err;
  }
}

export async function removePlatform(ctx: AppContext, actor: SessionUser, id: string) {
  const gone = await ltiPlatformModel(ctx.db)
    .findOneAndDelete({ _id: new Types.ObjectId(id) })
    .lean();
  if (!gone) throw new NotFound();
  await recordAudit(ctx, actor, 'lti.platform.removed', { type: 'ltiPlatform', id });
}

// ---- OIDC third-party initiated login ----

/** Where a login goes next, and the secret its browser keeps (in a cookie) to prove the launch is its own. */
export interface LoginStart {
  redirect: string;
  state: string;
  browserSecret: string;
}

export const STATE_COOKIE_MAX_AGE_MS = STATE_TTL_MS;

/**
 * Builds the redirect to the platform's authorisation endpoint, with a fresh one-time state and nonce,
 * bound to the browser that asked: a launch posted from another browser (login CSRF) is refused.
 */
export async function beginLogin(ctx: AppContext, input: LoginInput): Promise<LoginStart> {
  const filter = input.client_id ? { issuer: input.iss, clientId: input.client_id } : { issuer: input.iss };
  const platforms = await ltiPlatformModel(ctx.db).find(filter).limit(2).lean();
  if (platforms.length !== 1) throw new Invalid('interop.lti.errors.platform');
  const platform = platforms[0]!;
  if (!sameOrigin(input.target_link_uri, ctx.config.baseUrl)) throw new Invalid('interop.lti.errors.target');
  if (input.lti_deployment_id && !platform.deploymentIds.includes(input.lti_deployment_id))
    throw new Invalid('interop.lti.errors.deployment');
  const state = token();
  const nonce = token();
  const browserSecret = token();
  await ltiStateModel(ctx.db).create({
    state,
    nonce,
    platformId: platform._id,
    browserHash: sha256(browserSecret),
    expiresAt: new Date(ctx.clock.now().getTime() + STATE_TTL_MS),
  });
  const url = new URL(platform.authLoginUrl);
  const params: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: toolUrls(ctx).launch,
    login_hint: input.login_hint,
    state,
    nonce,
  };
  if (input.lti_message_hint) params.lti_message_hint = input.lti_message_hint;
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { redirect: url.toString(), state, browserSecret };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

// ---- Launch ----

const jwksCache = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function platformKeys(url: string) {
  let set = jwksCache.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    jwksCache.set(url, set);
  }
  return set;
}

const str = (max: number) => z.string().min(1).max(max);
const commonClaims = z.object({
  sub: str(255),
  nonce: str(200),
  [CLAIM.version]: z.literal('1.3.0'),
  [CLAIM.deploymentId]: str(255),
  [CLAIM.messageType]: z.enum(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']),
  [CLAIM.roles]: z.array(z.string().max(300)).max(100).default([]),
  [CLAIM.context]: z.object({ id: str(255) }).optional(),
  [CLAIM.custom]: z.record(z.string(), z.unknown()).optional(),
  name: z.string().max(300).optional(),
  given_name: z.string().max(150).optional(),
  family_name: z.string().max(150).optional(),
  email: z.string().max(254).optional(),
  locale: z.string().max(35).optional(),
  [CLAIM.nrps]: nrpsClaim,
});
const resourceLinkClaims = commonClaims.extend({
  [CLAIM.resourceLink]: z.object({ id: str(255) }),
  [CLAIM.ags]: z
    .object({ lineitem: z.string().url().max(1000).optional(), scope: z.array(z.string()).optional() })
    .optional(),
});
const deepLinkClaims = commonClaims.extend({
  [CLAIM.deepLinkingSettings]: z.object({
    deep_link_return_url: z.string().url().max(1000),
    accept_types: z.array(z.string().max(100)).max(20).optional(),
    accept_multiple: z.boolean().optional(),
    data: z.string().max(2000).optional(),
  }),
});

/**
 * Uses the state once, and only from the browser that began the login. Checked before it is used up:
 * a forged post from another browser must not burn the real launch.
 */
async function consumeState(ctx: AppContext, state: string, browserSecret: string | undefined) {
  const now = ctx.clock.now();
  const States = ltiStateModel(ctx.db);
  const found = await States.findOne({ state }, { browserHash: 1 }).lean();
  if (found && found.browserHash !== sha256(browserSecret ?? ''))
    throw new Invalid('interop.lti.errors.stateBrowser');
  return States.findOneAndUpdate(
    { state, usedAt: mongoose.trusted({ $exists: false }), expiresAt: mongoose.trusted({ $gt: now }) },
    { $set: { usedAt: now } },
    { new: true },
  ).lean();
}

/** Verifies state, signature, issuer, audience, azp, lifetime, nonce, deployment, version and type. */
export async function verifyLaunch(
  ctx: AppContext,
  idToken: string,
  state: string,
  browserSecret: string | undefined,
) {
  const st = await consumeState(ctx, state, browserSecret);
  if (!st) throw new Invalid('interop.lti.errors.state');
  const platform = await ltiPlatformModel(ctx.db).findById(st.platformId).lean();
  if (!platform) throw new Invalid('interop.lti.errors.platform');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, platformKeys(platform.keysetUrl), {
      issuer: platform.issuer,
      audience: platform.clientId,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
      currentDate: ctx.clock.now(),
      requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
      maxTokenAge: '10m',
      clockTolerance: 30,
    }));
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) {
      ctx.log.info({ code: err.code }, 'LTI id_token refused');
      throw new Invalid('interop.lti.errors.token');
    }
    throw err;
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if ((aud.length > 1 || payload.azp !== undefined) && payload.azp !== platform.clientId)
    throw new Invalid('interop.lti.errors.token');
  if (payload.nonce !== st.nonce) throw new Invalid('interop.lti.errors.token');
  const type = (payload as Record<string, unknown>)[CLAIM.messageType];
  const parsed = (type === 'LtiDeepLinkingRequest' ? deepLinkClaims : resourceLinkClaims).safeParse(payload);
  if (!parsed.success) throw new Invalid('interop.lti.errors.claims');
  const claims = parsed.data as z.infer<typeof commonClaims> & Record<string, unknown>;
  // A platform registered dynamically may not have named its deployments: it vouches for them.
  const known = platform.deploymentIds;
  if (known.length && !known.includes(claims[CLAIM.deploymentId]))
    throw new Forbidden('interop.lti.errors.deployment');
  return { platform, claims, payload };
}

type Title = { en: string; mn: string };
/** What the page inside the LMS frame offers, in the LMS's language, framed by that LMS only. */
export type LaunchOutcome = { lang?: 'en' | 'mn'; frameOrigins: string[] } & (
  | { kind: 'learner'; handoff: string; title?: Title }
  | { kind: 'staff'; next: string; title?: Title }
  | { kind: 'deep-link'; ticket: string; multiple: boolean }
);

/** Where a platform's pages (and so the frame around ours) are served from. */
export const platformOrigins = (p: LtiPlatform) => [p.issuer, p.authLoginUrl];

/** Deep linking returns LTI resource links only; a platform that accepts none of those gets a clear no. */
const acceptsResourceLinks = (types: string[] | undefined) => !types || types.includes('ltiResourceLink');

/** A verified resource-link or deep-linking launch → what the page inside the LMS frame offers. */
export async function handleLaunch(
  ctx: AppContext,
  idToken: string,
  state: string,
  browserSecret: string | undefined,
): Promise<LaunchOutcome> {
  const { platform, claims } = await verifyLaunch(ctx, idToken, state, browserSecret);
  const roles = claims[CLAIM.roles];
  const role = mapRoles(roles);
  const deploymentId = claims[CLAIM.deploymentId];
  const now = ctx.clock.now();
  const page = { lang: launchLanguage(claims.locale), frameOrigins: platformOrigins(platform) };

  if (claims[CLAIM.messageType] === 'LtiDeepLinkingRequest') {
    if (role !== 'trainer') throw new Forbidden('interop.lti.errors.instructorsOnly');
    const settings = (claims as unknown as z.infer<typeof deepLinkClaims>)[CLAIM.deepLinkingSettings];
    const returnOk = [platform.issuer, platform.authLoginUrl, platform.accessTokenUrl].some((u) =>
      sameOrigin(settings.deep_link_return_url, u),
    );
    if (!returnOk || !/^https?:/.test(settings.deep_link_return_url))
      throw new Invalid('interop.lti.errors.returnUrl');
    if (!acceptsResourceLinks(settings.accept_types)) throw new Invalid('interop.lti.errors.acceptTypes');
    const multiple = settings.accept_multiple === true;
    const ticket = token();
    await ltiTicketModel(ctx.db).create({
      purpose: 'deep-link',
      tokenHash: sha256(ticket),
      platformId: platform._id,
      deploymentId,
      returnUrl: settings.deep_link_return_url,
      data: settings.data,
      acceptMultiple: multiple,
      expiresAt: new Date(now.getTime() + DEEP_LINK_TTL_MS),
    });
    return { ...page, kind: 'deep-link', ticket, multiple };
  }

  const custom = claims[CLAIM.custom] ?? {};
  const wanted = parseTarget(custom.target);
  const resolved = wanted ? await resolveTarget(ctx, wanted) : undefined;
  const path = resolved?.path ?? '/learn';
  await rememberRoster(
    ctx,
    platform,
    claims[CLAIM.context]?.id,
    claims[CLAIM.nrps]?.context_memberships_url,
    resolved?.courseId,
  );

  if (role === 'trainer') return { ...page, kind: 'staff', next: path, title: resolved?.title };

  const user = await findOrCreateLearner(ctx, platform, claims);
  if (!user || user.status !== 'active') throw new Forbidden('interop.lti.errors.disabled');
  if (user.role !== 'journalist') return { ...page, kind: 'staff', next: path, title: resolved?.title };

  const rl = (claims as unknown as z.infer<typeof resourceLinkClaims>)[CLAIM.resourceLink];
  const lineitem = (claims as unknown as z.infer<typeof resourceLinkClaims>)[CLAIM.ags]?.lineitem;
  const lineitemOk =
    lineitem && [platform.issuer, platform.accessTokenUrl].some((u) => sameOrigin(lineitem, u));
  await ltiLaunchModel(ctx.db).findOneAndUpdate(
    { platformId: platform._id, resourceLinkId: rl.id, userId: user._id },
    {
      $set: {
        deploymentId,
        contextId: claims[CLAIM.context]?.id,
        sub: claims.sub,
        gradable: isLearner(roles) && !!lineitemOk,
        lineitem: lineitemOk ? lineitem : undefined,
        target: resolved?.target,
        courseId: resolved ? new Types.ObjectId(resolved.courseId) : undefined,
        lastLaunchedAt: now,
      },
      $setOnInsert: { firstLaunchedAt: now },
    },
    { upsert: true },
  );
  // The new tab names the account and asks before signing in (login CSRF: see handoff.ts).
  const handoff = await createHandoff(ctx, { userId: user._id, path, lang: page.lang, now });
  return { ...page, kind: 'learner', handoff, title: resolved?.title };
}

async function consumeTicket(ctx: AppContext, purpose: 'handoff' | 'deep-link', raw: string) {
  const now = ctx.clock.now();
  return ltiTicketModel(ctx.db)
    .findOneAndUpdate(
      {
        purpose,
        tokenHash: sha256(raw),
        usedAt: mongoose.trusted({ $exists: false }),
        expiresAt: mongoose.trusted({ $gt: now }),
      },
      { $set: { usedAt: now } },
      { new: true },
    )
    .lean();
}

/** Peeks at a deep-linking ticket without using it up (the selection page). */
export async function deepLinkTicket(ctx: AppContext, raw: string) {
  const now = ctx.clock.now();
  const t = await ltiTicketModel(ctx.db)
    .findOne({
      purpose: 'deep-link',
      tokenHash: sha256(raw),
      usedAt: mongoose.trusted({ $exists: false }),
      expiresAt: mongoose.trusted({ $gt: now }),
    })
    .lean();
  if (!t) throw new NotFound('interop.lti.errors.expired');
  return t;
}

/** One chosen course, lesson or quiz as a deep-linking content item (quizzes and courses are graded). */
function contentItem(ctx: AppContext, resolved: NonNullable<Awaited<ReturnType<typeof resolveTarget>>>) {
  const label = resolved.title.en || resolved.title.mn;
  const item: Record<string, unknown> = {
    type: 'ltiResourceLink',
    title: label,
    url: toolUrls(ctx).launch,
    custom: { target: formatTarget(resolved.target) },
  };
  if (resolved.target.kind === 'quiz' || resolved.target.kind === 'course')
    item.lineItem = { scoreMaximum: 100, label, resourceId: formatTarget(resolved.target) };
  return item;
}

/**
 * The instructor's choice (several when the platform accepts several) → a signed
 * LtiDeepLinkingResponse for the platform's return URL.
 */
export async function completeDeepLink(ctx: AppContext, raw: string, targetValues: string[]) {
  const resolved = [];
  for (const value of new Set(targetValues)) {
    const target = parseTarget(value);
    const found = target && (await resolveTarget(ctx, target));
    if (!found) throw new Invalid('interop.lti.errors.target');
    resolved.push(found);
  }
  const open = await deepLinkTicket(ctx, raw);
  if (resolved.length > 1 && !open.acceptMultiple) throw new Invalid('interop.lti.errors.oneOnly');
  const ticket = await consumeTicket(ctx, 'deep-link', raw);
  if (!ticket?.platformId || !ticket.returnUrl) throw new NotFound('interop.lti.errors.expired');
  const platform = await ltiPlatformModel(ctx.db).findById(ticket.platformId).lean();
  if (!platform) throw new NotFound();
  const jwt = await signWithToolKey(ctx, {
    iss: platform.clientId,
    aud: platform.issuer,
    azp: platform.clientId,
    nonce: token(),
    [CLAIM.messageType]: 'LtiDeepLinkingResponse',
    [CLAIM.version]: '1.3.0',
    [CLAIM.deploymentId]: ticket.deploymentId,
    [CLAIM.contentItems]: resolved.map((r) => contentItem(ctx, r)),
    ...(ticket.data ? { [CLAIM.dlData]: ticket.data } : {}),
  });
  return { returnUrl: ticket.returnUrl, jwt, frameOrigins: platformOrigins(platform) };
}
