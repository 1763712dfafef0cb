import path from 'node:path';
import type { Connection } from 'mongoose';
import type { Transporter } from 'nodemailer';
import type { Express, Request } from 'express';
import { hostAuthAdapter, type HostUser } from '../modules/accounts';
import { loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logging';
import { systemClock, type Clock } from './clock';
import { createMailer } from './mail/mailer';
import { createLocalStorage } from './storage/local';
import type { FileStorage } from './storage/storage';
import { hardenConnection } from './db/connect';
import { createApp } from './app';
import type { AuthAdapter } from './auth/current-user';
import type { AppContext } from './context';

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
}

export interface Umbrella {
  app: Express;
  ctx: AppContext;
}

/** Builds the app a host mounts with `host.use('/training', umbrella.app)`. */
export function createUmbrella(options: UmbrellaOptions): Umbrella {
  if (!options.config?.sessionSecret) throw new Error('createUmbrella: config.sessionSecret is required');
  const defaults = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: options.config.sessionSecret });
  const config: Config = { ...defaults, ...options.config };
  hardenConnection(options.connection);
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
    storage: options.storage ?? createLocalStorage(path.resolve(config.uploadsDir)),
  };
  const app = createApp(ctx, {
    viewOverrides: options.viewOverrides,
    auth: options.auth ?? (options.hostUsers ? hostAuthAdapter(ctx, options.hostUsers) : undefined),
    passUnknownErrors: options.passUnknownErrors ?? true,
  });
  return { app, ctx };
}
