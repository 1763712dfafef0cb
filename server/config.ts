import { z } from 'zod';

/** Every setting the app reads, validated once at start. `.env.example` documents each variable. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  BASE_URL: z.url().optional(),
  MONGODB_URI: z.string().optional(),
  DATA_DIR: z.string().default('data'),
  UPLOADS_DIR: z.string().default('uploads'),
  // Empty (as `.env.example` ships it) means the default.
  STORAGE: z.enum(['local', 'gridfs', '']).optional(),
  SESSION_SECRET: z.string().min(32).optional(),
  SECURE_COOKIES: z.enum(['true', 'false']).optional(),
  TRUST_PROXY: z.string().optional(),
  DEFAULT_LOCALE: z.enum(['en', 'mn']).default('mn'),
  DEFAULT_TIME_ZONE: z.string().default('Asia/Ulaanbaatar'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Umbrella Newsroom <no-reply@umbrella.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRAME_ANCESTORS: z.string().optional(),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(8),
  API_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  COMPRESSION: z.enum(['on', 'off']).default('on'),
  ROLE: z.enum(['web', 'jobs', 'all']).default('all'),
  JOB_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  REPORT_MIN_PEOPLE: z.coerce.number().int().min(1).max(1000).default(5),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  baseUrl: string;
  mongodbUri?: string;
  dataDir: string;
  uploadsDir: string;
  /** Where uploaded files live: 'local' (UPLOADS_DIR, one process) or 'gridfs' (the database, any number). */
  storage: 'local' | 'gridfs';
  sessionSecret: string;
  secureCookies: boolean;
  trustProxy?: string;
  defaultLocale: 'en' | 'mn';
  defaultTimeZone: string;
  smtpUrl?: string;
  mailFrom: string;
  logLevel: string;
  frameAncestors: string[];
  seedDemo: boolean;
  /** Login and password-reset attempts allowed per 15 minutes. */
  loginLimitPerIp: number;
  loginLimitPerAccount: number;
  /** JSON API requests allowed per token (or per address without one) per minute. */
  apiLimitPerMinute: number;
  /** gzip/brotli for responses; off where a proxy in front (or the host app) compresses. */
  compression: boolean;
  /** What `npm start` runs: pages ('web'), background jobs ('jobs') or both ('all'). */
  role: 'web' | 'jobs' | 'all';
  /** How long a scheduled job's lease lasts unrenewed: how soon another process takes over a dead one's. */
  jobLeaseMs: number;
  /** Report figures resting on fewer people than this are suppressed (privacy of small groups). */
  reportMinPeople: number;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // `KEY=` (how .env.example ships optional settings) means "not set": the default applies.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new Error('Invalid configuration:\n  SESSION_SECRET: required in production (32+ characters)');
  }
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    baseUrl,
    mongodbUri: e.MONGODB_URI || undefined,
    dataDir: e.DATA_DIR,
    uploadsDir: e.UPLOADS_DIR,
    storage: e.STORAGE || (e.MONGODB_URI ? 'gridfs' : 'local'),
    sessionSecret: e.SESSION_SECRET ?? 'development-only-secret-change-me-0123456789',
    secureCookies: e.SECURE_COOKIES ? e.SECURE_COOKIES === 'true' : baseUrl.startsWith('https://'),
    trustProxy: e.TRUST_PROXY,
    defaultLocale: e.DEFAULT_LOCALE,
    defaultTimeZone: e.DEFAULT_TIME_ZONE,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    frameAncestors: e.FRAME_ANCESTORS ? e.FRAME_ANCESTORS.split(/\s+/).filter(Boolean) : [],
    seedDemo: e.SEED_DEMO === 'true',
    loginLimitPerIp: e.LOGIN_LIMIT_PER_IP,
    loginLimitPerAccount: e.LOGIN_LIMIT_PER_ACCOUNT,
    apiLimitPerMinute: e.API_LIMIT_PER_MINUTE,
    compression: e.COMPRESSION === 'on',
    role: e.ROLE,
    jobLeaseMs: e.JOB_LEASE_MS,
    reportMinPeople: e.REPORT_MIN_PEOPLE,
  };
}

/**
 * E-mail links and certificate QR codes are built from BASE_URL; without it they point to
 * http://localhost:<port>, which works on the developer's machine and nowhere else. In production
 * that is refused; elsewhere it is a loud warning.
 */
export function baseUrlCheck(env: NodeJS.ProcessEnv): { level: 'ok' | 'warn' | 'refuse'; message?: string } {
  if (env.BASE_URL) return { level: 'ok' };
  const production = env.NODE_ENV === 'production';
  return {
    level: production ? 'refuse' : 'warn',
    message: baseUrlMessage(`BASE_URL`, env.PORT || '3000', production),
  };
}

/** The same check for a host app that mounts us: `config.baseUrl` left out of `createUmbrella`. */
export function pluginBaseUrlCheck(
  given: string | undefined,
  config: Pick<Config, 'env' | 'port'>,
): { level: 'ok' | 'warn' | 'refuse'; message?: string } {
  if (given) return { level: 'ok' };
  const production = config.env === 'production';
  if (config.env === 'test') return { level: 'ok' };
  return {
    level: production ? 'refuse' : 'warn',
    message: baseUrlMessage('createUmbrella: config.baseUrl', String(config.port), production),
  };
}

function baseUrlMessage(name: string, port: string, production: boolean): string {
  const bar = '!'.repeat(78);
  return [
    bar,
    `!! ${name} is not set: e-mail links and certificate QR codes would point to`,
    `!! http://localhost:${port}, which nobody else can open.`,
    production
      ? '!! Refusing to start in production. Set it to the public address, e.g.'
      : '!! Fine on your own machine; set it before anyone else uses this server, e.g.',
    `!!   ${name === 'BASE_URL' ? 'BASE_URL=' : 'baseUrl: '}https://training.example.org`,
    bar,
  ].join('\n');
}
