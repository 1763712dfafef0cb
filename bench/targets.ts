import { hashPassword } from '../server/auth/passwords';
import type { AppContext } from '../server/context';
import { userModel } from '../modules/accounts';

export interface BenchTarget {
  name: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requests?: Array<Record<string, unknown>>;
}

const PASSWORD = 'bench-password-2026';

/** Signs a user in over HTTP and returns the session cookie. */
async function signInCookie(url: string, email: string): Promise<string> {
  const page = await fetch(`${url}/login`);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** The pages measured, with whatever data and sessions they need. */
export async function benchTargets(ctx: AppContext, url: string): Promise<BenchTarget[]> {
  await userModel(ctx.db).create({
    email: 'bench-journalist@example.org',
    name: 'Bench Journalist',
    role: 'journalist',
    status: 'active',
    locale: 'mn',
    passwordHash: await hashPassword(PASSWORD),
  });
  const journalist = { cookie: await signInCookie(url, 'bench-journalist@example.org') };
  return [
    { name: 'livez (no db)', path: '/livez' },
    { name: 'login page (anonymous)', path: '/login' },
    { name: 'home (signed in)', path: '/', headers: journalist },
  ];
}
