import path from 'node:path';
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { AppContext } from './context';
import { cspNonce, noStore, sameOriginOnly, securityHeaders } from './http/security';
import { errorHandler, notFoundHandler, Unavailable } from './http/errors';
import { methodNotAllowed } from './http/methods';
import { requestLogSerializers } from './http/log-redact';
import { bodyTypes } from './http/body';
import { mountBase, viewLocals } from './http/locals';
import { healthRoutes } from './http/health';
import { staticAssets } from './http/assets';
import { compress, compressWholeBodies } from './http/compression';
import { databaseReachable } from './db/reachability';
import { sessionMiddleware, sessionTimeouts } from './auth/session';
import { csrf } from './auth/csrf';
import { currentUser, sessionAuth, type AuthAdapter } from './auth/current-user';
import type { UmbrellaModule } from './module';

import { viewsDir as ourViews } from './paths';

export interface AppOptions {
  /** Folders searched before ours, so a host can replace single templates. */
  viewOverrides?: string[];
  /** Host's users mapped to ours; default: built-in accounts in the session. */
  auth?: AuthAdapter;
  /** Mounted in a host: errors we do not recognise go up to the host's handler. */
  passUnknownErrors?: boolean;
}

/** The Umbrella sub-app. Mount it anywhere: links and redirects are built from req.baseUrl. */
export function createApp(
  ctx: AppContext,
  modules: readonly UmbrellaModule[],
  options: AppOptions = {},
): Express {
  const crossSitePaths = modules.flatMap((m) => m.crossSitePaths ?? []);
  const isCrossSiteAllowed = (p: string) => crossSitePaths.some((prefix) => p.startsWith(prefix));
  const nav = modules.flatMap((m) => m.nav ?? []);
  const app = express();
  app.disable('x-powered-by');
  // Pages are no-store, so a validator is never used; static assets keep their own.
  app.set('etag', false);
  app.set('views', [...(options.viewOverrides ?? []), ourViews]);
  app.set('view engine', 'ejs');
  app.set('view cache', ctx.config.env !== 'development');
  if (ctx.config.trustProxy) app.set('trust proxy', ctx.config.trustProxy);

  app.use(
    pinoHttp({
      logger: ctx.log,
      // Every log line carries an id; a response shows it only when it is an error (bytes on every page
      // otherwise, on phones over slow links).
      genReqId: () => randomUUID(),
      autoLogging: ctx.config.env !== 'test',
      quietReqLogger: true,
      // Reset, invitation and hand-off links, CSRF tokens: never written with the URL.
      serializers: requestLogSerializers,
    }),
  );
  app.use(mountBase, cspNonce, securityHeaders(ctx.config.frameAncestors));
  app.use(compress(ctx.config.compression));
  app.use(staticAssets(path.join(ourViews, 'assets'), { watch: ctx.config.env === 'development' }));
  const reachable = databaseReachable(ctx.db);
  app.use(healthRoutes(ctx.db));
  // Fail at once while the database is down, instead of waiting out server selection.
  app.use((_req, _res, next) => next(reachable() ? undefined : new Unavailable()));

  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 300 }));
  app.use(express.json({ limit: '200kb' }));
  app.use(bodyTypes);
  app.use(sessionMiddleware(ctx.config, ctx.db), sessionTimeouts(ctx.clock));
  app.use(compressWholeBodies(ctx.config.compression));
  app.use(currentUser(options.auth ?? sessionAuth), viewLocals(ctx.config, nav), noStore);

  const trusted = [new URL(ctx.config.baseUrl).origin];
  app.use(sameOriginOnly(trusted, isCrossSiteAllowed));
  const { protect, expose } = csrf(isCrossSiteAllowed);
  app.use(protect, expose);

  for (const { path: mount, router } of modules.flatMap((m) => m.routes ?? [])) app.use(mount, router(ctx));

  app.use(methodNotAllowed(app), notFoundHandler);
  app.use(errorHandler(ctx.log, options.passUnknownErrors ?? false));
  return app;
}
