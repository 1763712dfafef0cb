import { Router } from 'express';
import type { AppContext } from '../../server/context';
import { adminCallRoutes } from './routes-admin';
import { grantsRoutes } from './routes-grants';

export function grantsRouter(ctx: AppContext): Router {
  const router = Router();
  router.use(adminCallRoutes(ctx), grantsRoutes(ctx));
  return router;
}

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
} from './model';
export { getCall, listCalls, openCalls, transitionCall, acceptingPitches, createCall } from './service-calls';
export { pitchesForCall, getPitch, transitionPitch, applicantOf } from './service-pitches';
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
export { closeCallsJob, closeExpiredCalls } from './jobs';
