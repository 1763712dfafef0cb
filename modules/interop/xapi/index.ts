export { xapiRoutes } from './routes';
export { xapiJob, queueStatements, sendDueStatements } from './service';
export { xapiStatementModel } from './model';
