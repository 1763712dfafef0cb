export { enqueueEmail, type EmailRequest } from './service';
