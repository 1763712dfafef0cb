export { ltiRoutes } from './routes';
export { ltiJob } from './jobs';
export { syncRosters } from './roster';
export { queueScores, sendDueScores, sweepExpired, scoresUrl } from './ags';
export { toolJwks } from './keys';
export { ltiPlatformModel, ltiScoreModel, ltiLaunchModel, ltiLinkModel } from './model';
