import type { UmbrellaModule } from '../../server/module';
import { awardsRouter } from './routes';
import { extendHome } from '../accounts';
import { awardTasks, listAwardTitles } from './service';
import { extendAudit } from '../audit';
import { awardsPersonalData } from './personal-data';

// Admins see publications to check and tranches to pay on their home page.
extendHome({ tasks: awardTasks });
// The audit log names awards by the story's title.
extendAudit({ types: ['award'], names: (ctx, _type, ids) => listAwardTitles(ctx, ids) });

export const awardsModule: UmbrellaModule = {
  name: 'awards',
  routes: [{ path: '/', router: awardsRouter }],
  nav: [
    { href: '/awards', label: 'awards.nav.awards', roles: ['journalist'] },
    { href: '/admin/awards', label: 'awards.nav.adminAwards', roles: ['admin'] },
  ],
  personalData: [awardsPersonalData],
};

export { createAward, splitTranches, myAward, anyAward, releasedAwardsOfCall } from './service';
export type { Award, AwardStatus } from './model';
export { extendAwards, type PublicPiece, type AwardPanel } from './extension';
