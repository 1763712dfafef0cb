import type { UmbrellaModule } from '../../server/module';
import { awardsRouter } from './routes';
import { extendHome } from '../accounts';
import { awardTasks } from './service';

// Admins see publications to check and tranches to pay on their home page.
extendHome({ tasks: awardTasks });

export const awardsModule: UmbrellaModule = {
  name: 'awards',
  routes: [{ path: '/', router: awardsRouter }],
  nav: [
    { href: '/awards', label: 'awards.nav.awards', roles: ['journalist'] },
    { href: '/admin/awards', label: 'awards.nav.adminAwards', roles: ['admin'] },
  ],
};

export { createAward, splitTranches } from './service';
export type { Award, AwardStatus } from './model';
