import type { UmbrellaModule } from '../../server/module';
import { reportsRouter } from './routes';

export const reportsModule: UmbrellaModule = {
  name: 'reports',
  routes: [{ path: '/', router: reportsRouter }],
  nav: [{ href: '/reports', label: 'reports.nav', roles: ['trainer', 'admin'] }],
};

export { completionMatrix, completionRows } from './completion';
export { learningGain, gainRows } from './gain';
export { itemAnalysis } from './items';
export { grantPipeline } from './pipeline';
export { kapShifts, type KapShift } from './kap';
export {
  isoInZone,
  writeCsv,
  downloadHeaders,
  CSV_TYPE,
  formulaSafe,
  type Column,
  type Cell,
} from './export';
export { startPdf } from './pdf';
