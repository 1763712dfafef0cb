import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { authRoutes } from './routes-auth';
import { accountRoutes } from './routes-account';
import { adminUserRoutes } from './routes-admin';
import { recoveryRoutes } from './routes-recovery';

export function accountsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(authRoutes(ctx), accountRoutes(ctx), recoveryRoutes(ctx), adminUserRoutes(ctx));
  return router;
}

export { toSessionUser, usersByIds, findActiveUser, SECOND_FACTOR_ROLES } from './service';
export { userModel, type User } from './model';
export { hostAuthAdapter, linkHostUser, type HostUser } from './host-users';
