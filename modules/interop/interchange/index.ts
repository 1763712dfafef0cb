export * from './model';
export { exportMoodleXml, importMoodleXml, isCorrect, keyProblems, type ImportOptions } from './moodle';
export { exportGift, importGift, type GiftExport } from './gift';
