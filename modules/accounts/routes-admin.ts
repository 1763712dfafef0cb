import { Router } from 'express';
import type { AppContext } from '../../server/context';

/** Admin user management: list, invite, change role, disable. */
export function adminUserRoutes(_ctx: AppContext): Router {
  const router = Router();
  return router;
}
