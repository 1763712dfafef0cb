import path from 'node:path';
import express, { Router } from 'express';
import session from 'express-session';
import { MongoStore } from 'connect-mongo';
import type { Connection } from 'mongoose';
import type { UmbrellaModule } from '../server/module';

const items = Array.from({ length: 12 }, (_, i) => ({
  title: `Lesson ${i + 1}`,
  href: `/lesson/${i + 1}`,
}));

function bareApp() {
  const app = express();
  app.set('views', path.join(import.meta.dirname, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', true);
  return app;
}

/**
 * The ceiling every page is measured against: a bare Express 5 + EJS page of similar shape (layout,
 * a list, a form), no database, no session.
 */
export function buildCeilingApp() {
  const app = bareApp();
  app.get('/', (_req, res) => res.render('ceiling', { items }));
  return app;
}

/**
 * The same page behind nothing but the session SECURITY.md prescribes (express-session with
 * connect-mongo, one store read per request): the floor under any signed-in page of ours. GET /start
 * opens a session and answers with its cookie.
 */
export function buildSessionFloorApp(db: Connection) {
  const app = bareApp();
  const store = MongoStore.create({
    client: db.getClient(),
    dbName: db.name,
    collectionName: 'bench_floor_sessions',
    stringify: false,
    touchAfter: 60,
  });
  app.use(session({ secret: 'bench-floor-secret', store, resave: false, saveUninitialized: false }));
  app.get('/start', (req, res) => {
    (req.session as unknown as { user: object }).user = { id: 'bench', role: 'trainee' };
    res.send('ok');
  });
  app.get('/', (_req, res) => res.render('ceiling', { items }));
  return app;
}

/**
 * The same page as one more module of the app, first in line: through our whole signed-in stack
 * (request log, security headers, compression, session and its timeouts, CSRF, view locals) but with
 * no work of its own. The distance from the floor to this row is the stack's; from this row to a page
 * of ours, the page's.
 */
export const stackProbeModule: UmbrellaModule = {
  name: 'bench-stack-probe',
  routes: [
    {
      path: '/',
      router: () =>
        Router().get('/bench/ceiling', (_req, res) =>
          res.render(path.join(import.meta.dirname, 'views', 'ceiling.ejs'), { items }),
        ),
    },
  ],
};
