import type { Connection } from 'mongoose';
import type { Transporter } from 'nodemailer';
import type { Express, Request } from 'express';
import { hostAuthAdapter, type HostUser } from '../modules/accounts';
import { loadConfig, pluginBaseUrlCheck, type Config } from './config';
import { createLogger, type Logger } from './logging';
import { systemClock, type Clock } from './clock';
import { createMailer } from './mail/mailer';
import { createStorage } from './storage/create';
import type { FileStorage } from './storage/storage';
import { createApp } from './app';
import type { AuthAdapter } from './auth/current-user';
import type { AppContext } from './context';
import { startBackgroundJobs, type RunningJobs } from './jobs';
import { umbrellaModules } from './modules';

export interface UmbrellaOptions {
  /** A mongoose connection of the host's (not the global mongoose): our models register on it. */
  connection: Connection;
  /** Settings; anything omitted takes the same default as the standalone server. */
  config?: Partial<Config>;
  mailTransport?: Transporter;
  storage?: FileStorage;
  logger?: Logger;
  clock?: Clock;
  /** A custom way to find the request's user (advanced); most hosts use `hostUsers`. */
  auth?: AuthAdapter;
  /** The host signs users in: map its `req.user` to ours; accounts are linked or created on first use. */
  hostUsers?: (req: Request) => HostUser | undefined;
  viewOverrides?: string[];
  /** Errors we do not recognise go up to the host's handler (default); the standalone server renders them. */
  passUnknownErrors?: boolean;
  /**
   * Background work — sending e-mail from the outbox, reminders, closing calls and timed quizzes at
   * their deadline, LTI scores and xAPI statements. 'run' (the default) starts it with the app; 'none'
   * leaves it to another process of yours that calls `start()` (run it in at least one process).
   */
  jobs?: 'run' | 'none';
}

export interface Umbrella {
  app: Express;
  ctx: AppContext;
  /** Starts the background work (idempotent); done for you unless `jobs: 'none'`. */
  start(): void;
  /** Stops the background work and waits for runs in flight. Call it when the host shuts down. */
  stop(): Promise<void>;
}

/** Builds the app a host mounts with `host.use('/training', umbrella.app)`. */
export function createUmbrella(options: UmbrellaOptions): Umbrella {
  if (!options.config?.sessionSecret) throw new Error('createUmbrella: config.sessionSecret is required');
  const defaults = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: options.config.sessionSecret });
  const config: Config = { ...defaults, ...options.config };
  // Links in e-mails and certificate QR codes are built from baseUrl: a host must say where we live.
  const baseUrl = pluginBaseUrlCheck(options.config.baseUrl, config);
  if (baseUrl.level === 'refuse') throw new Error(baseUrl.message);
  const ctx: AppContext = {
    config,
    db: options.connection,
    log: options.logger ?? createLogger(config.logLevel),
    clock: options.clock ?? systemClock,
    mailer: createMailer({
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      transport: options.mailTransport,
    }),
    storage:
      options.storage ??
      createStorage(config.storage, { uploadsDir: config.uploadsDir, connection: options.connection }),
    personalData: umbrellaModules.flatMap((m) => m.personalData ?? []),
  };
  if (baseUrl.level === 'warn') {
    console.warn(baseUrl.message);
    ctx.log.warn({ baseUrl: config.baseUrl }, 'config.baseUrl is not set: links point to localhost');
  }
  const app = createApp(ctx, umbrellaModules, {
    viewOverrides: options.viewOverrides,
    auth: options.auth ?? (options.hostUsers ? hostAuthAdapter(ctx, options.hostUsers) : undefined),
    passUnknownErrors: options.passUnknownErrors ?? true,
  });

  let running: RunningJobs | undefined;
  const start = () => {
    running ??= startBackgroundJobs(
      ctx,
      umbrellaModules.flatMap((m) => m.jobs ?? []),
    );
  };
  const stop = async () => {
    const jobs = running;
    running = undefined;
    await jobs?.stop();
  };
  if ((options.jobs ?? 'run') === 'run') start();
  return { app, ctx, start, stop };
}

/** Runs every module's seed steps in order; returns what they ask to print (e.g. demo logins). */
export async function seedModules(ctx: AppContext): Promise<string | undefined> {
  const printed: string[] = [];
  for (const step of umbrellaModules.flatMap((m) => m.seed ?? [])) {
    const text = await step(ctx);
    if (text) printed.push(text);
  }
  return printed.length ? printed.join('\n') : undefined;
}
