import type { UmbrellaModule } from '../../server/module';
import { programmeRouter } from './routes';

/** The programme report a donor reads: training, live sessions, knowledge, grants and publications. */
export const programmeModule: UmbrellaModule = {
  name: 'programme',
  routes: [{ path: '/', router: programmeRouter }],
  nav: [{ href: '/programme', label: 'programme.nav', roles: ['trainer', 'admin'] }],
};
