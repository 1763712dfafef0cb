import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Types } from 'mongoose';
import { buildTestApp, type TestApp } from '../support/app';
import { buildUser, signIn, tokenFor, PASSWORD } from '../factories';
import { isPolicy } from '../../server/auth/policy';
import { umbrellaModules } from '../../server/modules';
import { userModel } from '../../modules/accounts/model';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

interface Found {
  path: string;
  methods: string;
  policed: boolean;
}

type Layer = {
  route?: {
    path: string;
    methods?: Record<string, boolean>;
    stack: Array<{ handle: unknown; method?: string }>;
  };
  handle?: unknown;
};

/** Every route reachable from a router stack, however deeply routers and sub-apps nest. */
function walk(stack: Layer[], prefix = '', out: Found[] = []): Found[] {
  for (const layer of stack) {
    if (layer.route) {
      out.push({
        path: prefix + layer.route.path,
        methods: Object.keys(layer.route.methods ?? {}).join(',') || '*',
        policed: layer.route.stack.some((l) => isPolicy(l.handle)),
      });
      continue;
    }
    const handle = layer.handle as { stack?: Layer[]; router?: { stack?: Layer[] } } | undefined;
    const nested = handle?.stack ?? handle?.router?.stack;
    if (Array.isArray(nested)) walk(nested, `${prefix}…`, out);
  }
  return out;
}

const appStack = (app: unknown) => (app as { router: { stack: Layer[] } }).router.stack;

test('every route of the built app starts from a policy (all registered modules, now and later)', () => {
  const routes = walk(appStack(t.app));
  assert.ok(routes.length >= 15, `only ${routes.length} routes found: the walker lost its way`);
  for (const must of [
    '/login',
    '/forgot',
    '/reset/:token',
    '/invite/:token',
    '/admin/users/:id',
    '/account/export',
  ])
    assert.ok(
      routes.some((r) => r.path.endsWith(must)),
      `${must} not found by the walker`,
    );
  const unpoliced = routes.filter((r) => !r.policed).map((r) => `${r.methods} ${r.path}`);
  assert.deepEqual(unpoliced, [], 'routes without a policy from server/auth/policy.ts');
});

test('each module registered in server/modules.ts has routes, and all of them are policed', () => {
  const mounted = umbrellaModules.flatMap((m) => m.routes ?? []);
  assert.ok(mounted.length >= umbrellaModules.length - 1);
  for (const { path: mount, router: build } of mounted) {
    const router = build(t.ctx);
    const routes = walk((router as unknown as { stack: Layer[] }).stack, mount);
    assert.ok(routes.length > 0, `module at ${mount} exposes no routes`);
    const unpoliced = routes.filter((r) => !r.policed).map((r) => `${r.methods} ${r.path}`);
    assert.deepEqual(unpoliced, [], `module at ${mount}`);
  }
});

const adminPages = () => [
  '/admin/users',
  '/admin/invite',
  ...umbrellaModules
    .flatMap((m) => m.nav ?? [])
    .filter((n) => n.roles.length === 1 && n.roles[0] === 'admin')
    .map((n) => n.href),
];

test('journalists, trainers and reviewers get 403 on every admin page', async () => {
  const target = await buildUser(t.ctx);
  for (const role of ['journalist', 'trainer', 'reviewer'] as const) {
    const agent = await signIn(t.app, await buildUser(t.ctx, { role }));
    for (const path of [...adminPages(), `/admin/users/${String(target._id)}`]) {
      const res = await agent.get(path);
      assert.equal(res.status, 403, `${role} GET ${path}`);
    }
    const csrf = await tokenFor(agent);
    const post = await agent
      .post(`/admin/users/${String(target._id)}`)
      .type('form')
      .send({ _csrf: csrf, role: 'admin', status: 'active' });
    assert.equal(post.status, 403);
    const invite = await agent
      .post('/admin/invite')
      .type('form')
      .send({ _csrf: csrf, email: `x-${role}@example.org`, name: 'X', role: 'admin' });
    assert.equal(invite.status, 403);
  }
  const stored = await userModel(t.ctx.db).findById(target._id).lean();
  assert.equal(stored!.role, 'journalist');
  assert.equal(await userModel(t.ctx.db).countDocuments({ email: /^x-/ }), 0);
});

test('anonymous visitors are sent to sign in, with where they were going', async () => {
  for (const path of [...adminPages(), '/account', '/account/export']) {
    const res = await request(t.app).get(path);
    assert.equal(res.status, 303, path);
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent(path)}`);
  }
});

test('unknown and malformed user ids are both 404 (one rule: a bad id is a missing record), never 500', async () => {
  const agent = await signIn(t.app, await buildUser(t.ctx, { role: 'admin' }));
  await agent.get(`/admin/users/${new Types.ObjectId().toHexString()}`).expect(404);
  await agent.get('/admin/users/not-an-id').expect(404);
  await agent.get('/admin/users/%7B%22%24ne%22%3A1%7D').expect(404);
  await agent.get('/admin/users?role=superuser').expect(400);
  await agent.get('/admin/users?role[$ne]=admin').expect(400);
});

test('an admin cannot change their own role or status', async () => {
  const admin = await buildUser(t.ctx, { role: 'admin' });
  const agent = await signIn(t.app, admin);
  const res = await agent
    .post(`/admin/users/${String(admin._id)}`)
    .type('form')
    .send({ _csrf: await tokenFor(agent), stepUpSecret: PASSWORD, role: 'journalist', status: 'disabled' });
  assert.equal(res.status, 400);
  const stored = await userModel(t.ctx.db).findById(admin._id).lean();
  assert.equal(stored!.role, 'admin');
  assert.equal(stored!.status, 'active');
});

test('staff cannot delete their account themselves; journalists need their password', async () => {
  const trainer = await buildUser(t.ctx, { role: 'trainer' });
  const agent = await signIn(t.app, trainer);
  await agent
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(agent), password: 'correct-horse-battery-staple' })
    .expect(403);
  const journalist = await buildUser(t.ctx);
  const j = await signIn(t.app, journalist);
  await j
    .post('/account/delete')
    .type('form')
    .send({ _csrf: await tokenFor(j), password: 'wrong-password' })
    .expect(400);
  assert.equal((await userModel(t.ctx.db).findById(journalist._id).lean())!.status, 'active');
});
