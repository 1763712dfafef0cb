import type { Request, Response } from 'express';
import type { Config } from '../config';
import { sessionCookieName } from './session';
import type { Locale, SessionUser } from '../types';

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

/**
 * Saves the session now. Call it before redirecting after a change: express-session otherwise sends the
 * redirect's headers while the save is still in flight, and a browser that follows at once reads the
 * old session (a language switch that does not show).
 */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** A new session id at every privilege change defeats session fixation. */
export async function startSession(
  req: Request,
  user: SessionUser,
  now: Date,
  lang: Locale | undefined = req.session.lang,
): Promise<void> {
  await regenerate(req);
  Object.assign(req.session, { user, lang, createdAt: now.getTime(), lastSeenAt: now.getTime() });
  await saveSession(req);
}

export async function startPendingSecondFactor(
  req: Request,
  userId: string,
  next: string | undefined,
  now: Date,
) {
  const lang = req.session.lang;
  await regenerate(req);
  Object.assign(req.session, {
    pending2fa: { userId, next },
    lang,
    createdAt: now.getTime(),
    lastSeenAt: now.getTime(),
  });
  await saveSession(req);
}

/**
 * Every sign-out tells the browser to drop cached pages (which may hold personal data), cookies and
 * storage, so nothing of the session outlives it on a shared computer; browsers without
 * Clear-Site-Data still get the session cookie expired.
 */
export function clearBrowserState(res: Response, config: Config): void {
  res.set('Clear-Site-Data', '"cache", "cookies", "storage"');
  res.clearCookie(sessionCookieName(config), {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'lax',
  });
}

export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
