/**
 * Scale-out row (issue 17): the lesson page served by two web processes (`ROLE=web`, the real server in
 * child processes) behind the tests' round-robin proxy, as a ratio to one process behind the same proxy,
 * measured in the same run on one database (embedded, memory backend). On a machine with few cores the
 * proxy, the load generator, the database and the processes share them: read the ratio with that in mind.
 *
 * `node --import tsx bench/scale-out.ts` runs it alone; `npm run bench` runs it last.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashPassword } from '../server/auth/passwords';
import { startEmbeddedMongo } from '../server/db/embedded';
import { connectDatabase } from '../server/db/connect';
import { createUmbrella } from '../server/plugin';
import { seedCourses } from '../modules/learning/jobs';
import { userModel } from '../modules/accounts/model';
import { startProxy, startServerProcess, type Proxy, type ServerProcess } from '../test/scale/support';
import { measure, printRows, type LoadOptions, type Row } from './measure';
import { signInCookie } from './page-weight';

const SECRET = 'bench-scale-secret-0123456789-0123456789';
const PASSWORD = 'bench-password-0123';

export interface ScaleOutResult {
  one: Row;
  two: Row;
  /** Requests per second of two processes over one. */
  ratio: number;
}

export async function runScaleOut(
  load: LoadOptions = { connections: 50, duration: 10, warmup: 3 },
): Promise<ScaleOutResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'umbrella-scale-'));
  const mongo = await startEmbeddedMongo({ backend: 'memory', dataDir: path.join(dataDir, 'db') });
  const db = await connectDatabase(mongo.uri, 'umbrella_scale');
  const processes: ServerProcess[] = [];
  const proxies: Proxy[] = [];
  try {
    const { ctx } = createUmbrella({
      connection: db,
      jobs: 'none',
      config: {
        env: 'production',
        sessionSecret: SECRET,
        logLevel: 'silent',
        baseUrl: 'http://localhost:3000',
      },
    });
    await seedCourses(ctx);
    const email = 'bench-trainee@example.org';
    await userModel(db).create({
      email,
      name: 'Bench Trainee',
      passwordHash: await hashPassword(PASSWORD),
      role: 'journalist',
      status: 'active',
      locale: 'en',
    });
    const course = await db.collection('courses').findOne({ status: 'published' });
    const lesson = await db.collection('lessons').findOne({ courseId: course!._id, status: 'published' });
    const lessonPath = `/learn/${String(course!.slug)}/${String(lesson!.slug)}`;

    const env = { NODE_ENV: 'production', BASE_URL: 'http://localhost:3000', COMPRESSION: 'off' };
    const uri = `${mongo.uri}/umbrella_scale`;
    processes.push(
      ...(await Promise.all([startServerProcess('web', uri, env), startServerProcess('web', uri, env)])),
    );
    const one = await startProxy([processes[0]!.url]);
    const two = await startProxy(processes.map((p) => p.url));
    proxies.push(one, two);
    const cookie = await signInCookie(two.url, email, PASSWORD);
    const target = { path: lessonPath, headers: { cookie } };

    const rows = [
      await measure('lesson page, one process behind the proxy', one.url, target, load),
      await measure('lesson page, two processes behind the proxy', two.url, target, load),
    ];
    const result: ScaleOutResult = {
      one: rows[0]!,
      two: rows[1]!,
      ratio: Math.round((rows[1]!.rps / Math.max(1, rows[0]!.rps)) * 100) / 100,
    };
    printRows(rows, rows[0]!.rps, rows[0]!.rps);
    console.log(`two processes / one process: ${result.ratio}× (on ${os.cpus().length} cores)`);
    const out = path.join(import.meta.dirname, 'results', 'scale-out.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, load, ...result }, null, 2),
    );
    return result;
  } finally {
    await Promise.allSettled(proxies.map((p) => p.close()));
    await Promise.allSettled(processes.map((p) => p.kill('SIGTERM')));
    await db.close();
    await mongo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runScaleOut().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
