/**
 * An existing Express app that mounts Umbrella Newsroom under /training.
 * Run: MONGODB_URI=mongodb://127.0.0.1:27017/host npx tsx examples/host-app.ts
 */
import express from 'express';
import mongoose from 'mongoose';
import { createUmbrella } from '../server/plugin';
import type { Config } from '../server/config';

export interface HostAppOptions {
  /** The public address of the mounted app (origin + /training); must match where it is served. */
  baseUrl?: string;
  /** Further settings passed through to the plugin. */
  config?: Partial<Config>;
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
  const umbrella = createUmbrella({
    connection,
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('Set MONGODB_URI to a MongoDB the host app owns.');
  const connection = await mongoose.createConnection(uri).asPromise();
  const { host } = await buildHostApp(
    connection,
    process.env.SESSION_SECRET ?? 'host-example-secret-0123456789abcdef',
  );
  host.listen(4000, () => console.log('Host app on http://localhost:4000/ — Umbrella under /training/'));
}
