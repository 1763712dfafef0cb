import session from 'express-session';
import { MongoStore } from 'connect-mongo';
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { Clock } from '../clock';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const SESSIONS_COLLECTION = 'sessions';

export function sessionCookieName(config: Config): string {
  // The __Host- prefix demands Secure and Path=/, which only holds over HTTPS.
  return config.secureCookies ? '__Host-umbrella.sid' : 'umbrella.sid';
}

/**
 * Sessions live in MongoDB (stateless app processes). Stored unstringified so a user's sessions can be
 * found and deleted at once when they are disabled or their role changes.
 */
export function sessionMiddleware(config: Config, db: Connection): RequestHandler {
  const store = MongoStore.create({
    client: db.getClient(),
    dbName: db.name,
    collectionName: SESSIONS_COLLECTION,
    stringify: false,
    touchAfter: 60,
    ttl: ABSOLUTE_TIMEOUT_MS / 1000,
    // TTL indexes never expire documents on the embedded server: sweep expired rows ourselves.
    autoRemove: 'interval',
    autoRemoveInterval: 10,
  });
  return session({
    name: sessionCookieName(config),
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      secure: config.secureCookies,
      sameSite: 'lax',
      path: '/',
      maxAge: ABSOLUTE_TIMEOUT_MS,
    },
  });
}

/** Ends sessions that sat idle too long or lived past the absolute limit. */
export function sessionTimeouts(clock: Clock): RequestHandler {
  return (req, _res, next) => {
    const s = req.session;
    if (!s?.user && !s?.pending2fa) return next();
    const now = clock.now().getTime();
    const expired =
      now - (s.lastSeenAt ?? now) > IDLE_TIMEOUT_MS || now - (s.createdAt ?? now) > ABSOLUTE_TIMEOUT_MS;
    if (expired) {
      return s.regenerate((err) => next(err));
    }
    // Touch at most once a minute so reads stay reads.
    if (now - (s.lastSeenAt ?? 0) > 60_000) s.lastSeenAt = now;
    next();
  };
}

/**
 * Deletes every session of a user: disabling or changing a role takes effect at once. `exceptSessionId`
 * keeps the one the change was made from (a password changed on the profile page).
 */
export async function endSessionsOf(db: Connection, userId: string, exceptSessionId?: string): Promise<void> {
  // connect-mongo keys sessions by their id (a string).
  const sessions = db.collection<{ _id: string }>(SESSIONS_COLLECTION);
  const others = exceptSessionId ? { _id: { $ne: exceptSessionId } } : {};
  await sessions.deleteMany({ 'session.user.id': userId, ...others });
  await sessions.deleteMany({ 'session.pending2fa.userId': userId, ...others });
}
