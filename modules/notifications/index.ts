export {
  enqueueEmail,
  emailStatusFor,
  listOutbox,
  retryDeadEmail,
  sendTestEmail,
  type EmailRequest,
  type EmailStatus,
} from './service';
export { sendDueEmails, outboxJob, type WorkerOptions, type WorkerResult } from './worker';
export { notificationsRouter } from './routes';
