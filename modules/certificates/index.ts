import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { holderRoutes } from './routes-holder';
import { verifyRoutes } from './routes-verify';
import { trainerRoutes } from './routes-trainer';
import { issueCertificate } from './service';
import { extendLearning } from '../learning';
import { certificatesPersonalData } from './personal-data';

extendLearning({ onCourseCompleted: issueCertificate });

function certificatesRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(holderRoutes(ctx), verifyRoutes(ctx), trainerRoutes(ctx));
  return router;
}

export const certificatesModule: UmbrellaModule = {
  name: 'certificates',
  routes: [{ path: '/', router: certificatesRouter }],
  nav: [
    { href: '/certificates', label: 'certificates.nav.mine', roles: ['journalist'] },
    { href: '/trainer/certificates', label: 'certificates.nav.manage', roles: ['trainer', 'admin'] },
  ],
  personalData: [certificatesPersonalData],
};

export { issueCertificate, certificatesOf, certificateByCode } from './service';
export { VERIFY_LIMIT_PER_MINUTE } from './routes-verify';
export type { Certificate } from './model';
