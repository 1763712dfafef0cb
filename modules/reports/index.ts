export { reportsRouter } from './routes';
export { completionMatrix, completionRows } from './completion';
export { learningGain, gainRows } from './gain';
export { itemAnalysis } from './items';
export { grantPipeline } from './pipeline';
