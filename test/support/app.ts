import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella } from '../../server/plugin';
import type { Config } from '../../server/config';
import { fixedClock, type Clock } from '../../server/clock';
import type { AppContext } from '../../server/context';
import type { Express } from 'express';

export interface TestApp {
  app: Express;
  ctx: AppContext;
  uploadsDir: string;
  close(): Promise<void>;
}

export const TEST_SECRET = 'test-secret-0123456789-0123456789-abcdef';

/** The real app, built through the same factory a host uses, on a fresh database of its own. */
export async function buildTestApp(
  options: { config?: Partial<Config>; clock?: Clock; mailTransport?: Transporter } = {},
): Promise<TestApp> {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is not set: run tests with `npm test` or `tsx test/run.ts`');
  const db = await connectDatabase(uri, `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`);
  const uploadsDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-uploads-'));
  const close = async () => {
    await db.dropDatabase().catch(() => undefined);
    await db.close();
    rmSync(uploadsDir, { recursive: true, force: true });
  };
  try {
    const { app, ctx } = createUmbrella({
      connection: db,
      clock: options.clock,
      mailTransport: options.mailTransport,
      passUnknownErrors: false,
      // Tests run the jobs they are about themselves, at the moment they choose.
      jobs: 'none',
      config: {
        env: 'test',
        sessionSecret: TEST_SECRET,
        secureCookies: false,
        baseUrl: 'http://127.0.0.1:3000',
        logLevel: 'silent',
        uploadsDir,
        loginLimitPerIp: 10_000,
        loginLimitPerAccount: 10_000,
        ...options.config,
      },
    });
    return { app, ctx, uploadsDir, close };
  } catch (err) {
    // An open connection would keep the test process alive after the failure.
    await close().catch(() => undefined);
    throw err;
  }
}

export { fixedClock };
