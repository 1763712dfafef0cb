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
import { createUmbrella, seedModules } from '../plugin';
import { umbrellaModules } from '../modules';
import { projectRoot } from '../paths';
import type { CliCommand } from '../module';
import { backupCommand, restoreCommand } from './backup';
import { moveCommand, verifyCommand } from './files';

/** The operator's commands here; each module adds its own in its descriptor (`cli`). */
const commands: Record<string, CliCommand> = {
  seed: async (ctx) => {
    const printed = await seedModules(ctx);
    console.log(printed ?? 'Database already has users: seed steps ran, no demo users added.');
  },
  backup: backupCommand,
  restore: restoreCommand,
  'verify-files': verifyCommand,
  'move-files': moveCommand,
  ...Object.assign({}, ...umbrellaModules.map((m) => m.cli ?? {})),
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
    const { ctx } = createUmbrella({
      connection: db,
      config,
      logger: log,
      passUnknownErrors: false,
      jobs: 'none',
    });
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
