import { Router } from 'express';
import type { AppContext } from '../../server/context';
import type { UmbrellaModule } from '../../server/module';
import { adminCallRoutes } from './routes-admin';
import { grantsRoutes } from './routes-grants';
import { receiptRoutes } from './routes-receipt';
import { closeCallsJob } from './jobs';
import { seedDemoCall } from './seed';
import { extendAudit } from '../audit';
import { callsByIds, pitchesByIds } from './service-budget';
import { oid } from '../../server/db/ids';
import { grantsPersonalData } from './personal-data';

// The audit log names pitches and calls by their titles.
extendAudit({
  types: ['pitch', 'call'],
  async names(ctx, type, ids) {
    const list =
      type === 'pitch'
        ? (await pitchesByIds(ctx, ids.map(oid))).map((p) => [String(p._id), p.title] as const)
        : (await callsByIds(ctx, ids.map(oid))).map(
            (c) => [String(c._id), c.title?.en || c.title?.mn || ''] as const,
          );
    return new Map(list);
  },
});

function grantsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(adminCallRoutes(ctx), receiptRoutes(ctx), grantsRoutes(ctx));
  return router;
}

export const grantsModule: UmbrellaModule = {
  name: 'grants',
  routes: [{ path: '/', router: grantsRouter }],
  nav: [
    { href: '/grants', label: 'grants.nav.grants', roles: ['journalist'] },
    { href: '/admin/calls', label: 'grants.nav.calls', roles: ['admin'] },
  ],
  jobs: [closeCallsJob],
  seed: [seedDemoCall],
  personalData: [grantsPersonalData],
};

export {
  type Call,
  type CallStatus,
  type Pitch,
  type PitchStatus,
  type StoredFileRecord as StoredFile,
  type FileKind,
  type RubricCriterion,
  type Theme,
  type Bilingual,
  PITCH_STATUSES,
  DECIDED_STATUSES,
} from './model';
export {
  getCall,
  listCalls,
  openCalls,
  transitionCall,
  acceptingPitches,
  createCall,
  updateCall,
} from './service-calls';
export { callForm, type CallForm } from './schemas';
export {
  pitchesForCall,
  getPitch,
  transitionPitch,
  applicantOf,
  applicantDecision,
  recordCommentsToApplicant,
} from './service-pitches';
export { pitchesFinal } from './service-freeze';
export { applicantStatus } from './present';
export { storedFilesOfPitch, streamStoredFile, attachmentHeader } from './service-files';
export { localToUtc, utcToLocalInput, zoneOffsetMs, formatInZone } from './time';
export { defaultRubric } from './defaults';
export {
  reserveBudget,
  releaseBudget,
  markDecisionsReleased,
  callsByIds,
  pitchesByIds,
} from './service-budget';
export { closeExpiredCalls } from './jobs';
export { callsInPeriod, type PeriodCall, type PeriodPitch } from './period';
