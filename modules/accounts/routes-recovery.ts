import { Router } from 'express';
import type { AppContext } from '../../server/context';

/** Forgotten password and invitation acceptance. */
export function recoveryRoutes(_ctx: AppContext): Router {
  const router = Router();
  return router;
}
