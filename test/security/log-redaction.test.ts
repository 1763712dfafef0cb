import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { pino } from 'pino';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { AppContext } from '../../server/context';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella } from '../../server/plugin';
import { redactPaths } from '../../server/logging';
import { redactUrl } from '../../server/http/log-redact';
import { buildUser, csrfFrom, PASSWORD } from '../factories';
import { TEST_SECRET } from '../support/app';

/** The real app with request logging on (as in production), its log lines kept in memory. */
let app: Express;
let ctx: AppContext;
let db: Connection;
let uploadsDir: string;
const lines: string[] = [];
before(async () => {
  db = await connectDatabase(
    process.env.TEST_MONGODB_URI!,
    `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
  );
  uploadsDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-log-'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: redactPaths, censor: '[redacted]' } }, sink);
  ({ app, ctx } = createUmbrella({
    connection: db,
    logger,
    jobs: 'none',
    passUnknownErrors: false,
    config: {
      env: 'development', // request logging is off under 'test'
      sessionSecret: TEST_SECRET,
      secureCookies: false,
      baseUrl: 'http://127.0.0.1:3000',
      uploadsDir,
      loginLimitPerIp: 10_000,
      loginLimitPerAccount: 10_000,
    },
  }));
});
after(async () => {
  await db.dropDatabase().catch(() => undefined);
  await db.close();
  rmSync(uploadsDir, { recursive: true, force: true });
});

const secret = () => randomBytes(32).toString('base64url');

test('request logs never carry reset, invitation or hand-off tokens, CSRF tokens or token-like query values', async () => {
  const reset = secret();
  const invite = secret();
  const ticket = secret();
  const inNext = secret();
  const inReferer = secret();
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  const csrf = csrfFrom(page.text);
  const user = await buildUser(ctx);

  const before = lines.length;
  await agent.get(`/reset/${reset}`);
  await agent.post(`/reset/${reset}`).type('form').send({ _csrf: csrf, password: 'whatever-password-1' });
  await agent.get(`/invite/${invite}`);
  await agent.get(`/lti/continue/${ticket}`);
  await agent.get(`/verify/ABCD-2345-EFGH`);
  await agent
    .post(`/account?_csrf=${encodeURIComponent(csrf)}`)
    .type('form')
    .send({ name: 'x' });
  await agent.get(`/login?next=${encodeURIComponent(`/reset/${inNext}`)}&token=plain&state=s1`);
  await agent.get('/login').set('Referer', `http://127.0.0.1:3000/invite/${inReferer}?x=1`);
  // A redirect whose Location carries a token (next= after sign-in).
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrf, email: user.email, password: PASSWORD, next: `/reset/${inNext}` });
  await new Promise((r) => setTimeout(r, 50));

  const logged = lines.slice(before).join('\n');
  assert.ok(lines.length - before >= 9, `request lines were logged (${lines.length - before})`);
  for (const [what, value] of Object.entries({ reset, invite, ticket, inNext, inReferer, csrf }))
    assert.ok(!logged.includes(value), `${what} appears in the log`);
  assert.ok(!logged.includes('ABCD-2345-EFGH'), 'certificate code appears in the log');
  assert.ok(!/token=plain|state=s1/.test(logged), 'token-named query values appear in the log');
  assert.match(logged, /"url":"\/reset\/\[redacted\]"/);
  assert.match(logged, /"url":"\/lti\/continue\/\[redacted\]"/);
  assert.match(logged, /"url":"\/account\?_csrf=\[redacted\]"/);
  // What is not secret keeps its shape.
  assert.match(logged, /"url":"\/login"/);
  assert.match(logged, /"method":"GET"/);
});

test('redactUrl: shape kept, secrets gone (also under a mount path and in absolute URLs)', () => {
  const tok = secret();
  const cases: Array<[string, string]> = [
    [`/training/reset/${tok}`, '/training/reset/[redacted]'],
    [`/invite/${tok}?a=1`, '/invite/[redacted]?a=1'],
    [`/lti/continue/${tok}`, '/lti/continue/[redacted]'],
    ['/learn/safe-migration-basics/lesson-1', '/learn/safe-migration-basics/lesson-1'],
    ['/admin/users/65f0c0ffee0000000000abcd', '/admin/users/65f0c0ffee0000000000abcd'],
    [`/anything/${tok}`, '/anything/[redacted]'],
    ['/x?_csrf=abc&page=2', '/x?_csrf=[redacted]&page=2'],
    [
      '/x?id_token=a.b.c&login_hint=u1&lti_message_hint=m',
      '/x?id_token=[redacted]&login_hint=[redacted]&lti_message_hint=[redacted]',
    ],
    [
      `https://lms.example/auth?state=s&nonce=n&redirect_uri=https%3A%2F%2Fus%2Flti%2Flaunch`,
      'https://lms.example/auth?state=[redacted]&nonce=[redacted]&redirect_uri=https%3A%2F%2Fus%2Flti%2Flaunch',
    ],
    [`/login?next=%2Freset%2F${tok}`, `/login?next=${encodeURIComponent('/reset/[redacted]')}`],
    ['/x?q=%E0%A4%A', '/x?q=[redacted]'],
  ];
  for (const [input, expected] of cases) assert.equal(redactUrl(input), expected, input);
});
