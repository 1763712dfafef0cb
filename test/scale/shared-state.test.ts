/**
 * The shared pieces one at a time, with two app instances on one database standing for two processes
 * (each has its own connection, caches and in-process memory): rate-limit counters, job leases, the
 * content version, and the per-process memory of recent lesson views (shown harmless).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectDatabase } from '../../server/db/connect';
import { createUmbrella, type Umbrella } from '../../server/plugin';
import { fixedClock } from '../../server/clock';
import { MongoRateLimitStore, RATE_LIMIT_COLLECTION } from '../../server/http/rate-limit-store';
import { ensureLease, LEASE_COLLECTION, takeLease } from '../../server/jobs-lease';
import { contentVersion } from '../../server/cache';
import { buildCourse, buildUser, signIn } from '../factories';
import { TEST_SECRET } from '../support/app';
import { enrolmentModel } from '../../modules/learning/model';
import { invalidateCourse } from '../../modules/learning/outline';
import { eventually } from './support';

const clock = fixedClock(new Date('2026-06-01T08:00:00Z'));
const dbName = `t_shared_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const connections: Connection[] = [];
let a: Umbrella;
let b: Umbrella;

async function instance(): Promise<Umbrella> {
  const db = await connectDatabase(process.env.TEST_MONGODB_URI!, dbName);
  connections.push(db);
  return createUmbrella({
    connection: db,
    clock,
    jobs: 'none',
    config: { env: 'test', sessionSecret: TEST_SECRET, logLevel: 'silent', secureCookies: false },
  });
}

before(async () => {
  a = await instance();
  b = await instance();
});
after(async () => {
  await connections[0]?.dropDatabase().catch(() => undefined);
  await Promise.all(connections.map((c) => c.close()));
});

const WINDOW = 15 * 60_000;
function store(u: Umbrella, name = 'login-account') {
  const s = new MongoRateLimitStore(u.ctx, name);
  s.init({ windowMs: WINDOW } as never);
  return s;
}

test('rate limits: hits counted in two instances at once add up, none lost; each limiter counts apart', async () => {
  const [sa, sb] = [store(a), store(b)];
  const hits = await Promise.all(
    Array.from({ length: 40 }, (_, i) => (i % 2 ? sa : sb).increment('email:someone@example.org')),
  );
  // What a limit needs: for every limit L, at most L requests were told they were within it (the
  // embedded server may report a count a little later than the hit's own; never earlier), and no
  // hit was lost.
  const counts = hits.map((h) => h.totalHits).sort((x, y) => x - y);
  counts.forEach((c, i) => assert.ok(c >= i + 1, `hit ${i + 1} was told ${c}`));
  assert.equal(counts.at(-1), 40);
  assert.equal((await sb.get('email:someone@example.org'))?.totalHits, 40);
  assert.equal((await store(b, 'recovery-account').increment('email:someone@example.org')).totalHits, 1);
  await sa.decrement('email:someone@example.org');
  assert.equal((await sb.get('email:someone@example.org'))?.totalHits, 39);
  await sb.resetKey('email:someone@example.org');
  assert.equal(await sa.get('email:someone@example.org'), undefined);
});

test('rate limits: a window ends for every instance; expired counters are swept from the database', async () => {
  const [sa, sb] = [store(a, 'sweep'), store(b, 'sweep')];
  for (let i = 0; i < 3; i++) await sa.increment('ip:10.0.0.1');
  assert.equal((await sb.increment('ip:10.0.0.1')).totalHits, 4);
  clock.advance(WINDOW + 1000);
  assert.equal(await sb.get('ip:10.0.0.1'), undefined);
  const restarted = await sb.increment('ip:10.0.0.1');
  assert.equal(restarted.totalHits, 1);
  assert.equal(restarted.resetTime?.getTime(), clock.now().getTime() + WINDOW);
  // Expired counters of every limiter go at the next sweep (at most one a minute per process).
  await store(a, 'other').increment('ip:10.0.0.2');
  clock.advance(WINDOW + 61_000);
  await sa.increment('ip:10.0.0.3');
  const counters = a.ctx.db.collection(RATE_LIMIT_COLLECTION);
  await eventually('expired counters swept', async () => (await counters.countDocuments({})) === 1, 10_000);
  assert.equal((await counters.findOne({}))?._id, 'sweep:ip:10.0.0.3');
});

test('job leases: one holder at a time; a dead holder loses the lease when it expires; the schedule is shared', async () => {
  const name = `job-${randomUUID().slice(0, 6)}`;
  const opts = { leaseMs: 30_000 };
  await Promise.all([ensureLease(a.ctx, name), ensureLease(b.ctx, name)]);
  const [la, lb] = await Promise.all([takeLease(a.ctx, name, 'A', opts), takeLease(b.ctx, name, 'B', opts)]);
  assert.equal([la, lb].filter(Boolean).length, 1, 'exactly one of two takes the lease');
  const [mine, theirs, other] = la ? [la, b, 'B'] : [lb!, a, 'A'];

  // Renewed, it stays held past its first expiry.
  clock.advance(20_000);
  assert.equal(await mine.renew(), true);
  clock.advance(20_000);
  assert.equal(await takeLease(theirs.ctx, name, other, opts), undefined);

  // The holder dies (no renewal): after expiry the other takes it; the dead one's renew fails.
  clock.advance(30_001);
  const takenOver = await takeLease(theirs.ctx, name, other, { ...opts, dueAfterMs: 60_000 });
  assert.ok(takenOver, 'an unfinished run is due at once when its lease expires');
  assert.equal(await mine.renew(), false);
  await takenOver.release();
  const doc = await a.ctx.db.collection(LEASE_COLLECTION).findOne({ _id: name as never });
  assert.equal(doc?.holder, '');
  assert.equal((doc?.doneAt as Date).getTime(), clock.now().getTime());

  // Released after a finished run: free, but not due for anyone until the interval has passed.
  assert.equal(await takeLease(a.ctx, name, 'A', { ...opts, dueAfterMs: 60_000 }), undefined);
  assert.equal(await takeLease(b.ctx, name, 'B', { ...opts, dueAfterMs: 60_000 }), undefined);
  clock.advance(60_000);
  assert.ok(await takeLease(b.ctx, name, 'B', { ...opts, dueAfterMs: 60_000 }));
});

test('recent views are per instance and harmless: views through either instance all count, new versions too', async () => {
  const { course } = await buildCourse(a.ctx, { lessons: [{}, {}] });
  const user = await buildUser(a.ctx);
  const viaA = await signIn(a.app, user);
  const viaB = await signIn(b.app, user);
  const path = (n: number) => `/learn/${course.slug}/lesson-${n}`;
  const viewed = async () =>
    ((await enrolmentModel(a.ctx.db).findOne({ userId: user._id }).lean())?.lessonsViewed ?? [])
      .map((v) => `${String(v.lessonId).slice(-4)}:${v.version}`)
      .sort();

  await viaA.get(path(1)).expect(200); // A remembers lesson 1
  await viaB.get(path(2)).expect(200); // B records lesson 2; A does not know
  await viaA.get(path(1)).expect(200);
  await viaA.get(path(2)).expect(200); // A has no memory of lesson 2: it reads the enrolment
  assert.equal((await viewed()).length, 2);

  // A new version of lesson 1 published through B: A (which remembers version 1 as read) serves
  // version 2 once it sees the content version change, and records it as a new view.
  const before = await contentVersion(a.ctx.db);
  const lessonId = course.lessonIds[0]!;
  await b.ctx.db.collection('lessons').updateOne({ _id: lessonId }, { $set: { version: 2 } });
  await invalidateCourse(b.ctx, course._id);
  await eventually(
    'A reads the new content version',
    async () => (await contentVersion(a.ctx.db)) > before,
    5000,
  );
  await viaA.get(path(1)).expect(200);
  const views = await viewed();
  assert.equal(views.length, 3);
  assert.ok(views.includes(`${String(lessonId).slice(-4)}:2`));
});
