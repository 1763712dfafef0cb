export { recordAudit, listAudit, type AuditTarget, type AuditQuery } from './service';
export { auditRouter } from './routes';
