import mongoose, { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { callsByIds, utcToLocalInput } from '../grants';
import type { HomeTask } from '../accounts';
import { awardModel, type Award, type AwardStatus, type TrancheKey } from './model';

const $in = (values: unknown[]) => mongoose.trusted({ $in: values });
const id = (value: string | Types.ObjectId) => {
  if (value instanceof Types.ObjectId) return value;
  if (!/^[a-f0-9]{24}$/i.test(value)) throw new NotFound();
  return new Types.ObjectId(value);
};

/** Default tranche plan: 40 % on acceptance, 30 % on the draft, 30 % on publication. */
export const TRANCHE_PLAN: Array<{ key: TrancheKey; share: number }> = [
  { key: 'award', share: 40 },
  { key: 'draft', share: 30 },
  { key: 'publication', share: 30 },
];

/** Which award statuses reach each tranche's milestone. */
const TRANCHE_REACHED: Record<TrancheKey, AwardStatus[]> = {
  award: ['accepted', 'draft_received', 'published', 'closed'],
  draft: ['draft_received', 'published', 'closed'],
  publication: ['published', 'closed'],
};

/**
 * Tranches that wait for staff's ethics and safety check (the `ethics` milestone): everything after the
 * acceptance payment. Paying one before the check is refused with the way forward.
 */
export const ETHICS_FIRST: TrancheKey[] = ['draft', 'publication'];
const ethicsDone = (a: Pick<Award, 'milestones'>) => a.milestones.some((m) => m.key === 'ethics');

/** Whether a tranche may be paid now: its milestone reached and, where needed, the ethics check done. */
export function trancheDue(a: Pick<Award, 'status' | 'milestones'>, t: Award['tranches'][number]) {
  return (
    !t.paidAt && TRANCHE_REACHED[t.key].includes(a.status) && (!ETHICS_FIRST.includes(t.key) || ethicsDone(a))
  );
}

export function splitTranches(amount: number) {
  let left = amount;
  return TRANCHE_PLAN.map((t, i) => {
    const part = i === TRANCHE_PLAN.length - 1 ? left : Math.round((amount * t.share) / 100);
    left -= part;
    return { key: t.key, share: t.share, amount: part };
  });
}

/** Called when a pitch is funded. Idempotent: one award per pitch. */
export async function createAward(
  ctx: AppContext,
  input: {
    pitchId: Types.ObjectId;
    callId: Types.ObjectId;
    applicantId: Types.ObjectId;
    amount: number;
    title: string;
    outlet?: string;
  },
): Promise<Award> {
  const award = await awardModel(ctx.db)
    .findOneAndUpdate(
      { pitchId: input.pitchId },
      {
        $setOnInsert: { ...input, status: 'offered', milestones: [], tranches: splitTranches(input.amount) },
      },
      { upsert: true, new: true },
    )
    .lean()
    .catch(async (err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      return awardModel(ctx.db).findOne({ pitchId: input.pitchId }).lean();
    });
  return award!;
}

/**
 * An award exists from the moment a pitch is funded, but its applicant learns of it only when the
 * call's decisions are released: until then it is not theirs to see (a 404, like any other award).
 */
async function released(ctx: AppContext, awards: Award[]): Promise<Award[]> {
  const calls = await callsByIds(ctx, [...new Set(awards.map((a) => String(a.callId)))].map(id));
  const out = new Set(calls.filter((c) => c.decisionsReleasedAt).map((c) => String(c._id)));
  return awards.filter((a) => out.has(String(a.callId)));
}

/** A call's awards, only once its decisions are released (before that an award would leak one). */
export async function releasedAwardsOfCall(ctx: AppContext, callId: string): Promise<Award[]> {
  const awards = await awardModel(ctx.db)
    .find({ callId: id(callId) })
    .sort({ createdAt: 1 })
    .limit(500)
    .lean();
  return released(ctx, awards);
}

export async function myAwards(ctx: AppContext, userId: string) {
  const mine = await awardModel(ctx.db)
    .find({ applicantId: id(userId) })
    .sort({ createdAt: -1 })
    .limit(100)
    .lean();
  return released(ctx, mine);
}

export async function myAward(ctx: AppContext, userId: string, awardId: string): Promise<Award> {
  const award = await awardModel(ctx.db)
    .findOne({ _id: id(awardId), applicantId: id(userId) })
    .lean();
  if (!award || !(await released(ctx, [award])).length) throw new NotFound();
  return award;
}

export async function anyAward(ctx: AppContext, awardId: string): Promise<Award> {
  const award = await awardModel(ctx.db)
    .findOne({ _id: id(awardId) })
    .lean();
  if (!award) throw new NotFound();
  return award;
}

/** Story titles of these awards, by id (for the audit log). */
export async function listAwardTitles(ctx: AppContext, ids: string[]): Promise<Map<string, string>> {
  const list = await awardModel(ctx.db)
    .find({ _id: $in(ids.map(id)) }, { title: 1 })
    .lean();
  return new Map(list.map((a) => [String(a._id), a.title]));
}

export async function listAwards(ctx: AppContext) {
  return awardModel(ctx.db).find({}).sort({ createdAt: -1 }).limit(500).lean();
}

/** One conditional step for the journalist's own award; a repeat or out-of-order step is a 409. */
async function journalistStep(
  ctx: AppContext,
  user: SessionUser,
  awardId: string,
  from: AwardStatus,
  update: Record<string, unknown>,
  action: string,
): Promise<Award> {
  await myAward(ctx, user.id, awardId); // 404 when not theirs, or not released yet
  const updated = await awardModel(ctx.db)
    .findOneAndUpdate({ _id: id(awardId), applicantId: id(user.id), status: from }, update, { new: true })
    .lean();
  if (!updated) throw new Conflict('awards.errors.wrongStep');
  await recordAudit(ctx, user, action, { type: 'award', id: updated._id }, { status: updated.status });
  return updated;
}

export function acceptAward(ctx: AppContext, user: SessionUser, awardId: string) {
  const now = ctx.clock.now();
  return journalistStep(
    ctx,
    user,
    awardId,
    'offered',
    { $set: { status: 'accepted', acceptedAt: now } },
    'award.accepted',
  );
}

export function submitDraft(
  ctx: AppContext,
  user: SessionUser,
  awardId: string,
  input: { link?: string; note?: string },
) {
  const milestone = {
    key: 'draft',
    at: ctx.clock.now(),
    by: id(user.id),
    link: input.link,
    note: input.note,
  };
  return journalistStep(
    ctx,
    user,
    awardId,
    'accepted',
    { $set: { status: 'draft_received' }, $push: { milestones: milestone } },
    'award.milestone',
  );
}

/** Today's calendar day in the award's call zone, as the UTC midnight a date input parses to. */
async function todayInCallZone(ctx: AppContext, award: Pick<Award, 'callId'>): Promise<Date> {
  const [call] = await callsByIds(ctx, [award.callId]);
  const day = utcToLocalInput(ctx.clock.now(), call?.timeZone ?? 'Asia/Ulaanbaatar').slice(0, 10);
  return new Date(`${day}T00:00:00Z`);
}

const futureDate = () => new Invalid('awards.errors.futureDate', { date: 'awards.errors.futureDate' });

/** The journalist reports the story out: a link and a date that is not in the future. Listed once staff confirm. */
export async function submitPublished(
  ctx: AppContext,
  user: SessionUser,
  awardId: string,
  input: { url: string; date: Date; listPublicly?: 'yes' },
) {
  const award = await myAward(ctx, user.id, awardId);
  if (input.date > (await todayInCallZone(ctx, award))) throw futureDate();
  const milestone = { key: 'published', at: ctx.clock.now(), by: id(user.id), link: input.url };
  const listPublicly = input.listPublicly === 'yes';
  return journalistStep(
    ctx,
    user,
    awardId,
    'draft_received',
    {
      $set: { status: 'published', publishedUrl: input.url, publishedAt: input.date, listPublicly },
      $push: { milestones: milestone },
    },
    'award.milestone',
  );
}

/**
 * Staff: the reported publication checked (the link opened and shows the story; its date is not in the
 * future). Only confirmed publications appear on the public list. Once.
 */
export async function confirmPublication(ctx: AppContext, actor: SessionUser, awardId: string) {
  const award = await anyAward(ctx, awardId);
  if (award.publishedAt && award.publishedAt > (await todayInCallZone(ctx, award))) throw futureDate();
  const now = ctx.clock.now();
  const updated = await awardModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: id(awardId),
        status: $in(['published', 'closed']),
        publicationConfirmedAt: mongoose.trusted({ $exists: false }),
      },
      {
        $set: { publicationConfirmedAt: now, publicationConfirmedBy: id(actor.id) },
        $push: { milestones: { key: 'confirmed', at: now, by: id(actor.id) } },
      },
      { new: true },
    )
    .lean();
  if (!updated) throw new Conflict('awards.errors.wrongStep');
  await recordAudit(ctx, actor, 'award.milestone', { type: 'award', id: updated._id }, { key: 'confirmed' });
  return updated;
}

/** Staff: ethics check passed (once). */
export async function recordEthicsCheck(ctx: AppContext, actor: SessionUser, awardId: string, note?: string) {
  const milestone = { key: 'ethics', at: ctx.clock.now(), by: id(actor.id), note };
  const updated = await awardModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: id(awardId),
        status: $in(['accepted', 'draft_received', 'published']),
        'milestones.key': mongoose.trusted({ $ne: 'ethics' }),
      },
      { $push: { milestones: milestone } },
      { new: true },
    )
    .lean();
  if (!updated) {
    await anyAward(ctx, awardId);
    throw new Conflict('awards.errors.wrongStep');
  }
  await recordAudit(ctx, actor, 'award.milestone', { type: 'award', id: updated._id }, { key: 'ethics' });
  return updated;
}

/** Staff: pays one tranche, only once its milestone is reached; paying twice is a 409. */
export async function payTranche(
  ctx: AppContext,
  actor: SessionUser,
  awardId: string,
  key: TrancheKey,
  reference?: string,
) {
  // Address the tranche by index (read once; keys never move) so the update stays one conditional
  // write without the positional operator, which the embedded server does not support.
  const index = (await anyAward(ctx, awardId)).tranches.findIndex((t) => t.key === key);
  if (index < 0) throw new NotFound();
  const path = `tranches.${index}`;
  const updated = await awardModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: id(awardId),
        status: $in(TRANCHE_REACHED[key]),
        [`${path}.key`]: key,
        [`${path}.paidAt`]: mongoose.trusted({ $exists: false }),
        ...(ETHICS_FIRST.includes(key) ? { 'milestones.key': 'ethics' } : {}),
      },
      {
        $set: {
          [`${path}.paidAt`]: ctx.clock.now(),
          [`${path}.paidBy`]: id(actor.id),
          ...(reference ? { [`${path}.reference`]: reference } : {}),
        },
      },
      { new: true },
    )
    .lean();
  if (!updated) {
    const award = await anyAward(ctx, awardId);
    const paid = award.tranches.find((t) => t.key === key)?.paidAt;
    if (paid) throw new Conflict('awards.errors.alreadyPaid');
    if (!TRANCHE_REACHED[key].includes(award.status)) throw new Conflict('awards.errors.milestoneNotReached');
    throw new Conflict('awards.errors.ethicsFirst');
  }
  await recordAudit(ctx, actor, 'award.paid', { type: 'award', id: updated._id }, { tranche: key });
  return updated;
}

export async function closeAward(ctx: AppContext, actor: SessionUser, awardId: string) {
  const updated = await awardModel(ctx.db)
    .findOneAndUpdate(
      { _id: id(awardId), status: 'published' },
      { $set: { status: 'closed', closedAt: ctx.clock.now() } },
      { new: true },
    )
    .lean();
  if (!updated) {
    await anyAward(ctx, awardId);
    throw new Conflict('awards.errors.wrongStep');
  }
  await recordAudit(ctx, actor, 'award.closed', { type: 'award', id: updated._id });
  return updated;
}

/**
 * The journalist lists the published link on the public page, or withdraws it (at any time after
 * publishing). Their consent alone decides; staff confirmation is still needed before it shows.
 */
export async function setListing(ctx: AppContext, user: SessionUser, awardId: string, listPublicly: boolean) {
  const updated = await awardModel(ctx.db)
    .findOneAndUpdate(
      { _id: id(awardId), applicantId: id(user.id), status: $in(['published', 'closed']) },
      { $set: { listPublicly } },
      { new: true },
    )
    .lean();
  if (!updated) {
    await myAward(ctx, user.id, awardId); // not theirs: 404
    throw new Conflict('awards.errors.wrongStep');
  }
  await recordAudit(ctx, user, 'award.listing', { type: 'award', id: updated._id }, { listPublicly });
  return updated;
}

/**
 * Published work for the public page: publications staff have confirmed, newest first. `listPublicly`
 * says whether the main link may show; further pieces carry their own consent (impact module).
 */
export async function publishedAwards(ctx: AppContext) {
  return awardModel(ctx.db)
    .find(
      {
        status: $in(['published', 'closed']),
        publishedUrl: mongoose.trusted({ $exists: true }),
        publicationConfirmedAt: mongoose.trusted({ $exists: true }),
      },
      { callId: 1, title: 1, outlet: 1, publishedUrl: 1, publishedAt: 1, listPublicly: 1 },
    )
    .sort({ publishedAt: -1 })
    .limit(500)
    .lean();
}

/** Staff's "needs doing": reported publications to check, and tranches whose milestone is reached. */
export async function awardTasks(ctx: AppContext, user: SessionUser): Promise<HomeTask[]> {
  if (user.role !== 'admin') return [];
  const live = await awardModel(ctx.db)
    .find(
      { status: $in(['accepted', 'draft_received', 'published', 'closed']) },
      { status: 1, tranches: 1, milestones: 1, publicationConfirmedAt: 1 },
    )
    .limit(1000)
    .lean();
  const toCheck = live.filter((a) => a.status === 'published' && !a.publicationConfirmedAt);
  const payable = live.filter((a) => a.tranches.some((t) => trancheDue(a, t)));
  // Staff's own milestone: the ethics and safety check, due once the award is accepted.
  const ethics = live.filter((a) => a.status !== 'closed' && !ethicsDone(a));
  const tasks: HomeTask[] = [];
  const href = (list: Award[]) => (list.length === 1 ? `/admin/awards/${list[0]!._id}` : '/admin/awards');
  if (ethics.length)
    tasks.push({ key: 'awards.home.ethics', params: { count: ethics.length }, href: href(ethics) });
  if (toCheck.length)
    tasks.push({ key: 'awards.home.confirm', params: { count: toCheck.length }, href: href(toCheck) });
  if (payable.length)
    tasks.push({ key: 'awards.home.pay', params: { count: payable.length }, href: href(payable) });
  return tasks;
}
