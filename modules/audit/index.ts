export { recordAudit, listAudit, type AuditTarget } from './service';
