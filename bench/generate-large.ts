/**
 * Generates a large reporting data set straight into the collections (insertMany in batches):
 * 10,000 trainees in 100 cohorts, 100,000 quiz attempts with per-question results, 5 calls with
 * 1,000 pitches, their assignments, reviews and awards. Deterministic (seeded PRNG).
 *
 *   tsx bench/generate-large.ts [--trainees 10000] [--attempts-per-trainee 10] [--pitches 1000]
 *   MONGODB_URI + BENCH_DB (default umbrella_bench), or the embedded server when MONGODB_URI is unset.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Types, type Connection } from 'mongoose';
import { connectDatabase } from '../server/db/connect';
import { startEmbeddedMongo } from '../server/db/embedded';
import { packResults } from '../modules/quizzes/packed-results';

export interface GenerateOptions {
  trainees: number;
  attemptsPerTrainee: number;
  pitches: number;
  batch?: number;
  log?: (msg: string) => void;
}

const OBJECTIVES = [
  'tip-definition',
  'smuggling-definition',
  'tip-vs-smuggling',
  'terminology',
  'identity-protection',
  'consent-do-no-harm',
  'source-security',
  'referral',
  'mongolia-context',
  'campaign-framing',
];
const REGIONS = ['Ulaanbaatar', 'Darkhan-Uul', 'Orkhon', 'Khovd', 'Dornod', 'Selenge'];
const OUTLETS = ['UB Post', 'Өдрийн сонин', 'Eagle TV', 'Darkhan TV', 'Ikon.mn', 'Zindaa'];

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function insertBatched(
  db: Connection,
  name: string,
  docs: Iterable<Record<string, unknown>>,
  batch: number,
) {
  let buf: Record<string, unknown>[] = [];
  let n = 0;
  for (const d of docs) {
    buf.push(d);
    if (buf.length >= batch) {
      await db.collection(name).insertMany(buf, { ordered: false });
      n += buf.length;
      buf = [];
    }
  }
  if (buf.length) await db.collection(name).insertMany(buf, { ordered: false });
  return n + buf.length;
}

export async function generateLarge(db: Connection, o: GenerateOptions) {
  const log = o.log ?? (() => undefined);
  const batch = o.batch ?? 1000;
  const rand = rng(20260601);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const id = () => new Types.ObjectId();
  const at = (day: number) => new Date(Date.UTC(2026, 2, 1) + day * 86_400_000);

  const courseId = id();
  const lessons = Array.from({ length: 7 }, (_, i) => ({
    _id: id(),
    courseId,
    slug: `lesson-${i + 1}`,
    title: { en: `Lesson ${i + 1}`, mn: `Хичээл ${i + 1}` },
    objectives: OBJECTIVES.slice(i, i + 2 + (i === 6 ? 2 : 0)),
  }));
  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'tip-reporting',
    title: {
      en: 'Reporting on trafficking in persons',
      mn: 'Хүн худалдаалах гэмт хэргийн тухай мэдээлэх нь',
    },
    objectives: OBJECTIVES.map((x) => ({ id: x, label: { en: x, mn: x } })),
    lessonIds: lessons.map((l) => l._id),
  });
  await db.collection('lessons').insertMany(lessons);
  // 4 questions per objective, 4 options each, option "a" correct; difficulty varies by question.
  const questions = OBJECTIVES.flatMap((obj, oi) =>
    Array.from({ length: 4 }, (_, qi) => ({
      courseId,
      qid: `${obj}-${qi + 1}`,
      objective: obj,
      type: 'single',
      difficulty: 0.2 + ((oi * 4 + qi) % 7) * 0.1,
      stem: { en: `Question ${qi + 1} on ${obj}`, mn: `${obj} сэдвийн ${qi + 1}-р асуулт` },
      options: ['a', 'b', 'c', 'd'].map((x) => ({
        id: x,
        correct: x === 'a',
        text: { en: `Option ${x}`, mn: `Хариулт ${x}` },
      })),
    })),
  );
  await db.collection('questions').insertMany(questions.map(({ difficulty: _d, ...q }) => q));
  const quizzes = [
    {
      _id: id(),
      courseId,
      key: 'pre',
      kind: 'pre',
      title: { en: 'Pre-test', mn: 'Урьдчилсан тест' },
      passingScore: 0,
    },
    {
      _id: id(),
      courseId,
      key: 'post',
      kind: 'post',
      title: { en: 'Post-test', mn: 'Эцсийн тест' },
      passingScore: 70,
    },
    ...lessons.map((l) => ({
      _id: id(),
      courseId,
      key: `lesson:${l.slug}`,
      kind: 'lesson',
      lessonId: l._id,
      title: l.title,
      passingScore: 60,
    })),
  ];
  await db.collection('quizzes').insertMany(quizzes);

  const trainers = Array.from({ length: 20 }, (_, i) => ({
    _id: id(),
    name: `Trainer ${i + 1}`,
    email: `trainer${i + 1}@bench.example`,
    role: 'trainer',
    status: 'active',
    locale: 'en',
  }));
  const reviewers = Array.from({ length: 30 }, (_, i) => ({
    _id: id(),
    name: `Reviewer ${i + 1}`,
    email: `reviewer${i + 1}@bench.example`,
    role: 'reviewer',
    status: 'active',
    locale: 'mn',
  }));
  const cohortCount = Math.max(1, Math.ceil(o.trainees / 100));
  const cohorts = Array.from({ length: cohortCount }, (_, i) => ({
    _id: id(),
    name: `Cohort ${i + 1}`,
    courseId,
    trainerIds: [trainers[i % trainers.length]!._id],
    region: REGIONS[i % REGIONS.length],
  }));
  await db.collection('users').insertMany([...trainers, ...reviewers]);
  await db.collection('cohorts').insertMany(cohorts);

  const traineeIds: Types.ObjectId[] = [];
  const ability: number[] = [];
  const users = function* () {
    for (let i = 0; i < o.trainees; i++) {
      const _id = id();
      traineeIds.push(_id);
      ability.push(rand());
      yield {
        _id,
        name: i % 997 === 0 ? `=HYPERLINK("x${i}")` : `Trainee ${String(i + 1).padStart(5, '0')} Бат`,
        email: `t${i + 1}@bench.example`,
        role: 'journalist',
        status: 'active',
        region: pick(REGIONS),
        outlet: pick(OUTLETS),
        locale: rand() < 0.7 ? 'mn' : 'en',
      };
    }
  };
  log(`users: ${await insertBatched(db, 'users', users(), batch)}`);

  const statuses = ['enrolled', 'in_progress', 'completed'];
  const enrolments = function* () {
    for (let i = 0; i < traineeIds.length; i++) {
      const status = statuses[i % 10 < 2 ? 0 : i % 10 < 5 ? 1 : 2]!;
      const viewed = lessons.slice(0, status === 'completed' ? 7 : Math.floor(rand() * 7));
      yield {
        userId: traineeIds[i],
        courseId,
        cohortId: cohorts[Math.floor(i / 100) % cohorts.length]!._id,
        status,
        lessonsViewed: viewed.map((l) => ({ lessonId: l._id, version: 1, at: at(2) })),
        quizzesPassed: viewed.slice(0, Math.max(0, viewed.length - 1)).map((l) => `lesson:${l.slug}`),
        startedAt: at(0),
        lastActivityAt: at(1 + Math.floor(rand() * 30)),
        ...(status === 'completed' ? { completedAt: at(30) } : {}),
      };
    }
  };
  log(`enrolments: ${await insertBatched(db, 'enrolments', enrolments(), batch)}`);

  // Per trainee: 2 pre, 3 post, the rest lesson quizzes (default 10 in all).
  const byObjective = new Map(OBJECTIVES.map((obj) => [obj, questions.filter((q) => q.objective === obj)]));
  const attempts = function* () {
    for (let i = 0; i < traineeIds.length; i++) {
      const plan: Array<{ quiz: (typeof quizzes)[number]; no: number }> = [];
      const lessonQuizzes = quizzes.slice(2);
      for (let n = 0; n < o.attemptsPerTrainee; n++) {
        const quiz =
          n < 2 ? quizzes[0]! : n < 5 ? quizzes[1]! : lessonQuizzes[(n - 5) % lessonQuizzes.length]!;
        plan.push({ quiz, no: plan.filter((p) => p.quiz === quiz).length + 1 });
      }
      for (const { quiz, no } of plan) {
        const boost = quiz.kind === 'post' ? 0.25 + 0.05 * no : quiz.kind === 'lesson' ? 0.15 : 0;
        const objectives =
          quiz.kind === 'lesson'
            ? (lessons.find((l) => l._id.equals((quiz as { lessonId?: Types.ObjectId }).lessonId))
                ?.objectives ?? [])
            : OBJECTIVES;
        const drawn = objectives.flatMap((obj) => {
          const qs = byObjective.get(obj)!;
          return quiz.kind === 'lesson' ? qs.slice(0, 2) : [pick(qs)];
        });
        const results = drawn.map((q) => {
          const correct = rand() < Math.min(0.97, 0.15 + 0.6 * ability[i]! + boost - q.difficulty * 0.3);
          return {
            qid: q.qid,
            objective: q.objective,
            correct,
            chosen: [correct ? 'a' : pick(['b', 'c', 'd'])],
          };
        });
        const score = Math.round((100 * results.filter((r) => r.correct).length) / results.length);
        const day = quiz.kind === 'pre' ? 1 + no : quiz.kind === 'post' ? 20 + no : 10;
        const submitted = rand() > 0.03;
        yield {
          quizId: quiz._id,
          quizKey: quiz.key,
          courseId,
          userId: traineeIds[i],
          attemptNo: no,
          status: submitted ? 'submitted' : 'started',
          startedAt: at(day),
          ...(submitted
            ? {
                submittedAt: at(day),
                score,
                passed: score >= quiz.passingScore,
                results,
                resultsPacked: packResults(results),
              }
            : {}),
        };
      }
    }
  };
  log(`attempts: ${await insertBatched(db, 'attempts', attempts(), batch)}`);

  // Grants: 5 calls sharing the pitches; 3 assignments per pitch, 2 submitted reviews on most.
  const themes = ['safe-migration', 'survivor-voices', 'rural-youth', 'online-recruitment', 'labour'];
  const calls = Array.from({ length: 5 }, (_, i) => ({
    _id: id(),
    title: { en: `Call ${i + 1}`, mn: `Зарлал ${i + 1}` },
    themes: themes.map((x) => ({ id: x, label: { en: x, mn: x } })),
    budgetPool: 50_000,
    awardedTotal: 0,
    currency: 'USD',
    eligibility: { courseSlug: 'tip-reporting' },
    status: 'closed',
  }));
  await db.collection('calls').insertMany(calls);
  const pitchStatuses = [
    'draft',
    'submitted',
    'withdrawn',
    'under_review',
    'shortlisted',
    'funded',
    'declined',
    'waitlisted',
  ];
  const pitches = Array.from({ length: o.pitches }, (_, i) => {
    const status = pitchStatuses[i % pitchStatuses.length]!;
    return {
      _id: id(),
      callId: calls[i % calls.length]!._id,
      applicantId: traineeIds[(i * 7) % traineeIds.length],
      status,
      themes: [pick(themes), pick(themes)],
      budgetTotal: 1000 + Math.floor(rand() * 4000),
      ...(status === 'funded' ? { decision: { outcome: 'funded', amount: 2000 } } : {}),
    };
  });
  log(`pitches: ${await insertBatched(db, 'pitches', pitches, batch)}`);
  const reviewed = pitches.filter((p) => !['draft', 'withdrawn', 'submitted'].includes(p.status));
  const assignments = reviewed.flatMap((p, i) =>
    [0, 1, 2].map((k) => ({
      _id: new Types.ObjectId(),
      callId: p.callId,
      pitchId: p._id,
      reviewerId: reviewers[(i + k * 7) % reviewers.length]!._id,
      status: k === 2 ? (i % 5 === 0 ? 'conflict_declared' : 'accepted') : 'submitted',
    })),
  );
  await insertBatched(db, 'assignments', assignments, batch);
  const reviews = assignments
    .filter((a) => a.status === 'submitted')
    .map((a) => ({
      assignmentId: a._id,
      callId: a.callId,
      pitchId: a.pitchId,
      reviewerId: a.reviewerId,
      status: 'submitted',
      scores: ['c1', 'c2', 'c3', 'c4'].map((c) => ({ criterionId: c, score: 1 + Math.floor(rand() * 5) })),
    }));
  log(`reviews: ${await insertBatched(db, 'reviews', reviews, batch)}`);
  const awards = pitches
    .filter((p) => p.status === 'funded')
    .map((p, i) => ({
      pitchId: p._id,
      callId: p.callId,
      status: i % 2 ? 'published' : 'accepted',
      ...(i % 2 ? { publishedAt: at(60) } : {}),
    }));
  await insertBatched(db, 'awards', awards, batch);
  return { courseId, calls: calls.map((c) => c._id), cohorts: cohorts.map((c) => c._id), trainers };
}

async function main() {
  const { values } = parseArgs({
    options: {
      trainees: { type: 'string', default: '10000' },
      'attempts-per-trainee': { type: 'string', default: '10' },
      pitches: { type: 'string', default: '1000' },
    },
  });
  const embedded = process.env.MONGODB_URI
    ? undefined
    : await startEmbeddedMongo({
        backend: 'memory',
        dataDir: mkdtempSync(path.join(os.tmpdir(), 'umbrella-bench-')),
      });
  const db = await connectDatabase(
    process.env.MONGODB_URI ?? embedded!.uri,
    process.env.BENCH_DB ?? 'umbrella_bench',
  );
  const started = performance.now();
  await generateLarge(db, {
    trainees: Number(values.trainees),
    attemptsPerTrainee: Number(values['attempts-per-trainee']),
    pitches: Number(values.pitches),
    log: (m) => console.log(m),
  });
  console.log(`generated in ${Math.round(performance.now() - started)} ms`);
  await db.close();
  await embedded?.stop();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
