import type { UmbrellaModule } from '../../server/module';
import type { AppContext } from '../../server/context';
import { impactRouter } from './routes';
import { awardPanel, publicPieces, recheckLinks } from './service';
import { extendAwards } from '../awards';
import { impactPersonalData } from './personal-data';

// Award pages link to the pieces (with a dead-link warning); the public page lists consented pieces.
extendAwards({ publicPieces, awardPanel });

export const impactModule: UmbrellaModule = {
  name: 'impact',
  routes: [{ path: '/', router: impactRouter }],
  nav: [{ href: '/admin/impact', label: 'impact.nav.admin', roles: ['admin'] }],
  // Published links are opened again daily: a piece taken down or moved shows as a dead link.
  personalData: [impactPersonalData],
  jobs: [{ name: 'impact.recheckLinks', intervalMs: 3600_000, run: (ctx: AppContext) => recheckLinks(ctx) }],
};

export { impactSettings } from './service';
export { checkLink, isPrivateAddress } from './link-check';
export { impactSummary, type ImpactSummary } from './summary';
export { piecesInPeriod, type PeriodPiece } from './period';
