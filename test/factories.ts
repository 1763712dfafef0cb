import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { generateSecret, generateSync } from 'otplib';
import type { AppContext } from '../server/context';
import type { Role } from '../server/types';
import { hashPassword } from '../server/auth/passwords';
import { type User } from '../modules/accounts';
import { userModel } from '../modules/accounts/model';

export const PASSWORD = 'correct-horse-battery-staple';
let hashed: Promise<string> | undefined;

/** A user in one line. Staff roles come with two-step verification already enrolled. */
export async function buildUser(
  ctx: AppContext,
  fields: Partial<Omit<User, '_id'>> & { role?: Role } = {},
): Promise<User & { totpSecret?: string }> {
  hashed ??= hashPassword(PASSWORD);
  const role = fields.role ?? 'journalist';
  const staff = role !== 'journalist';
  const user = await userModel(ctx.db).create({
    email: `${role}-${randomUUID().slice(0, 8)}@example.org`,
    name: `Test ${role}`,
    passwordHash: await hashed,
    status: 'active',
    locale: 'en',
    ...(staff ? { totpSecret: generateSecret(), totpEnabledAt: new Date() } : {}),
    ...fields,
    role,
  });
  return user.toObject();
}

/** The CSRF token from the first hidden _csrf field of a page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}

/** A supertest agent with a signed-in session (completing the second factor for staff). */
export async function signIn(app: Express, user: User & { totpSecret?: string }, password = PASSWORD) {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  if (res.headers.location?.endsWith('/login/2fa')) {
    const form = await agent.get('/login/2fa').expect(200);
    const code = generateSync({ secret: user.totpSecret! });
    const done = await agent
      .post('/login/2fa')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), code });
    if (done.status !== 303) throw new Error(`second factor failed: ${done.status}`);
  }
  return agent;
}

/** A CSRF token for a signed-in agent, taken from any page it can see. */
export async function tokenFor(agent: ReturnType<typeof request.agent>, path = '/account'): Promise<string> {
  const page = await agent.get(path).expect(200);
  return csrfFrom(page.text);
}
