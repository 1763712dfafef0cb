import type { UmbrellaModule } from './module';
import { accountsModule } from '../modules/accounts';
import { learningModule } from '../modules/learning';
import { quizzesModule } from '../modules/quizzes';
import { notificationsModule } from '../modules/notifications';
import { auditModule } from '../modules/audit';
import { certificatesModule } from '../modules/certificates';
import { reportsModule } from '../modules/reports';
import { grantsModule } from '../modules/grants';
import { reviewsModule } from '../modules/reviews';
import { awardsModule } from '../modules/awards';
import { interopModule } from '../modules/interop';
import { sessionsModule } from '../modules/sessions';
import { impactModule } from '../modules/impact';
import { programmeModule } from '../modules/programme';

/**
 * Every feature module, in the order their routes are mounted and their menu entries shown.
 * Adding a module is one line here; its index.ts describes the rest.
 */
export const umbrellaModules: readonly UmbrellaModule[] = [
  learningModule,
  accountsModule,
  quizzesModule,
  notificationsModule,
  auditModule,
  certificatesModule,
  sessionsModule,
  reportsModule,
  grantsModule,
  reviewsModule,
  awardsModule,
  impactModule,
  programmeModule,
  interopModule,
];
