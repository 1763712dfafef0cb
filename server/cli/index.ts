/**
 * Command-line tasks: `npm run cli -- <command> [options]`. Each command connects the same way the
 * server does (MONGODB_URI, or the embedded database under DATA_DIR).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { connectDatabase } from '../db/connect';
import { startEmbeddedMongo } from '../db/embedded';
import { createUmbrella } from '../plugin';
import { projectRoot } from '../paths';
import type { AppContext } from '../context';
import { seedIfEmpty } from './seed';
import { backupCommand, restoreCommand, verifyCommand } from './backup';

export type Command = (ctx: AppContext, args: string[]) => Promise<void>;

/** Add a command with one line here; its code lives in its own file. */
const commands: Record<string, Command> = {
  seed: async (ctx) => {
    const printed = await seedIfEmpty(ctx);
    console.log(printed ?? 'Database already has users: seed steps ran, no demo users added.');
  },
  backup: backupCommand,
  restore: restoreCommand,
  'verify-files': verifyCommand,
  'import-course': async (ctx, args) => (await import('./import-course')).importCourseCommand(ctx, args),
  'create-admin': async (ctx, args) => (await import('./create-admin')).createAdmin(ctx, args),
  'export-course': async (ctx, args) =>
    (await import('../../modules/interop/archive')).exportCourseCommand(ctx, args),
  'import-course-archive': async (ctx, args) =>
    (await import('../../modules/interop/archive')).importCourseArchiveCommand(ctx, args),
};

async function run(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(`Usage: npm run cli -- <${Object.keys(commands).join('|')}> [options]`);
    process.exit(2);
  }
  const envFile = path.join(projectRoot, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const embedded = config.mongodbUri
    ? undefined
    : await startEmbeddedMongo({ backend: 'h2', dataDir: path.resolve(projectRoot, config.dataDir), log });
  const db = await connectDatabase(
    config.mongodbUri ?? embedded!.uri,
    config.mongodbUri ? undefined : 'umbrella',
  );
  try {
    const { ctx } = createUmbrella({ connection: db, config, logger: log, passUnknownErrors: false });
    await command(ctx, args);
  } finally {
    await db.close();
    await embedded?.stop();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
