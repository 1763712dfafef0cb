export { archiveRoutes } from './routes';
export { exportCourseArchive, importCourseArchive } from './archive';
export { exportCourseCommand, importCourseArchiveCommand } from './cli';
