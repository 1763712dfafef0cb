import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { authRoutes } from './routes-auth';
import { accountRoutes } from './routes-account';
import { adminUserRoutes } from './routes-admin';
import { recoveryRoutes } from './routes-recovery';
import { profileData } from './privacy';
import { seedDemoUsers } from './seed';
import { createAdmin } from './cli';
import { usersByIds } from './directory';
import { extendAudit } from '../audit';

// The audit log shows people by name (who acted, and user records), read through the directory.
extendAudit({
  types: ['user'],
  names: async (ctx, _type, ids) => new Map((await usersByIds(ctx, ids)).map((u) => [String(u._id), u.name])),
});

function accountsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(authRoutes(ctx), accountRoutes(ctx), recoveryRoutes(ctx), adminUserRoutes(ctx));
  return router;
}

export const accountsModule: UmbrellaModule = {
  name: 'accounts',
  routes: [{ path: '/', router: accountsRouter }],
  nav: [{ href: '/admin/users', label: 'common.nav.users', roles: ['admin'] }],
  seed: [seedDemoUsers],
  cli: { 'create-admin': createAdmin },
  personalData: [profileData],
};

export { toSessionUser, findActiveUser, SECOND_FACTOR_ROLES } from './service';
export { requireRecentAuth, STEP_UP_WINDOW_MS } from './step-up';
export {
  usersByIds,
  userById,
  activeUsersWithRole,
  reminderRecipients,
  activeJournalistsByEmail,
  emailInUse,
  createLinkedAccount,
  discardUnlinkedAccount,
  followLocale,
  type UserCard,
} from './directory';
export type { User, OutletType, Gender } from './model';
export { OUTLET_TYPES, GENDERS } from './model';
export { statsProfiles, type StatsProfile } from './statistics';
export { hostAuthAdapter, linkHostUser, type HostUser } from './host-users';
export { extendHome, type HomeTask } from './home';
export { DEMO_PASSWORD } from './seed';
export { DELETED_NAME } from './privacy';
