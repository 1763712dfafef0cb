/**
 * LTI Dynamic Registration 1.0: an admin here makes a one-time registration link; the LMS admin
 * pastes it into the LMS, which opens it with its OpenID configuration and a registration token. We
 * read the configuration, register as a client at the LMS, and keep the platform — no fields copied
 * by hand on either side.
 */
import { createHash, randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { z } from 'zod';
import type { AppContext } from '../../../server/context';
import type { SessionUser } from '../../../server/types';
import { Invalid, NotFound } from '../../../server/http/errors';
import { recordAudit } from '../../audit';
import { ltiPlatformModel, ltiTicketModel } from './model';
import { toolUrls } from './service';
import { SCORE_SCOPE, NRPS_SCOPE } from './claims';

const LINK_TTL_MS = 7 * 24 * 3600_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A registration link for one LMS, valid for a week or until used. */
export async function createRegistrationLink(ctx: AppContext, actor: SessionUser) {
  const raw = randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.clock.now().getTime() + LINK_TTL_MS);
  await ltiTicketModel(ctx.db).create({ purpose: 'registration', tokenHash: sha256(raw), expiresAt });
  await recordAudit(ctx, actor, 'lti.registration.link', { type: 'ltiPlatform', id: 'new' });
  return { url: `${ctx.config.baseUrl}/lti/register/${raw}`, expiresAt };
}

const httpUrl = z
  .string()
  .max(1000)
  .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v));
const openidConfiguration = z.object({
  issuer: httpUrl,
  authorization_endpoint: httpUrl,
  token_endpoint: httpUrl,
  jwks_uri: httpUrl,
  registration_endpoint: httpUrl,
  'https://purl.imsglobal.org/spec/lti-platform-configuration': z
    .object({ product_family_code: z.string().max(200).optional() })
    .optional(),
});
const registrationReply = z.object({
  client_id: z.string().min(1).max(255),
  'https://purl.imsglobal.org/spec/lti-tool-configuration': z
    .object({ deployment_id: z.string().min(1).max(255).optional() })
    .optional(),
});

async function fetchJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Invalid('interop.lti.errors.registration');
  return res.json().catch(() => {
    throw new Invalid('interop.lti.errors.registration');
  });
}

/** Our client registration, as the LMS will show it to its admin (LTI DR §3.4). */
function toolRegistration(ctx: AppContext) {
  const urls = toolUrls(ctx);
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: urls.login,
    redirect_uris: [urls.launch],
    client_name: 'Umbrella Newsroom',
    jwks_uri: urls.jwks,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: [SCORE_SCOPE, NRPS_SCOPE].join(' '),
    'https://purl.imsglobal.org/spec/lti-tool-configuration': {
      domain: new URL(ctx.config.baseUrl).host,
      target_link_uri: urls.launch,
      claims: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email', 'locale'],
      messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: urls.deepLinking }],
    },
  };
}

/**
 * Spends the link, reads the LMS's configuration (its issuer must be the configuration's own
 * origin), registers with the LMS and keeps it as a platform. Returns the platform's issuer for the
 * page's frame and close message.
 */
export async function registerFromLms(
  ctx: AppContext,
  raw: string,
  input: { openid_configuration: string; registration_token?: string },
) {
  const now = ctx.clock.now();
  const link = await ltiTicketModel(ctx.db)
    .findOneAndUpdate(
      {
        purpose: 'registration',
        tokenHash: sha256(raw),
        usedAt: mongoose.trusted({ $exists: false }),
        expiresAt: mongoose.trusted({ $gt: now }),
      },
      { $set: { usedAt: now } },
      { new: true },
    )
    .lean();
  if (!link) throw new NotFound('interop.lti.errors.registrationLink');
  try {
    const config = openidConfiguration.safeParse(await fetchJson(input.openid_configuration));
    if (!config.success) throw new Invalid('interop.lti.errors.registration');
    const c = config.data;
    if (new URL(c.issuer).origin !== new URL(input.openid_configuration).origin)
      throw new Invalid('interop.lti.errors.registrationIssuer');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (input.registration_token) headers.authorization = `Bearer ${input.registration_token}`;
    const reply = registrationReply.safeParse(
      await fetchJson(c.registration_endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(toolRegistration(ctx)),
      }),
    );
    if (!reply.success) throw new Invalid('interop.lti.errors.registration');
    const deploymentId = reply.data['https://purl.imsglobal.org/spec/lti-tool-configuration']?.deployment_id;
    const family = c['https://purl.imsglobal.org/spec/lti-platform-configuration']?.product_family_code;
    const platform = await ltiPlatformModel(ctx.db).create({
      name: (family ? `${family} (${new URL(c.issuer).host})` : new URL(c.issuer).host).slice(0, 120),
      issuer: c.issuer,
      clientId: reply.data.client_id,
      deploymentIds: deploymentId ? [deploymentId] : [],
      authLoginUrl: c.authorization_endpoint,
      accessTokenUrl: c.token_endpoint,
      keysetUrl: c.jwks_uri,
    });
    await recordAudit(ctx, undefined, 'lti.platform.registered', {
      type: 'ltiPlatform',
      id: String(platform._id),
    });
    return { issuer: c.issuer };
  } catch (err) {
    // Nothing was registered: the LMS admin may try the same link again.
    await ltiTicketModel(ctx.db).updateOne({ _id: link._id }, { $unset: { usedAt: 1 } });
    if ((err as { code?: number }).code === 11000) throw new Invalid('interop.lti.errors.duplicate');
    if (err instanceof Invalid) throw err;
    ctx.log.warn({ error: (err as Error).message }, 'LTI dynamic registration failed');
    throw new Invalid('interop.lti.errors.registration');
  }
}
