import path from 'node:path';

/** Project folders, resolved once from this file's location (works under tsx and compiled). */
export const projectRoot = path.resolve(import.meta.dirname, '..');
export const viewsDir = path.join(projectRoot, 'views');
export const contentDir = path.join(projectRoot, 'content');
