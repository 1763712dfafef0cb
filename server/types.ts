import 'express-session';

export type Role = 'journalist' | 'reviewer' | 'trainer' | 'admin';
export const ROLES: readonly Role[] = ['journalist', 'reviewer', 'trainer', 'admin'];
export type Locale = 'en' | 'mn';
export const LOCALES: readonly Locale[] = ['en', 'mn'];

/** What a request knows about its signed-in user: a small snapshot kept in the session. */
export interface SessionUser {
  id: string;
  role: Role;
  name: string;
  email: string;
  locale?: Locale;
  timeZone?: string;
}

declare module 'express-session' {
  interface SessionData {
    user?: SessionUser;
    userId?: string;
    /** Password accepted, second factor still to come. */
    pending2fa?: { userId: string; next?: string };
    lang?: Locale;
    createdAt?: number;
    lastSeenAt?: number;
    /** When the signed-in user last confirmed their password or a TOTP code for a sensitive change. */
    stepUp?: { userId: string; at: number };
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: SessionUser;
  }
}
