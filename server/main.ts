import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { baseUrlCheck, loadConfig } from './config';
import { createLogger } from './logging';
import { connectDatabase } from './db/connect';
import { startEmbeddedMongo, type EmbeddedMongo } from './db/embedded';
import { createUmbrella, seedModules } from './plugin';
import { projectRoot } from './paths';
import { healthRoutes } from './http/health';

/**
 * The standalone server: the only place that reads the environment and listens. ROLE=web serves pages
 * only, ROLE=jobs runs the background jobs (and answers /livez and /readyz only), ROLE=all does both.
 */
async function main(): Promise<void> {
  const envFile = path.join(projectRoot, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const baseUrl = baseUrlCheck(process.env);
  if (baseUrl.level === 'refuse') throw new Error(baseUrl.message);
  if (baseUrl.level === 'warn' && config.env !== 'test') {
    console.warn(baseUrl.message);
    log.warn({ baseUrl: config.baseUrl }, 'BASE_URL is not set: links point to localhost');
  }

  let embedded: EmbeddedMongo | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedMongo({
      backend: 'h2',
      dataDir: path.resolve(projectRoot, config.dataDir),
      log,
    });
    uri = embedded.uri;
    log.info({ kind: embedded.kind }, 'embedded database started (set MONGODB_URI to use your own MongoDB)');
  }
  const db = await connectDatabase(uri, config.mongodbUri ? undefined : 'umbrella');
  const umbrella = createUmbrella({
    connection: db,
    config,
    logger: log,
    passUnknownErrors: false,
    jobs: 'none',
  });
  const { ctx } = umbrella;
  const demo = config.seedDemo && config.role !== 'jobs' ? await seedModules(ctx) : undefined;
  if (config.role !== 'web') umbrella.start();
  // A jobs-only process still answers the load balancer's or orchestrator's health checks.
  const app = config.role === 'jobs' ? express().use(healthRoutes(db)) : umbrella.app;

  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`;
    console.log(
      config.role === 'jobs'
        ? `\nUmbrella Newsroom background jobs are running (health checks at ${where}livez)`
        : `\nUmbrella Newsroom is running at ${where}${config.role === 'web' ? ' (web only, no background jobs)' : ''}`,
    );
    if (demo) console.log(demo);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // A keep-alive connection turns idle when its last response ends: close it then, rather than
    // waiting out keepAliveTimeout (which held shutdown ~5 s after the last in-flight request).
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    await closed;
    clearInterval(idle);
    clearTimeout(force);
    await umbrella.stop();
    await db.close();
    await embedded?.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
