import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { holderRoutes } from './routes-holder';
import { verifyRoutes } from './routes-verify';
import { trainerRoutes } from './routes-trainer';

export function certificatesRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(holderRoutes(ctx), verifyRoutes(ctx), trainerRoutes(ctx));
  return router;
}

export { issueCertificate, certificatesOf, certificateByCode } from './service';
export { VERIFY_LIMIT_PER_MINUTE } from './routes-verify';
export type { Certificate } from './model';
