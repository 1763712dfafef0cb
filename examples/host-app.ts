/**
 * An existing Express app that mounts Umbrella Newsroom under /training.
 *
 *   npx tsx examples/host-app.ts
 *
 * With no settings it starts the embedded database (data in data/host-example) and serves
 * http://localhost:4000/. It reads PORT, MONGODB_URI (a MongoDB the host owns) and SMTP_URL (where
 * e-mail goes; without it, messages are printed in the log and kept in the outbox).
 */
import path from 'node:path';
import express from 'express';
import mongoose from 'mongoose';
import { createUmbrella, seedModules, type UmbrellaOptions } from '../server/plugin';
import { startEmbeddedMongo } from '../server/db/embedded';
import { projectRoot } from '../server/paths';
import type { Config } from '../server/config';

export interface HostAppOptions {
  /** The public address of the mounted app (origin + /training); must match where it is served. */
  baseUrl?: string;
  /** Further settings passed through to the plugin. */
  config?: Partial<Config>;
  /** Background work: run in this process (default) or not. */
  jobs?: UmbrellaOptions['jobs'];
}

export async function buildHostApp(
  connection: mongoose.Connection,
  sessionSecret: string,
  options: HostAppOptions = {},
) {
  const host = express();
  host.get('/', (_req, res) => {
    res
      .type('html')
      .send('<!doctype html><html lang="en"><title>Host</title><a href="/training/">Training</a></html>');
  });
  // Sending e-mail, reminders, deadlines, LTI scores and xAPI run in the background from here on;
  // call umbrella.stop() when the host shuts down.
  const umbrella = createUmbrella({
    connection,
    jobs: options.jobs,
    config: {
      sessionSecret,
      baseUrl: options.baseUrl ?? 'http://localhost:4000/training',
      secureCookies: false,
      env: 'development',
      ...options.config,
    },
  });
  host.use('/training', umbrella.app);
  // Errors the plugin does not recognise reach the host's own handler.
  host.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    console.error(err);
    res.status(500).send('Host error page');
  });
  return { host, umbrella };
}

async function main() {
  const port = Number(process.env.PORT ?? 4000);
  const embedded = process.env.MONGODB_URI
    ? undefined
    : await startEmbeddedMongo({ backend: 'h2', dataDir: path.join(projectRoot, 'data', 'host-example') });
  const uri = process.env.MONGODB_URI ?? `${embedded!.uri.replace(/\/$/, '')}/host`;
  const connection = await mongoose.createConnection(uri).asPromise();
  const { host, umbrella } = await buildHostApp(
    connection,
    process.env.SESSION_SECRET ?? 'host-example-secret-0123456789abcdef',
    {
      baseUrl: `http://localhost:${port}/training`,
      config: { smtpUrl: process.env.SMTP_URL || undefined },
    },
  );
  // A first look: the shipped course and, on an empty database, demo accounts (printed once).
  const demo = await seedModules(umbrella.ctx);
  const server = host.listen(port, () => {
    console.log(`Host app on http://localhost:${port}/ — Umbrella Newsroom under /training/`);
    if (demo) console.log(demo);
  });
  const shutdown = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await umbrella.stop();
    await connection.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
