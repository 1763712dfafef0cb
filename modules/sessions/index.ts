import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { extendLearning } from '../learning';
import { attendRoutes } from './routes-attend';
import { manageRoutes } from './routes-manage';
import { sessionReminderJob } from './reminders';
import { attendanceBlockers } from './service-attend';
import { sessionsPanel } from './panel';
import { sessionsPersonalData } from './personal-data';
import { seedDemoSession } from './seed';

/** Live sessions plug into learning: a panel on the course page and an attendance rule for completion. */
extendLearning({ completionBlockers: attendanceBlockers, coursePanels: sessionsPanel });

function sessionsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(attendRoutes(ctx), manageRoutes(ctx));
  return router;
}

export const sessionsModule: UmbrellaModule = {
  name: 'sessions',
  routes: [{ path: '/', router: sessionsRouter }],
  nav: [{ href: '/trainer/sessions', label: 'sessions.nav.manage', roles: ['trainer', 'admin'] }],
  jobs: [sessionReminderJob],
  seed: [seedDemoSession],
  personalData: [sessionsPersonalData],
};

export { sendSessionReminders } from './reminders';
export { attendedCount } from './service-attend';
export { sessionsInPeriod, courseTimeZone, type PeriodSession } from './period';
