import session, { type SessionData, type Store } from 'express-session';
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
 * How long a session read from the database is reused by this process. Ending a user's sessions
 * (endSessionsOf), signing out and every session write clear it here at once; another process of the
 * same deployment may serve an ended session for up to this long.
 */
export const SESSION_CACHE_MS = 2_000;
const MAX_CACHED = 10_000;

interface CachedSession {
  at: number;
  sess: SessionData;
}
/** Every store's cache in this process, so endSessionsOf reaches all of them. */
const sessionCaches = new Set<Map<string, CachedSession>>();
/** Bumped by every write or delete: a read that started before one must not fill the cache. */
let sessionEpoch = 0;

function clearCachedSessions(match: (sess: SessionData) => boolean) {
  sessionEpoch++;
  for (const cache of sessionCaches)
    for (const [sid, entry] of cache) if (match(entry.sess)) cache.delete(sid);
}

/** Wraps a store's get with a short per-process cache; set/destroy go through and clear it. */
function cachedStore<S extends Store>(store: S): S {
  const cache = new Map<string, CachedSession>();
  sessionCaches.add(cache);
  const get = store.get.bind(store);
  const set = store.set.bind(store);
  const destroy = store.destroy.bind(store);
  store.get = (sid, cb) => {
    const hit = cache.get(sid);
    const now = performance.now();
    if (hit && now - hit.at < SESSION_CACHE_MS) return cb(null, structuredClone(hit.sess));
    const epoch = sessionEpoch;
    get(sid, (err, sess) => {
      if (err || !sess) cache.delete(sid);
      else if (epoch === sessionEpoch) {
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(sid, { at: now, sess: structuredClone(sess) });
      }
      cb(err, sess);
    });
  };
  store.set = (sid, sess, cb) => {
    sessionEpoch++;
    cache.delete(sid);
    set(sid, sess, (err?: unknown) => {
      sessionEpoch++;
      cache.delete(sid);
      cb?.(err);
    });
  };
  store.destroy = (sid, cb) => {
    sessionEpoch++;
    cache.delete(sid);
    destroy(sid, (err?: unknown) => {
      sessionEpoch++;
      cache.delete(sid);
      cb?.(err);
    });
  };
  return store;
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
    store: cachedStore(store),
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

/** Deletes every session of a user: disabling or changing a role takes effect at once. */
export async function endSessionsOf(db: Connection, userId: string): Promise<void> {
  const theirs = (s: SessionData) => s.user?.id === userId || s.pending2fa?.userId === userId;
  clearCachedSessions(theirs);
  try {
    await db.collection(SESSIONS_COLLECTION).deleteMany({ 'session.user.id': userId });
    await db.collection(SESSIONS_COLLECTION).deleteMany({ 'session.pending2fa.userId': userId });
  } finally {
    // Reads that began before the delete finished may have cached the old rows: drop them too.
    clearCachedSessions(theirs);
  }
}
