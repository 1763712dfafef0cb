import path from 'node:path';
import express from 'express';

/**
 * The ceiling every page is measured against: a bare Express 5 + EJS page of similar shape (layout,
 * a list, a form), no database, no session.
 */
export function buildCeilingApp() {
  const app = express();
  app.set('views', path.join(import.meta.dirname, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', true);
  const items = Array.from({ length: 12 }, (_, i) => ({
    title: `Lesson ${i + 1}`,
    href: `/lesson/${i + 1}`,
  }));
  app.get('/', (_req, res) => res.render('ceiling', { items }));
  return app;
}
