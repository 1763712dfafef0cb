import { Router } from 'express';
import type { Connection } from 'mongoose';
import { allow } from '../auth/policy';
import { databaseReachable } from '../db/reachability';

/** /livez: the process runs. /readyz: the database answers, so a load balancer can route here. */
export function healthRoutes(db: Connection): Router {
  const reachable = databaseReachable(db);
  const router = Router();
  router.get('/livez', allow.anyone, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', allow.anyone, async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      if (!reachable() || !db.db) throw new Error('not connected');
      await db.db.admin().ping({ timeoutMS: 1000 });
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  return router;
}
