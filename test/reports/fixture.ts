import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { buildUser } from '../factories';
import { buildMissingTestRecords } from '../../modules/quizzes/test-records';

/**
 * A small, hand-computed data set written straight into the collections the reports read.
 *
 * Two objectives (A: q1, B: q2), two questions per test, 50 points per correct answer.
 * Cohort K1 (trainer T1): u1, u2, u3. Cohort K2 (trainer T2): u4, u5, u6.
 *   u1 pre 50 then 100, post 50 then 100 (first attempts count)       → 50 → 50, norm 0
 *   u2 pre 0,   post 50                                               → gain 50, norm 0.5
 *   u3 pre 50,  no post                                               → not paired
 *   u4 pre 100, post 100                                              → gain 0, norm skipped
 *   u5 pre 0,   post 100                                              → gain 100, norm 1
 *   u6 nothing
 */
export async function buildFixture(ctx: AppContext) {
  const db = ctx.db;
  const id = () => new Types.ObjectId();
  const courseId = id();
  const [l1, l2] = [id(), id()];
  const quiz = { pre: id(), post: id(), l1: id() };
  const at = (d: number) => new Date(Date.UTC(2026, 0, d));

  const trainer1 = await buildUser(ctx, { role: 'trainer', name: 'Trainer One' });
  const trainer2 = await buildUser(ctx, { role: 'trainer', name: 'Trainer Two' });
  const admin = await buildUser(ctx, { role: 'admin', name: 'Admin' });
  const adminMn = await buildUser(ctx, { role: 'admin', name: 'Админ', locale: 'mn' });
  const r1 = await buildUser(ctx, { role: 'reviewer', name: 'Reviewer One' });
  const r2 = await buildUser(ctx, { role: 'reviewer', name: 'Reviewer Two' });
  const spec = [
    { name: 'Алтанцэцэг Бат', region: 'Ulaanbaatar', locale: 'mn' as const, outlet: 'Өдрийн сонин' },
    {
      name: '=HYPERLINK("http://evil.example")',
      region: 'Ulaanbaatar',
      locale: 'en' as const,
      outlet: 'UB Post',
    },
    { name: 'Chimeg', region: 'Darkhan-Uul', locale: 'mn' as const, outlet: 'Darkhan TV' },
    { name: 'Dulguun', region: 'Ulaanbaatar', locale: 'en' as const, outlet: 'UB Post' },
    { name: 'Enkhjin', region: 'Darkhan-Uul', locale: 'mn' as const, outlet: 'Darkhan TV' },
    { name: 'Fulan', region: 'Ulaanbaatar', locale: 'mn' as const, outlet: 'Eagle' },
  ];
  type Person = Awaited<ReturnType<typeof buildUser>>;
  const u: Person[] = [];
  for (const s of spec) u.push(await buildUser(ctx, { role: 'journalist', ...s }));
  const [u1, u2, u3, u4, u5, u6] = u as [Person, Person, Person, Person, Person, Person];

  await db.collection('courses').insertOne({
    _id: courseId,
    slug: 'tip',
    title: { en: 'Reporting on TIP', mn: 'Хүн худалдаалах гэмт хэргийн тухай мэдээлэх' },
    objectives: [
      { id: 'A', label: { en: 'A', mn: 'А' } },
      { id: 'B', label: { en: 'B', mn: 'Б' } },
    ],
    lessonIds: [l1, l2],
  });
  await db.collection('lessons').insertMany([
    { _id: l1, courseId, slug: 'lesson-a', title: { en: 'Lesson A', mn: 'Хичээл А' }, objectives: ['A'] },
    { _id: l2, courseId, slug: 'lesson-b', title: { en: 'Lesson B', mn: 'Хичээл Б' }, objectives: ['B'] },
  ]);
  await db.collection('quizzes').insertMany([
    {
      _id: quiz.pre,
      courseId,
      key: 'pre',
      kind: 'pre',
      title: { en: 'Pre-test', mn: 'Урьдчилсан тест' },
      passingScore: 0,
    },
    {
      _id: quiz.post,
      courseId,
      key: 'post',
      kind: 'post',
      title: { en: 'Post-test', mn: 'Эцсийн тест' },
      passingScore: 70,
    },
    {
      _id: quiz.l1,
      courseId,
      key: 'lesson:lesson-a',
      kind: 'lesson',
      lessonId: l1,
      title: { en: 'Quiz A', mn: 'Сорил А' },
      passingScore: 50,
    },
  ]);
  const opt = (oid: string, en: string, mn: string, correct = false) => ({
    id: oid,
    text: { en, mn },
    correct,
  });
  await db.collection('questions').insertMany([
    {
      courseId,
      qid: 'q1',
      objective: 'A',
      type: 'single',
      stem: { en: 'Is consent relevant?', mn: 'Зөвшөөрөл хамаатай юу?' },
      options: [
        opt('a', 'No', 'Үгүй', true),
        opt('b', 'Yes, always', 'Тийм, үргэлж'),
        opt('c', 'Sometimes', 'Заримдаа'),
      ],
    },
    {
      courseId,
      qid: 'q2',
      objective: 'B',
      type: 'single',
      stem: { en: 'Does smuggling cross a border?', mn: 'Хил давуулах уу?' },
      options: [opt('a', 'Always', 'Үргэлж', true), opt('b', 'Never', 'Хэзээ ч үгүй')],
    },
  ]);
  const k1 = id();
  const k2 = id();
  await db.collection('cohorts').insertMany([
    { _id: k1, name: 'Ulaanbaatar spring', courseId, trainerIds: [trainer1._id] },
    { _id: k2, name: 'Darkhan spring', courseId, trainerIds: [trainer2._id] },
  ]);
  const enrol = (
    user: Person,
    cohortId: Types.ObjectId,
    status: string,
    viewed: Types.ObjectId[],
    passed: string[],
  ) => ({
    userId: user._id,
    courseId,
    cohortId,
    status,
    lessonsViewed: viewed.map((lessonId) => ({ lessonId, version: 1, at: at(2) })),
    quizzesPassed: passed,
    startedAt: at(1),
    lastActivityAt: at(5),
    ...(status === 'completed' ? { completedAt: at(6) } : {}),
  });
  await db
    .collection('enrolments')
    .insertMany([
      enrol(u1, k1, 'completed', [l1, l2, l1], ['pre', 'lesson:lesson-a', 'post']),
      enrol(u2, k1, 'completed', [l1, l2], ['pre', 'lesson:lesson-a', 'post']),
      enrol(u3, k1, 'in_progress', [l1], []),
      enrol(u4, k2, 'completed', [l1, l2], ['pre', 'post']),
      enrol(u5, k2, 'in_progress', [l1, l2], ['lesson:lesson-a']),
      enrol(u6, k2, 'enrolled', [], []),
    ]);
  // results: [q1 correct?, q1 chosen, q2 correct?, q2 chosen]
  const attempt = (user: Person, key: 'pre' | 'post', no: number, day: number, q1: string, q2: string) => {
    const results = [
      { qid: 'q1', objective: 'A', correct: q1 === 'a', chosen: [q1] },
      { qid: 'q2', objective: 'B', correct: q2 === 'a', chosen: [q2] },
    ];
    const score = results.filter((r) => r.correct).length * 50;
    return {
      _id: id(),
      quizId: quiz[key],
      quizKey: key,
      courseId,
      userId: user._id,
      attemptNo: no,
      status: 'submitted',
      startedAt: at(day),
      submittedAt: at(day),
      score,
      passed: score >= (key === 'post' ? 70 : 0),
      results,
    };
  };
  await db.collection('attempts').insertMany([
    attempt(u1, 'pre', 1, 2, 'a', 'b'), // 50 (first pre counts)
    attempt(u1, 'pre', 2, 3, 'a', 'a'), // 100
    attempt(u2, 'pre', 1, 2, 'b', 'b'), // 0
    attempt(u3, 'pre', 1, 2, 'a', 'b'), // 50, no post
    attempt(u4, 'pre', 1, 2, 'a', 'a'), // 100
    attempt(u5, 'pre', 1, 2, 'c', 'b'), // 0
    attempt(u1, 'post', 1, 4, 'a', 'b'), // 50
    attempt(u2, 'post', 1, 4, 'b', 'a'), // 50
    attempt(u1, 'post', 2, 5, 'a', 'a'), // 100 (a retake: the first post counts)
    attempt(u4, 'post', 1, 4, 'a', 'a'), // 100
    attempt(u5, 'post', 1, 4, 'a', 'a'), // 100
    {
      ...attempt(u3, 'post', 1, 5, 'a', 'a'),
      status: 'started',
      score: undefined,
      submittedAt: undefined,
      results: [],
    },
  ]);
  // The trainees' test records, as the start-up job builds them for attempts stored before records.
  await buildMissingTestRecords(ctx);

  // Grants: one call needing the course; pitches at each stage.
  const callId = id();
  await db.collection('calls').insertOne({
    _id: callId,
    title: { en: 'Stories that protect dreams', mn: 'Мөрөөдлийг хамгаалах нийтлэл' },
    themes: [
      { id: 't1', label: { en: 'Safe migration', mn: 'Аюулгүй шилжилт хөдөлгөөн' } },
      { id: 't2', label: { en: 'Survivor voices', mn: 'Амьд үлдэгсдийн дуу хоолой' } },
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
    budgetPool: 5000,
    awardedTotal: 900,
    currency: 'USD',
    eligibility: { courseSlug: 'tip' },
    status: 'open',
  });
  const pitch = (user: Person, status: string, extra: Record<string, unknown> = {}) => ({
    _id: id(),
    callId,
    applicantId: user._id,
    status,
    themes: ['t1'],
    budgetTotal: 1000,
    ...extra,
  });
  const p = [
    pitch(u1, 'funded', { decision: { outcome: 'funded', amount: 900 } }),
    pitch(u2, 'submitted'),
    pitch(u4, 'draft'),
    pitch(u5, 'withdrawn'),
    pitch(u6, 'declined'),
  ];
  await db.collection('pitches').insertMany(p);
  const [p1, p2, , , p5] = p as [(typeof p)[0], (typeof p)[0], unknown, unknown, (typeof p)[0]];
  await db.collection('assignments').insertMany([
    { callId, pitchId: p1._id, reviewerId: r1._id, status: 'submitted' },
    { callId, pitchId: p5._id, reviewerId: r1._id, status: 'submitted' },
    { callId, pitchId: p2._id, reviewerId: r1._id, status: 'accepted' },
    { callId, pitchId: p1._id, reviewerId: r2._id, status: 'submitted' },
    { callId, pitchId: p2._id, reviewerId: r2._id, status: 'conflict_declared' },
  ]);
  const sc = (a: number, b: number) => [
    { criterionId: 'c1', score: a },
    { criterionId: 'c2', score: b },
  ];
  await db.collection('reviews').insertMany([
    { callId, pitchId: p1._id, reviewerId: r1._id, status: 'submitted', scores: sc(4, 5) },
    { callId, pitchId: p1._id, reviewerId: r2._id, status: 'submitted', scores: sc(3, 3) },
    { callId, pitchId: p5._id, reviewerId: r1._id, status: 'submitted', scores: sc(2, 2) },
    { callId, pitchId: p2._id, reviewerId: r1._id, status: 'draft', scores: sc(5, 5) },
  ]);
  await db
    .collection('awards')
    .insertOne({ pitchId: p1._id, callId, status: 'published', publishedAt: at(20) });

  return { courseId, quiz, k1, k2, callId, trainer1, trainer2, admin, adminMn, u1, u2, u3, u4, u5, u6, l1 };
}
