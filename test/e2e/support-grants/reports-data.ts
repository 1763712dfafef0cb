/**
 * A small data set for the reports pages: the imported course, a trainer's cohort of four trainees
 * with submitted pre/post attempts (shaped like modules/quizzes' Attempt, built from the real question
 * bank), and one grant call with pitches, reviews and a published award for the pipeline.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type { AppContext } from '../../../server/context';
import { getOutlineBySlug, importCourses } from '../../../modules/learning';
import { cohortModel, enrolmentModel } from '../../../modules/learning/model';
import { attemptModel, questionModel, quizModel } from '../../../modules/quizzes/model';
import { buildUser } from '../../factories';
import { buildMissingTestRecords } from '../../../modules/quizzes/test-records';

type Person = Awaited<ReturnType<typeof buildUser>>;

export async function buildReportsData(ctx: AppContext) {
  const [imported] = await importCourses(ctx);
  assert.ok(imported);
  const outline = await getOutlineBySlug(ctx, imported.slug);
  assert.ok(outline);
  const courseId = new Types.ObjectId(outline.id);
  const quizzes = await quizModel(ctx.db).find({ courseId }).lean();
  const pre = quizzes.find((q) => q.key === 'pre');
  const post = quizzes.find((q) => q.key === 'post');
  assert.ok(pre && post, 'the course has a pre- and a post-test');

  const trainer = await buildUser(ctx, { role: 'trainer', name: 'Trainer Narantsetseg' });
  const admin = await buildUser(ctx, { role: 'admin', name: 'Programme Admin' });
  const cohort = await cohortModel(ctx.db).create({
    name: 'Ulaanbaatar autumn',
    courseId,
    trainerIds: [trainer._id],
    region: 'Ulaanbaatar',
    createdAt: ctx.clock.now(),
  });

  const spec = [
    { name: 'Алтанцэцэг Бат', region: 'Ulaanbaatar', locale: 'mn' as const, outlet: 'Өдрийн сонин' },
    { name: 'Dulguun Ganbold', region: 'Ulaanbaatar', locale: 'en' as const, outlet: 'UB Post' },
    { name: 'Enkhjin Munkh', region: 'Darkhan-Uul', locale: 'mn' as const, outlet: 'Darkhan TV' },
    { name: 'Sarnai Dorj', region: 'Orkhon', locale: 'en' as const, outlet: 'Erdenet News' },
  ];
  const trainees: Person[] = [];
  for (const s of spec) trainees.push(await buildUser(ctx, { role: 'journalist', ...s }));

  // Choice questions from each test's pool, with their correct and one wrong option.
  const bank = await questionModel(ctx.db).find({ courseId }).lean();
  const choice = async (ids: string[]) => {
    const pool = new Set(ids);
    const inPool = bank.filter((q) => pool.has(q.qid));
    return (inPool.length ? inPool : bank)
      .filter((q) => q.options.some((o) => o.correct) && q.options.some((o) => !o.correct))
      .slice(0, 4)
      .map((q) => ({
        qid: q.qid,
        objective: q.objective,
        type: q.type,
        version: (q as unknown as { version?: number }).version ?? 1,
        right: q.options.find((o) => o.correct)!.id,
        wrong: q.options.find((o) => !o.correct)!.id,
        order: q.options.map((o) => o.id),
      }));
  };
  const preQs = await choice(pre.questionIds);
  const postQs = await choice(post.questionIds);
  assert.ok(preQs.length >= 2 && postQs.length >= 2, 'enough choice questions');

  const day = (d: number) => new Date(Date.UTC(2026, 9, d, 8));
  const attempt = (user: Person, key: 'pre' | 'post', correct: number, d: number) => {
    const qs = key === 'pre' ? preQs : postQs;
    const quiz = key === 'pre' ? pre : post;
    const results = qs.map((q, i) => ({
      qid: q.qid,
      objective: q.objective,
      correct: i < correct,
      chosen: [i < correct ? q.right : q.wrong],
    }));
    const score = Math.round((100 * Math.min(correct, qs.length)) / qs.length);
    return {
      quizId: quiz._id,
      quizKey: key,
      courseId,
      userId: user._id,
      attemptNo: 1,
      status: 'submitted' as const,
      startedAt: day(d),
      submittedAt: day(d),
      items: qs.map((q) => ({
        qid: q.qid,
        objective: q.objective,
        type: q.type,
        questionVersion: q.version,
        optionOrder: q.order,
      })),
      answers: Object.fromEntries(results.map((r) => [r.qid, r.chosen])),
      score,
      passed: score >= (quiz.passingScore ?? 0),
      results,
    };
  };
  const plan: Array<[number, number | null, 'completed' | 'in_progress' | 'enrolled']> = [
    [1, 4, 'completed'],
    [0, 3, 'completed'],
    [2, null, 'in_progress'],
    [1, 2, 'completed'],
  ];
  for (const [i, u] of trainees.entries()) {
    const [preRight, postRight, status] = plan[i]!;
    await enrolmentModel(ctx.db).create({
      userId: u._id,
      courseId,
      cohortId: cohort._id,
      status,
      enrolledAt: day(1),
      startedAt: day(1),
      lastActivityAt: day(10),
      quizzesPassed: postRight === null ? ['pre'] : ['pre', 'post'],
      ...(status === 'completed' ? { completedAt: day(10) } : {}),
    });
    await attemptModel(ctx.db).create(attempt(u, 'pre', preRight, 2));
    if (postRight !== null) await attemptModel(ctx.db).create(attempt(u, 'post', postRight, 9));
  }
  // The trainees' test records, as the start-up job builds them for attempts stored before records.
  await buildMissingTestRecords(ctx);

  // The grant pipeline: one call, pitches at several stages, reviews and a published award.
  const db = ctx.db;
  const reviewers = [
    await buildUser(ctx, { role: 'reviewer', name: 'Reviewer One' }),
    await buildUser(ctx, { role: 'reviewer', name: 'Reviewer Two' }),
  ];
  const callId = new Types.ObjectId();
  await db.collection('calls').insertOne({
    _id: callId,
    title: { en: 'Stories that protect dreams', mn: 'Мөрөөдлийг хамгаалах нийтлэл' },
    themes: [
      { id: 'safe-migration', label: { en: 'Safe migration', mn: 'Аюулгүй шилжилт хөдөлгөөн' } },
      { id: 'survivors', label: { en: 'Survivor voices', mn: 'Амьд үлдэгсдийн дуу хоолой' } },
    ],
    rubric: [
      {
        id: 'c1',
        label: { en: 'Accuracy', mn: 'Үнэн зөв' },
        guidance: { en: '', mn: '' },
        scaleMax: 5,
        weight: 2,
      },
      {
        id: 'c2',
        label: { en: 'Safety', mn: 'Аюулгүй' },
        guidance: { en: '', mn: '' },
        scaleMax: 5,
        weight: 1,
      },
    ],
    budgetPool: 10_000_000,
    maxAward: 4_000_000,
    awardedTotal: 3_500_000,
    currency: 'MNT',
    eligibility: { courseSlug: imported.slug },
    status: 'closed',
    opensAt: day(1),
    closesAt: day(20),
    timeZone: 'Asia/Ulaanbaatar',
    reviewersPerPitch: 2,
    blind: true,
    deadlineMode: 'fixed',
  });
  const pitch = (user: Person, status: string, theme: string, extra: Record<string, unknown> = {}) => ({
    _id: new Types.ObjectId(),
    callId,
    applicantId: user._id,
    title: `Pitch by ${user.name}`,
    status,
    themes: [theme],
    budgetTotal: 3_500_000,
    ...extra,
  });
  const [t1, t2, , t4] = trainees as [Person, Person, Person, Person];
  const p1 = pitch(t1, 'funded', 'safe-migration', { decision: { outcome: 'funded', amount: 3_500_000 } });
  const p2 = pitch(t2, 'declined', 'survivors', { decision: { outcome: 'declined', amount: 0 } });
  const p4 = pitch(t4, 'submitted', 'safe-migration');
  await db.collection('pitches').insertMany([p1, p2, p4]);
  const sc = (a: number, b: number) => [
    { criterionId: 'c1', score: a },
    { criterionId: 'c2', score: b },
  ];
  const [r1, r2] = reviewers as [Person, Person];
  await db.collection('assignments').insertMany([
    { callId, pitchId: p1._id, reviewerId: r1._id, status: 'submitted' },
    { callId, pitchId: p1._id, reviewerId: r2._id, status: 'submitted' },
    { callId, pitchId: p2._id, reviewerId: r1._id, status: 'submitted' },
    { callId, pitchId: p4._id, reviewerId: r2._id, status: 'accepted' },
  ]);
  await db.collection('reviews').insertMany([
    { callId, pitchId: p1._id, reviewerId: r1._id, status: 'submitted', scores: sc(5, 4) },
    { callId, pitchId: p1._id, reviewerId: r2._id, status: 'submitted', scores: sc(4, 4) },
    { callId, pitchId: p2._id, reviewerId: r1._id, status: 'submitted', scores: sc(2, 3) },
  ]);
  await db.collection('awards').insertOne({
    pitchId: p1._id,
    callId,
    applicantId: t1._id,
    title: p1.title,
    amount: 3_500_000,
    status: 'published',
    publishedUrl: 'https://news.example.mn/story',
    publishedAt: day(25),
  });

  return { courseSlug: imported.slug, trainer, admin, trainees, cohortId: String(cohort._id), callId };
}
