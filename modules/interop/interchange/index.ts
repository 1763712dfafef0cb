export * from './model';
export { exportMoodleXml, importMoodleXml, isCorrect, keyProblems, type ImportOptions } from './moodle';
export { exportGift, importGift, type GiftExport } from './gift';
export { interchangeRoutes } from './routes';
export { exportQuestions, previewImport, confirmImport } from './service';
export { exportQuestionsCommand, importQuestionsCommand } from './cli';
export { exportCommonCartridge } from './cartridge';
