/**
 * An LTI 1.3 platform (LMS) simulator for tests: its own RSA key and JWKS, an OIDC authorisation
 * endpoint that answers the tool's login redirect with a signed id_token (form_post page), an OAuth2
 * token endpoint that checks the tool's client assertion against the tool's JWKS, and an AGS scores
 * endpoint that records what it receives.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import request from 'supertest';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWTPayload } from 'jose';

const C = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  dl: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
};
export const ROLE = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  admin: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
  institutionInstructor: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor',
  systemAdmin: 'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
  teachingAssistant: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
};

export interface LaunchOptions {
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  sub?: string;
  roles?: string[];
  name?: string;
  email?: string;
  locale?: string;
  custom?: Record<string, string>;
  resourceLinkId?: string;
  /** Adds the AGS endpoint claim with a line item of this id. */
  lineitemId?: string;
  aud?: string | string[];
  /** Seconds relative to now. */
  exp?: number;
  iat?: number;
  deploymentId?: string;
  nonce?: string;
  version?: string;
  /** Deep linking settings (defaults: ltiResourceLink, one item). */
  acceptTypes?: string[];
  acceptMultiple?: boolean;
  /** Adds the Names and Role Provisioning Services claim (the course roster's address). */
  roster?: boolean;
}

/** One entry of a course roster (NRPS membership). */
export interface RosterMember {
  user_id: string;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  email?: string;
}

export interface RecordedScore {
  path: string;
  query: string;
  contentType: string;
  body: Record<string, unknown>;
}

export interface PlatformSim {
  url: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  /** Fields for the tool's /admin/lti form. */
  registration(): Record<string, string>;
  /** Claims for the next authorisation request. */
  next: LaunchOptions;
  scores: RecordedScore[];
  /** Dynamic registration requests the tool made (authorization header and body). */
  registrations: Array<{ authorization: string; body: Record<string, unknown> }>;
  /** The token the LMS hands the tool for dynamic registration. */
  registrationToken: string;
  /** The course roster NRPS serves, two members per page. */
  members: RosterMember[];
  /** Scopes each access token was asked for. */
  tokenScopes: string[];
  tokenRequests: Array<{ ok: boolean; error?: string }>;
  /** Follows the tool's login redirect: the auto-posting form fields (id_token, state) and its action. */
  authorize(location: string): Promise<{ action: string; id_token: string; state: string }>;
  /** Checks a deep-linking response JWT with the tool's JWKS. */
  verifyFromTool(jwt: string): Promise<JWTPayload>;
  lineitemUrl(id: string): string;
  close(): Promise<void>;
}

export async function startPlatform(toolBaseUrl: string): Promise<PlatformSim> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const clientId = `client-${randomBytes(4).toString('hex')}`;
  const deploymentId = 'deploy-1';
  const toolKeys = createRemoteJWKSet(new URL(`${toolBaseUrl}/lti/jwks`));
  const accessTokens = new Set<string>();
  const scopesOf = new Map<string, string[]>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json({ type: ['application/json', 'application/vnd.ims.lis.v1.score+json'] }));

  let url = '';
  const sim = {} as PlatformSim;

  app.get('/jwks', (_req, res) => void res.json({ keys: [jwk] }));

  // LTI Dynamic Registration: the platform's configuration and its client registration endpoint.
  app.get(
    '/.well-known/openid-configuration',
    (_req, res) =>
      void res.json({
        issuer: url,
        authorization_endpoint: `${url}/auth`,
        token_endpoint: `${url}/token`,
        jwks_uri: `${url}/jwks`,
        registration_endpoint: `${url}/register`,
        'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'simlms' },
      }),
  );
  app.post('/register', (req, res) => {
    const authorization = req.get('authorization') ?? '';
    sim.registrations.push({ authorization, body: req.body as Record<string, unknown> });
    if (authorization !== `Bearer ${sim.registrationToken}`) return void res.status(401).end();
    const tool = (req.body as Record<string, Record<string, unknown>>)[
      'https://purl.imsglobal.org/spec/lti-tool-configuration'
    ];
    res.json({
      ...(req.body as object),
      client_id: clientId,
      'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...tool, deployment_id: deploymentId },
    });
  });

  app.get('/auth', async (req, res) => {
    const q = req.query as Record<string, string>;
    const problems = [
      q.scope !== 'openid' && 'scope',
      q.response_type !== 'id_token' && 'response_type',
      q.response_mode !== 'form_post' && 'response_mode',
      q.prompt !== 'none' && 'prompt',
      q.client_id !== clientId && 'client_id',
      q.redirect_uri !== `${toolBaseUrl}/lti/launch` && 'redirect_uri',
      !q.login_hint && 'login_hint',
      !q.state && 'state',
      !q.nonce && 'nonce',
    ].filter(Boolean);
    if (problems.length) return void res.status(400).send(`bad auth request: ${problems.join(', ')}`);
    const o = sim.next;
    const now = Math.floor(Date.now() / 1000);
    const messageType = o.messageType ?? 'LtiResourceLinkRequest';
    const claims: JWTPayload = {
      nonce: o.nonce ?? q.nonce,
      name: o.name ?? 'Sara Learner',
      [C.messageType]: messageType,
      [C.version]: o.version ?? '1.3.0',
      [C.deploymentId]: o.deploymentId ?? deploymentId,
      [C.targetLinkUri]: `${toolBaseUrl}/lti/launch`,
      [C.roles]: o.roles ?? [ROLE.learner],
      [C.context]: { id: 'course-42', title: 'Journalism 101' },
    };
    if (o.roster)
      claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'] = {
        context_memberships_url: `${url}/memberships/course-42`,
        service_versions: ['2.0'],
      };
    if (o.email) claims.email = o.email;
    claims.locale = o.locale ?? 'en-US';
    if (o.custom) claims[C.custom] = o.custom;
    if (messageType === 'LtiResourceLinkRequest') {
      claims[C.resourceLink] = { id: o.resourceLinkId ?? 'rl-1' };
      if (o.lineitemId)
        claims[C.ags] = {
          scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
          lineitem: sim.lineitemUrl(o.lineitemId),
        };
    } else {
      claims[C.dl] = {
        deep_link_return_url: `${url}/deep-link-return`,
        accept_types: o.acceptTypes ?? ['ltiResourceLink'],
        ...(o.acceptMultiple !== undefined ? { accept_multiple: o.acceptMultiple } : {}),
        accept_presentation_document_targets: ['iframe', 'window'],
        data: 'opaque-platform-data',
      };
    }
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(url)
      .setSubject(o.sub ?? 'user-123')
      .setAudience(o.aud ?? clientId)
      .setIssuedAt(now + (o.iat ?? 0))
      .setExpirationTime(now + (o.exp ?? 300))
      .sign(privateKey);
    res
      .type('html')
      .send(
        `<form method="post" action="${q.redirect_uri}"><input type="hidden" name="id_token" value="${idToken}">` +
          `<input type="hidden" name="state" value="${q.state}"></form>`,
      );
  });

  app.post('/token', async (req, res) => {
    const b = req.body as Record<string, string>;
    try {
      if (b.grant_type !== 'client_credentials') throw new Error('grant_type');
      if (b.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
        throw new Error('client_assertion_type');
      const scopes = String(b.scope).split(' ');
      const known = [
        'https://purl.imsglobal.org/spec/lti-ags/scope/score',
        'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
      ];
      if (!scopes.some((x) => known.includes(x))) throw new Error('scope');
      sim.tokenScopes.push(String(b.scope));
      await jwtVerify(b.client_assertion!, toolKeys, {
        issuer: clientId,
        subject: clientId,
        audience: `${url}/token`,
        requiredClaims: ['jti', 'exp', 'iat'],
      });
      const token = randomBytes(16).toString('hex');
      accessTokens.add(token);
      scopesOf.set(token, scopes);
      sim.tokenRequests.push({ ok: true });
      res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600, scope: b.scope });
    } catch (err) {
      sim.tokenRequests.push({ ok: false, error: (err as Error).message });
      res.status(401).json({ error: 'invalid_client' });
    }
  });

  app.get('/memberships/:context', (req, res) => {
    const token = (req.get('authorization') ?? '').replace(/^Bearer /, '');
    const nrps = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
    if (!scopesOf.get(token)?.includes(nrps)) return void res.status(401).end();
    const page = Number(req.query.page ?? 0);
    const members = sim.members.slice(page * 2, page * 2 + 2);
    if ((page + 1) * 2 < sim.members.length)
      res.set('link', `<${url}/memberships/${req.params.context}?page=${page + 1}>; rel="next"`);
    res
      .type('application/vnd.ims.lti-nrps.v2.membershipcontainer+json')
      .send(JSON.stringify({ id: req.originalUrl, context: { id: req.params.context }, members }));
  });

  app.post('/lineitems/:id/lineitem/scores', (req, res) => {
    const auth = req.get('authorization') ?? '';
    if (!accessTokens.has(auth.replace(/^Bearer /, ''))) return void res.status(401).end();
    sim.scores.push({
      path: req.path,
      query: req.originalUrl.split('?')[1] ?? '',
      contentType: req.get('content-type') ?? '',
      body: req.body as Record<string, unknown>,
    });
    res.status(204).end();
  });

  const server: Server = await new Promise((resolve, reject) => {
    // Express 5 passes a listen error to this callback.
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  Object.assign(sim, {
    url,
    issuer: url,
    clientId,
    deploymentId,
    next: {},
    scores: [],
    registrations: [],
    members: [],
    tokenScopes: [],
    registrationToken: `reg-${randomBytes(4).toString('hex')}`,
    tokenRequests: [],
    registration: () => ({
      name: 'Simulated LMS',
      issuer: url,
      clientId,
      deploymentIds: `${deploymentId} deploy-2`,
      authLoginUrl: `${url}/auth`,
      accessTokenUrl: `${url}/token`,
      keysetUrl: `${url}/jwks`,
    }),
    lineitemUrl: (id: string) => `${url}/lineitems/${id}/lineitem?type_id=3`,
    async authorize(location: string) {
      const res = await fetch(location);
      const html = await res.text();
      if (!res.ok) throw new Error(`platform refused: ${res.status} ${html}`);
      const field = (n: string) => new RegExp(`name="${n}" value="([^"]*)"`).exec(html)?.[1] ?? '';
      return {
        action: /action="([^"]+)"/.exec(html)![1]!,
        id_token: field('id_token'),
        state: field('state'),
      };
    },
    verifyFromTool: async (jwt: string) =>
      (await jwtVerify(jwt, toolKeys, { issuer: clientId, audience: url })).payload,
    // Drops kept-alive connections (the tool's JWKS and token fetches) instead of waiting them out.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  } satisfies Partial<PlatformSim>);
  return sim;
}

/**
 * The browser's form post of a launch to the tool, with the state cookie the login set in that browser
 * (a launch from another browser leaves it out). `prefix`: where a host app mounts the tool.
 */
export function postLaunch(
  app: Express,
  form: { id_token: string; state: string; cookie?: string },
  prefix = '',
) {
  return request(app)
    .post(`${prefix}/lti/launch`)
    .set('Cookie', form.cookie ?? '')
    .type('form')
    .send({ id_token: form.id_token, state: form.state });
}

/**
 * A learner's browser starting a launch: the OIDC login at the tool (which sets the state cookie and
 * redirects to the platform), then the platform's answer. Returns the form the platform posts back,
 * with the cookie the browser keeps. `query` adds to the login request (e.g. lti_message_hint).
 */
export async function ltiLogin(
  app: Express,
  sim: PlatformSim,
  toolBaseUrl: string,
  options: LaunchOptions,
  query: Record<string, string> = {},
) {
  sim.next = options;
  const res = await request(app)
    .get('/lti/login')
    .query({
      iss: sim.issuer,
      login_hint: 'hint',
      target_link_uri: `${toolBaseUrl}/lti/launch`,
      client_id: sim.clientId,
      ...query,
    })
    .expect(302);
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0]!;
  return { ...(await sim.authorize(res.headers.location!)), cookie, location: res.headers.location! };
}

type Agent = ReturnType<typeof request.agent>;
interface Launched {
  text: string;
  headers: Record<string, unknown>;
}

/** A learner launch's hand-off: the continue link on the page. */
export function handoffOf(launched: Launched): { href: string } {
  const href = /href="([^"]*\/lti\/continue\/[A-Za-z0-9_-]+)"/.exec(launched.text)?.[1];
  if (!href) throw new Error('no learner hand-off in the launch response');
  return { href };
}

/**
 * The learner's new tab: opens the hand-off page ("Continue as …"), then
 * presses Continue with the page's CSRF token. Answers the POST (303 to the content when it worked).
 */
export async function continueHandoff(agent: Agent, launched: Launched, header: Record<string, string> = {}) {
  const { href } = handoffOf(launched);
  const page = await agent.get(href).set(header).expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  return agent.post(href).set(header).type('form').send({ _csrf: csrf });
}
