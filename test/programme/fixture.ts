import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import { buildCall, buildCourse, buildUser } from '../factories';
import { courseModel, cohortModel, enrolmentModel } from '../../modules/learning/model';
import { liveSessionModel } from '../../modules/sessions/model';
import { pitchModel } from '../../modules/grants/model';
import { pieceModel } from '../../modules/impact/model';
import { buildMissingTestRecords } from '../../modules/quizzes/test-records';

/**
 * A whole programme for the period 2030-01-01 … 2030-12-31 in Asia/Ulaanbaatar (UTC+8, no DST),
 * i.e. [2029-12-31T16:00Z, 2030-12-31T16:00Z). Every figure of the report is worked out by hand in
 * report.test.ts from the tables below.
 *
 * Trainees of course P, cohort K1 (trainer T1):
 *   u   region       outlet type  gender  consent  enrolled (UTC)          completed
 *   u1  Ulaanbaatar  newspaper    female  yes      2030-03-01              2030-05-01
 *   u2  Ulaanbaatar  newspaper    female  yes      2030-03-01              2030-05-01
 *   u3  Ulaanbaatar  newspaper    female  yes      2030-03-01              2030-05-01
 *   u4  Ulaanbaatar  newspaper    female  yes      2030-03-01              2030-05-01
 *   u5  Ulaanbaatar  newspaper    female  yes      2030-03-01              2030-05-01
 *   u6  Ulaanbaatar  newspaper    male    yes      2030-03-01              2030-05-01
 *   u7  Ulaanbaatar  tv           male    yes      2030-03-01              2031-02-01 (after the period)
 *   u8  Darkhan-Uul  tv           male    yes      2030-03-01              2030-06-01
 *   u9  Darkhan-Uul  tv           male    yes      2030-03-01              –
 *   u10 Darkhan-Uul  tv           male    yes      2030-03-01              –
 *   u11 Orkhon       tv           other   yes      2030-03-01              –
 *   u12 –            radio        female  NO       2029-12-31T16:30Z = 00:30 on 1 Jan in UB (inside)
 * Outside the report: u13 (cohort K2, trainer T2) enrolled 2029-12-31T15:59Z = 23:59 on 31 Dec in UB;
 * u14 enrolled in another course.
 */
export async function buildProgramme(ctx: AppContext) {
  const db = ctx.db;
  const utc = (s: string) => new Date(s);
  const { course } = await buildCourse(ctx, {
    title: { en: 'Safe migration reporting', mn: 'Аюулгүй шилжилтийн сурвалжлага' },
  });
  const { course: other } = await buildCourse(ctx);
  await courseModel(db).updateOne(
    { _id: course._id },
    {
      $set: {
        objectives: [
          { id: 'A', label: { en: 'Define trafficking', mn: 'Хүний наймааг тодорхойлох' } },
          { id: 'B', label: { en: 'Protect sources', mn: 'Эх сурвалжаа хамгаалах' } },
        ],
      },
    },
  );
  const admin = await buildUser(ctx, { role: 'admin', name: 'Programme Officer' });
  const adminMn = await buildUser(ctx, { role: 'admin', name: 'Хөтөлбөрийн ажилтан', locale: 'mn' });
  const t1 = await buildUser(ctx, { role: 'trainer', name: 'Trainer One' });
  const t2 = await buildUser(ctx, { role: 'trainer', name: 'Trainer Two' });
  const k1 = await cohortModel(db).create({
    name: 'Spring 2030',
    courseId: course._id,
    trainerIds: [t1._id],
  });
  const k2 = await cohortModel(db).create({
    name: 'Winter 2029',
    courseId: course._id,
    trainerIds: [t2._id],
  });

  type Spec = [string, string | undefined, string, string, boolean, string, string | undefined];
  const specs: Spec[] = [
    ['u1', 'Ulaanbaatar', 'newspaper', 'female', true, '2030-03-01', '2030-05-01'],
    ['u2', 'Ulaanbaatar', 'newspaper', 'female', true, '2030-03-01', '2030-05-01'],
    ['u3', 'Ulaanbaatar', 'newspaper', 'female', true, '2030-03-01', '2030-05-01'],
    ['u4', 'Ulaanbaatar', 'newspaper', 'female', true, '2030-03-01', '2030-05-01'],
    ['u5', 'Ulaanbaatar', 'newspaper', 'female', true, '2030-03-01', '2030-05-01'],
    ['u6', 'Ulaanbaatar', 'newspaper', 'male', true, '2030-03-01', '2030-05-01'],
    ['u7', 'Ulaanbaatar', 'tv', 'male', true, '2030-03-01', '2031-02-01'],
    ['u8', 'Darkhan-Uul', 'tv', 'male', true, '2030-03-01', '2030-06-01'],
    ['u9', 'Darkhan-Uul', 'tv', 'male', true, '2030-03-01', undefined],
    ['u10', 'Darkhan-Uul', 'tv', 'male', true, '2030-03-01', undefined],
    ['u11', 'Orkhon', 'tv', 'other', true, '2030-03-01', undefined],
    ['u12', undefined, 'radio', 'female', false, '2029-12-31T16:30:00Z', undefined],
  ];
  const u: Array<Awaited<ReturnType<typeof buildUser>>> = [];
  for (const [name, region, outletType, gender, consent, enrolledAt, completedAt] of specs) {
    const user = await buildUser(ctx, {
      name: `Trainee ${name}`,
      ...(region ? { region } : {}),
      outletType: outletType as 'tv',
      gender: gender as 'male',
      ...(consent ? { statsConsentAt: utc('2030-02-01') } : {}),
    });
    u.push(user);
    await enrolmentModel(db).create({
      userId: user._id,
      courseId: course._id,
      cohortId: k1._id,
      status: completedAt ? 'completed' : 'in_progress',
      enrolledAt: utc(enrolledAt),
      ...(completedAt ? { completedAt: utc(completedAt) } : {}),
    });
  }
  const u13 = await buildUser(ctx, { name: 'Trainee u13', region: 'Ulaanbaatar' });
  await enrolmentModel(db).create({
    userId: u13._id,
    courseId: course._id,
    cohortId: k2._id,
    status: 'completed',
    enrolledAt: utc('2029-12-31T15:59:00Z'),
    completedAt: utc('2030-02-01'),
  });
  const u14 = await buildUser(ctx, { name: 'Trainee u14' });
  await enrolmentModel(db).create({
    userId: u14._id,
    courseId: other._id,
    status: 'enrolled',
    enrolledAt: utc('2030-03-01'),
  });

  // Live sessions (the course's zone is the default, Asia/Ulaanbaatar).
  const ids = (list: Array<{ _id: Types.ObjectId }>) => list.map((x) => x._id);
  const session = (
    title: string,
    startsAt: string,
    status: string,
    reg: Types.ObjectId[],
    att: Types.ObjectId[],
  ) => ({
    courseId: course._id,
    kind: 'workshop',
    title: { en: title, mn: `${title} (мн)` },
    startsAt: utc(startsAt),
    endsAt: new Date(utc(startsAt).getTime() + 3600_000),
    timeZone: 'Asia/Ulaanbaatar',
    capacity: 20,
    seatsLeft: 20 - reg.length,
    status,
    registeredIds: reg,
    registrations: reg.map((userId) => ({ userId, at: utc('2030-03-02') })),
    attendedIds: att,
    attendance: att.map((userId) => ({ userId, at: utc(startsAt), by: 'trainer' })),
    checkInCode: 'ABC123',
  });
  await liveSessionModel(db).insertMany([
    // S1: u1–u10 signed up, u1–u8 attended.
    session('S1', '2030-03-10T02:00:00Z', 'scheduled', ids(u.slice(0, 10)), ids(u.slice(0, 8))),
    // S2: u1–u6 and u13 signed up, u1–u3 and u13 attended (u13 is not a trainee of the period).
    session(
      'S2',
      '2030-04-10T02:00:00Z',
      'scheduled',
      [...ids(u.slice(0, 6)), u13._id],
      [...ids(u.slice(0, 3)), u13._id],
    ),
    // Cancelled, and after the period: never counted.
    session('S3', '2030-05-01T02:00:00Z', 'cancelled', ids(u), ids(u)),
    session('S4', '2031-02-01T02:00:00Z', 'scheduled', ids(u), ids(u)),
  ]);

  // Pre/post tests: objective A (q1) and B (q2); one attitude item (att) and one practice item (prac).
  const quiz = { pre: new Types.ObjectId(), post: new Types.ObjectId() };
  await db.collection('surveyitems').insertMany(
    [
      ['att', 'attitude', 'agreement', 1],
      ['prac', 'practice', 'frequency', 2],
    ].map(([sid, kind, scale, position]) => ({
      courseId: course._id,
      sid,
      kind,
      scale,
      reversed: false,
      position,
      dimension: 'consent',
      dimensionLabel: { en: 'Consent', mn: 'Зөвшөөрөл' },
      text: { en: `Statement ${String(sid)}`, mn: `Өгүүлбэр ${String(sid)}` },
    })),
  );
  // Per trainee: [q1 pre, q1 post, q2 pre, q2 post (null: not asked), att pre, att post, prac pre, prac post]
  type Answers = [
    boolean,
    boolean,
    boolean | null,
    boolean | null,
    number,
    number,
    number | null,
    number | null,
  ];
  const answers: Array<[Types.ObjectId, Answers]> = [
    [u[0]!._id, [false, true, false, true, 2, 4, 3, 4]],
    [u[1]!._id, [false, true, false, true, 2, 4, 3, 5]],
    [u[2]!._id, [false, true, false, false, 3, 4, 2, 4]],
    [u[3]!._id, [false, true, false, true, 3, 5, null, null]],
    [u[4]!._id, [false, true, null, null, 4, 4, null, null]],
    [u[5]!._id, [true, true, null, null, 2, 3, null, null]],
    // u13 is in cohort K2, outside the period: never counted.
    [u13._id, [false, false, false, false, 5, 1, 5, 1]],
  ];
  const attempts = answers.flatMap(([userId, a]) =>
    (['pre', 'post'] as const).map((key, i) => {
      const q1 = a[i] as boolean;
      const q2 = a[2 + i] as boolean | null;
      const att = a[4 + i] as number;
      const prac = a[6 + i] as number | null;
      const results = [
        { qid: 'q1', objective: 'A', correct: q1, chosen: ['a'] },
        ...(q2 === null ? [] : [{ qid: 'q2', objective: 'B', correct: q2, chosen: ['a'] }]),
      ];
      return {
        quizId: quiz[key],
        quizKey: key,
        courseId: course._id,
        userId,
        attemptNo: 1,
        status: 'submitted',
        startedAt: utc(key === 'pre' ? '2030-03-02' : '2030-04-20'),
        submittedAt: utc(key === 'pre' ? '2030-03-02' : '2030-04-20'),
        score: (100 * results.filter((r) => r.correct).length) / results.length,
        passed: true,
        results,
        surveyResults: [
          { sid: 'att', kind: 'attitude', choice: String(att), value: att, keyed: att, high: att >= 4 },
          ...(prac === null
            ? []
            : [
                {
                  sid: 'prac',
                  kind: 'practice',
                  choice: String(prac),
                  value: prac,
                  keyed: prac,
                  high: prac === 5,
                },
              ]),
        ],
      };
    }),
  );
  await db.collection('attempts').insertMany(attempts);
  // The trainees' test records, as the start-up job builds them for attempts stored before records.
  await buildMissingTestRecords(ctx);

  // Grants. C1 opened in the period (themes tip, migration, media); C2 opened before it; C3 is a draft.
  const themes = [
    { id: 'tip', label: { en: 'Trafficking', mn: 'Хүний наймаа' } },
    { id: 'migration', label: { en: 'Safe migration', mn: 'Аюулгүй шилжилт хөдөлгөөн' } },
    { id: 'media', label: { en: 'Media ethics', mn: 'Хэвлэлийн ёс зүй' } },
  ];
  const c1 = await buildCall(ctx, {
    title: { en: 'Stories 2030', mn: 'Нийтлэл 2030' },
    themes,
    opensAt: utc('2030-02-01'),
    closesAt: utc('2030-03-01'),
    status: 'decided',
  });
  const c2 = await buildCall(ctx, {
    themes,
    opensAt: utc('2029-06-01'),
    closesAt: utc('2029-07-01'),
    status: 'decided',
  });
  await buildCall(ctx, { themes, opensAt: utc('2030-02-01'), closesAt: utc('2030-03-01'), status: 'draft' });
  const pitch = (callId: Types.ObjectId, n: number, themeIds: string[], status: string, amount?: number) => ({
    callId,
    applicantId: new Types.ObjectId(),
    slot: 0,
    status,
    title: `Pitch ${n}`,
    angle: 'Angle',
    audience: 'Audience',
    outlet: 'Outlet',
    format: 'article',
    themes: themeIds,
    ethicsPlan: 'Consent',
    budgetLines: [],
    budgetTotal: amount ?? 0,
    timeline: 'Two months',
    fileIds: [],
    ...(status === 'draft' ? {} : { submittedAt: utc('2030-02-15'), reference: `DU30-000${n}` }),
    ...(amount !== undefined ? { decision: { outcome: status, amount, decidedAt: utc('2030-03-10') } } : {}),
  });
  await pitchModel(db).insertMany([
    pitch(c1._id, 1, ['tip', 'media'], 'funded', 1_000_000),
    pitch(c1._id, 2, ['tip', 'media'], 'funded', 1_500_000),
    pitch(c1._id, 3, ['tip', 'media'], 'funded', 2_000_000),
    pitch(c1._id, 4, ['tip', 'media'], 'funded', 500_000),
    pitch(c1._id, 5, ['tip', 'media'], 'funded', 1_000_000),
    pitch(c1._id, 6, ['tip', 'migration'], 'declined', 0),
    pitch(c1._id, 7, ['migration'], 'funded', 800_000),
    pitch(c1._id, 8, ['migration'], 'waitlisted', 0),
    pitch(c1._id, 9, ['tip'], 'draft'),
    pitch(c2._id, 1, ['tip'], 'funded', 9_000_000),
  ]);

  // Publications: three in the period, one before it.
  const staff = admin._id;
  const fig = (metric: string, value: number, asOf: string, verified: boolean) => ({
    metric,
    value,
    asOf: utc(asOf),
    source: 'Outlet analytics',
    reportedBy: u[0]!._id,
    reportedAt: utc(asOf),
    ...(verified ? { verifiedAt: utc(asOf), verifiedBy: staff } : {}),
  });
  const piece = (n: number, publishedOn: string, format: string, status: string, reach: unknown[]) => ({
    awardId: new Types.ObjectId(),
    ownerId: new Types.ObjectId(),
    outlet: `Outlet ${n}`,
    url: `https://news.example.org/story/${n}`,
    publishedOn: utc(publishedOn),
    language: 'mn',
    format,
    listPublicly: false,
    link: { status, checkedAt: utc(publishedOn) },
    reach,
  });
  await pieceModel(db).insertMany([
    piece(1, '2030-05-01', 'article', 'ok', [
      fig('views', 1000, '2030-05-05', true),
      fig('views', 2500, '2030-06-05', true),
      fig('views', 9000, '2030-07-05', false),
      fig('shares', 40, '2030-05-05', true),
    ]),
    piece(2, '2030-06-01', 'tv', 'dead', [fig('airings', 3, '2030-06-10', true)]),
    piece(3, '2030-07-01', 'social', 'ok', [
      fig('views', 1200, '2030-07-02', true),
      fig('comments', 15, '2030-07-02', false),
    ]),
    piece(4, '2029-12-01', 'article', 'ok', [fig('views', 50_000, '2030-01-02', true)]),
  ]);
  return { course, other, admin, adminMn, t1, t2, k1, k2, u, u13, c1 };
}

export const PERIOD = { from: '2030-01-01', to: '2030-12-31' };
