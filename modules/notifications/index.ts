import type { UmbrellaModule } from '../../server/module';
import { notificationsRouter } from './routes';
import { outboxJob } from './worker';

export const notificationsModule: UmbrellaModule = {
  name: 'notifications',
  routes: [{ path: '/admin/outbox', router: notificationsRouter }],
  nav: [{ href: '/admin/outbox', label: 'common.nav.outbox', roles: ['admin'] }],
  jobs: [outboxJob],
};

export {
  enqueueEmail,
  emailStatusFor,
  listOutbox,
  retryDeadEmail,
  sendTestEmail,
  type EmailRequest,
  type EmailStatus,
} from './service';
export { sendDueEmails, type WorkerOptions, type WorkerResult } from './worker';
