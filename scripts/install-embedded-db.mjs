#!/usr/bin/env node
// Prepares the zero-setup dev/test database (mongo-java-server, see server/db/embedded/).
// Run by `npm install` (postinstall). Plain Node ESM, no dependencies.
//
//   node scripts/install-embedded-db.mjs [--force]
//
// Skipped when MONGODB_URI is set or UMBRELLA_SKIP_EMBEDDED_DB=1. Never fails `npm install`
// because of a missing Java/Maven: it warns, and the runtime (server/db/embedded.ts) then
// fails with the same message when the embedded database is actually needed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(root, 'server', 'db', 'embedded');
const pom = path.join(srcDir, 'pom.xml');
// Launcher.java and the backend classes it starts, compiled together.
const sources = readdirSync(srcDir)
  .filter((f) => f.endsWith('.java'))
  .sort()
  .map((f) => path.join(srcDir, f));
const cacheDir = path.join(root, '.cache', 'embedded-db');
const libDir = path.join(cacheDir, 'lib');
const classesDir = path.join(cacheDir, 'classes');
const stampFile = path.join(cacheDir, 'stamp');

const MISSING_TOOLS =
  'Install Java 17+ and Maven (e.g. apt-get install openjdk-17-jdk-headless maven), ' +
  'or set MONGODB_URI to use an existing MongoDB';

const log = (msg) => console.log(`[embedded-db] ${msg}`);
const warn = (msg) => console.warn(`[embedded-db] WARNING: ${msg}`);

if (process.env.MONGODB_URI) {
  log('MONGODB_URI is set: skipping the embedded dev/test database.');
  process.exit(0);
}
if (process.env.UMBRELLA_SKIP_EMBEDDED_DB === '1') {
  log('UMBRELLA_SKIP_EMBEDDED_DB=1: skipping the embedded dev/test database.');
  process.exit(0);
}

const force = process.argv.includes('--force');
const hash = createHash('sha256').update(readFileSync(pom));
for (const file of sources)
  hash.update('\0').update(path.basename(file)).update('\0').update(readFileSync(file));
const stamp = hash.digest('hex');

function hasJars() {
  return existsSync(libDir) && readdirSync(libDir).some((f) => f.endsWith('.jar'));
}

if (
  !force &&
  hasJars() &&
  existsSync(path.join(classesDir, 'Launcher.class')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === stamp
) {
  log('up to date.');
  process.exit(0);
}

function toolWorks(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

const missing = [
  ['java', ['-version']],
  ['javac', ['-version']],
  ['mvn', ['-v']],
]
  .filter(([cmd, args]) => !toolWorks(cmd, args))
  .map(([cmd]) => cmd);
if (missing.length > 0) {
  warn(`not found: ${missing.join(', ')}. ${MISSING_TOOLS}.`);
  warn('The embedded dev/test database was NOT installed; `npm install` continues.');
  process.exit(0);
}

function run(cmd, args) {
  log(`${cmd} ${args.join(' ')}`);
  // Output is captured (mvn prints stray colour codes even with -q) and shown on failure.
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error(`[embedded-db] ERROR: ${cmd} failed (${why}).`);
    process.exit(1);
  }
}

const started = Date.now();
// Start clean so stale jars from an older pom never end up on the classpath.
rmSync(cacheDir, { recursive: true, force: true });
mkdirSync(libDir, { recursive: true });
mkdirSync(classesDir, { recursive: true });

run('mvn', [
  '-q',
  '-B',
  '-Dstyle.color=never',
  '-f',
  pom,
  'dependency:copy-dependencies',
  `-DoutputDirectory=${libDir}`,
  '-DincludeScope=runtime',
]);
run('javac', ['--release', '17', '-cp', `${libDir}${path.sep}*`, '-d', classesDir, ...sources]);

writeFileSync(stampFile, `${stamp}\n`);
log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s (${readdirSync(libDir).length} jars).`);
