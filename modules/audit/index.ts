import type { UmbrellaModule } from '../../server/module';
import { auditRouter } from './routes';

export const auditModule: UmbrellaModule = {
  name: 'audit',
  routes: [{ path: '/admin/audit', router: auditRouter }],
  nav: [{ href: '/admin/audit', label: 'audit.nav', roles: ['admin'] }],
};

export { recordAudit, listAudit, type AuditTarget, type AuditQuery } from './service';
export { extendAudit, type AuditNamer } from './names';
