export { awardsRouter } from './routes';
export { createAward, splitTranches } from './service';
export type { Award, AwardStatus } from './model';
