import request from 'supertest';
import type { Express } from 'express';
import { csrfFrom } from '../factories';

export const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];

/** An anonymous agent and a CSRF token bound to its session. */
export async function anonymous(app: Express, page = '/login') {
  const agent = request.agent(app);
  const res = await agent.get(page).set('Accept-Language', 'en').expect(200);
  return { agent, csrf: csrfFrom(res.text) };
}

/** A page with the per-response values (nonces, CSRF tokens) blanked, to compare two answers. */
export const stable = (html: string) =>
  html.replace(/nonce-[^'"]+|value="[^"]*"|<code>[0-9a-f-]{36}<\/code>/g, '');

/** The session cookie `name=value` pair from a response, if it set one. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : raw ? [String(raw)] : [];
  const hit = list.find((c) => /^(__Host-)?umbrella\.sid=/.test(c));
  return hit?.split(';')[0];
}

/** True when this agent is treated as signed out (the home page sends it to the sign-in page). */
export async function isAnonymous(agent: ReturnType<typeof request.agent>): Promise<boolean> {
  const res = await agent.get('/account');
  return res.status === 303 && /\/login\?next=/.test(res.headers.location ?? '');
}
