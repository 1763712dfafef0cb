export { ltiRoutes } from './routes';
export { ltiJob, queueScores, sendDueScores, sweepExpired, scoresUrl } from './ags';
export { toolJwks } from './keys';
export { ltiPlatformModel, ltiScoreModel, ltiLaunchModel, ltiLinkModel } from './model';
