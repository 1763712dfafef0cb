import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, csrfFrom, signIn, tokenFor, PASSWORD } from '../factories';
import type { Role } from '../../server/types';
import { issueToken } from '../../modules/accounts/tokens';
import { inviteUser, toSessionUser } from '../../modules/accounts/service';
import { journalistWithDraft } from '../grants/helpers';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

type Agent = ReturnType<typeof request.agent>;
type Layer = {
  rawPath?: unknown;
  route?: { path: string; methods?: Record<string, boolean>; stack: Array<{ handle: unknown }> };
  handle?: { stack?: Layer[]; router?: { stack?: Layer[] } };
};
interface FormRoute {
  method: string;
  path: string;
  policy: string;
}

/** Every route with its full path and the name of its policy, however routers nest. */
function walk(stack: Layer[], prefix = '', out: FormRoute[] = []): FormRoute[] {
  for (const layer of stack) {
    if (layer.route) {
      const policy = layer.route.stack
        .map((l) => (l.handle as { policy?: string }).policy)
        .find((p) => typeof p === 'string');
      for (const method of Object.keys(layer.route.methods ?? {}))
        out.push({ method: method.toUpperCase(), path: prefix + layer.route.path, policy: policy ?? '' });
      continue;
    }
    const nested = layer.handle?.stack ?? layer.handle?.router?.stack;
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    if (Array.isArray(nested)) walk(nested, prefix + mount, out);
  }
  return out;
}

/** Every HTML form route: state-changing, not one of the cross-site machine endpoints (API, LTI). */
function formRoutes(): FormRoute[] {
  const routes = walk((t.app as unknown as { router: { stack: Layer[] } }).router.stack).filter(
    (r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !/^\/(api|lti)\//.test(r.path),
  );
  // Signing out last, so it cannot sign the shared agents out half-way.
  return routes.sort((a, b) => Number(a.path === '/logout') - Number(b.path === '/logout'));
}

/** Path parameters: well-formed values that name nothing (so nothing real is touched). */
const fill = (path: string) =>
  path.replace(/:(\w+)/g, (_m, name: string) => {
    if (/token/i.test(name)) return randomBytes(32).toString('base64url');
    if (/slug/i.test(name)) return 'no-such-thing';
    if (/index/i.test(name)) return '1';
    if (/^(key|table)$/.test(name)) return 'no-such-thing';
    return new Types.ObjectId().toHexString();
  });

const agents = new Map<string, Promise<{ agent: Agent; csrf: string }>>();
function agentFor(policy: string) {
  const role = policy.startsWith('roles:')
    ? (policy.slice(6).split(',')[0] as Role)
    : policy === 'signedIn'
      ? 'journalist'
      : undefined;
  const key = role ?? 'anonymous';
  if (!agents.has(key))
    agents.set(
      key,
      (async () => {
        if (!role) {
          const agent = request.agent(t.app);
          const page = await agent.get('/login').expect(200);
          return { agent, csrf: csrfFrom(page.text) };
        }
        const agent = await signIn(t.app, await buildUser(t.ctx, { role }));
        return { agent, csrf: await tokenFor(agent) };
      })(),
    );
  return agents.get(key)!;
}

const OVERSIZED = `name=${'x'.repeat(300 * 1024)}`;
const COMMON_FIELDS = ['name', 'email', 'title', 'password', 'code', 'role', 'status', 'locale', 'version'];
const DUPLICATED = COMMON_FIELDS.map((f) => `${f}=a&${f}=b`).join('&');

interface Variant {
  name: string;
  send(req: request.Test): request.Test;
  expect?: number[];
}
const variants: Variant[] = [
  { name: 'text/plain', send: (r) => r.set('Content-Type', 'text/plain').send('name=x'), expect: [415] },
  {
    name: 'application/xml',
    send: (r) => r.set('Content-Type', 'application/xml').send('<a>x</a>'),
    expect: [415],
  },
  { name: 'no content type', send: (r) => r.set('Content-Type', '').send(Buffer.from('name=x')) },
  { name: 'multipart fields', send: (r) => r.field('name', 'x').field('unknown', 'y') },
  { name: 'oversized body', send: (r) => r.type('form').send(OVERSIZED), expect: [413] },
  { name: 'duplicated fields', send: (r) => r.type('form').send(DUPLICATED) },
  { name: 'unknown fields', send: (r) => r.type('form').send('zz_unknown=1&__proto__=x&constructor=y') },
  { name: 'JSON array', send: (r) => r.type('json').send('[1,2]') },
  {
    name: 'JSON nested',
    send: (r) => r.type('json').send({ name: { $ne: '' }, email: ['a', 'b'], title: 7 }),
  },
  { name: 'malformed JSON', send: (r) => r.type('json').send('{"name":'), expect: [400] },
];

test('every HTML form route: wrong types, oversized, duplicated or unknown fields never give a 500', async () => {
  const routes = formRoutes();
  assert.ok(routes.length >= 40, `only ${routes.length} form routes found: the walker lost its way`);
  for (const must of [
    '/account',
    '/login',
    '/admin/users/:id',
    '/grants/pitches/:id/files',
    '/trainer/cohorts',
  ])
    assert.ok(
      routes.some((r) => r.path === must),
      `${must} not found`,
    );
  const failures: string[] = [];
  for (const route of routes) {
    const { agent, csrf } = await agentFor(route.policy);
    const path = fill(route.path);
    for (const v of variants) {
      const req = agent[route.method.toLowerCase() as 'post'](path)
        .set('X-CSRF-Token', csrf)
        .set('Accept-Language', 'en');
      const res = await v.send(req);
      const where = `${route.method} ${route.path} [${route.policy}] ${v.name}: ${res.status}`;
      if (res.status >= 500) failures.push(where);
      else if (v.expect && !v.expect.includes(res.status))
        failures.push(`${where} (expected ${v.expect.join('/')})`);
      else if (res.status >= 400 && /html/.test(res.headers['content-type'] ?? '') && !/<main/.test(res.text))
        failures.push(`${where} (no page)`);
    }
  }
  assert.deepEqual(failures, []);
});

/**
 * The forms themselves, on real records: each fed its own fields twice, unknown fields, and a
 * multipart body answers 400 with the form and its errors (not the bare error page); the wrong
 * content type answers 415 and an oversized body 413, with our page.
 */
test('each form comes back with its errors for duplicated, unknown or multipart fields', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const adminAgent = await signIn(t.app, admin);
  // Admin access changes ask for a fresh password first (step-up): give it once, up front.
  await adminAgent
    .post('/admin/api-tokens')
    .set('X-CSRF-Token', await tokenFor(adminAgent))
    .type('form')
    .send({ stepUpSecret: PASSWORD, name: '' })
    .expect(400);
  const trainerAgent = await signIn(t.app, await buildUser(t.ctx, { role: 'trainer' }));
  const journalist = await buildUser(t.ctx);
  const journalistAgent = await signIn(t.app, journalist);
  const anon = request.agent(t.app);
  const target = await buildUser(t.ctx);
  const resetToken = await issueToken(t.ctx, target._id, 'reset');
  const invited = await inviteUser(t.ctx, toSessionUser(admin), {
    email: `invited-${Date.now()}@example.org`,
    name: 'Invited',
    role: 'journalist',
  });
  const inviteToken = await issueToken(t.ctx, invited._id, 'invite');
  const pitch = await journalistWithDraft(t);

  const forms: Array<{ agent: Agent; page: string; path: string; fields: Record<string, string> }> = [
    { agent: anon, page: '/login', path: '/login', fields: { email: 'a@example.org', password: 'x' } },
    {
      agent: anon,
      page: '/register',
      path: '/register',
      fields: { name: 'N', email: 'n@example.org', password: 'long-enough-pass' },
    },
    { agent: anon, page: '/forgot', path: '/forgot', fields: { email: 'a@example.org' } },
    {
      agent: anon,
      page: `/reset/${resetToken}`,
      path: `/reset/${resetToken}`,
      fields: { password: 'long-enough-pass' },
    },
    {
      agent: anon,
      page: `/invite/${inviteToken}`,
      path: `/invite/${inviteToken}`,
      fields: { name: 'N', password: 'long-enough-pass' },
    },
    { agent: journalistAgent, page: '/account', path: '/account', fields: { name: 'N', locale: 'en' } },
    {
      agent: adminAgent,
      page: '/admin/invite',
      path: '/admin/invite',
      fields: { email: 'b@example.org', name: 'B', role: 'journalist' },
    },
    {
      agent: adminAgent,
      page: `/admin/users/${String(target._id)}`,
      path: `/admin/users/${String(target._id)}`,
      fields: { role: 'trainer', status: 'active' },
    },
    {
      agent: adminAgent,
      page: '/admin/api-tokens',
      path: '/admin/api-tokens',
      fields: { name: 'T', scopes: 'courses:read' },
    },
    { agent: adminAgent, page: '/admin/calls/new', path: '/admin/calls', fields: { titleEn: 'T' } },
    { agent: trainerAgent, page: '/trainer/cohorts', path: '/trainer/cohorts', fields: { name: 'C' } },
    {
      agent: pitch.agent,
      page: `/grants/pitches/${pitch.pitchId}`,
      path: `/grants/pitches/${pitch.pitchId}`,
      fields: { title: 'T', version: '0' },
    },
  ];
  const failures: string[] = [];
  for (const form of forms) {
    const page = await form.agent.get(form.page).set('Accept-Language', 'en');
    if (page.status !== 200) {
      failures.push(`GET ${form.page}: ${page.status}`);
      continue;
    }
    const csrf = csrfFrom(page.text);
    const post = () => form.agent.post(form.path).set('X-CSRF-Token', csrf).set('Accept-Language', 'en');
    const twice = Object.entries(form.fields)
      .flatMap(([k, v]) => [`${k}=${encodeURIComponent(v)}`, `${k}=${encodeURIComponent(v)}x`])
      .join('&');
    const unknown = new URLSearchParams({ ...form.fields, role_override: 'admin', zz: '1' }).toString();
    const multipart = () => {
      const req = post();
      for (const [k, v] of Object.entries(form.fields)) void req.field(k, v);
      return req;
    };
    const cases: Array<[string, () => request.Test, number]> = [
      ['duplicated fields', () => post().type('form').send(twice), 400],
      ['unknown fields', () => post().type('form').send(unknown), 400],
      ['multipart', multipart, 400],
      ['text/plain', () => post().set('Content-Type', 'text/plain').send(twice), 415],
      ['oversized', () => post().type('form').send(OVERSIZED), 413],
    ];
    for (const [name, send, status] of cases) {
      const res = await send();
      const where = `POST ${form.path} ${name}: ${res.status}`;
      if (res.status !== status) failures.push(`${where} (expected ${status})`);
      else if (!/<main/.test(res.text)) failures.push(`${where}: not our page`);
      else if (
        status === 400 &&
        (/<h1>\d{3} — /.test(res.text) || !/role="alert"|class="error"/.test(res.text))
      )
        failures.push(`${where}: the bare error page, not the form with its errors`);
    }
  }
  assert.deepEqual(failures, []);
});
