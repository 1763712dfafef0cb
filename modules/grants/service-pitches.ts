import { Types } from 'mongoose';
import type { AppContext } from '../../server/context';
import type { Locale, SessionUser } from '../../server/types';
import { Conflict, Forbidden, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { isObjectId, oid, trusted } from '../../server/db/ids';
import { enqueueEmail } from '../notifications';
import { usersByIds } from '../accounts';
import {
  DECIDED_STATUSES,
  callModel,
  editableStatuses,
  pitchModel,
  type Call,
  type Pitch,
  type PitchStatus,
} from './model';
import type { PitchForm } from './schemas';
import { acceptingPitches, getCall } from './service-calls';
import { eligibilityFor } from './eligibility';
import { formatInZone, utcToLocalInput } from './time';

type Actor = Pick<SessionUser, 'id' | 'role'>;
const MAX_PITCHES_PER_CALL = 5;

/** The signed-in journalist's own pitch; anyone else's is a 404. */
export async function myPitch(ctx: AppContext, userId: string, pitchId: string): Promise<Pitch> {
  if (!isObjectId(pitchId)) throw new NotFound();
  const pitch = await pitchModel(ctx.db).findOne({ _id: pitchId, applicantId: userId }).lean();
  if (!pitch) throw new NotFound();
  return pitch as Pitch;
}

export async function myPitches(ctx: AppContext, userId: string): Promise<Pitch[]> {
  return (
    (await pitchModel(ctx.db)
      .find({ applicantId: userId }, { title: 1, status: 1, callId: 1, submittedAt: 1 })
      // Newest first by creation: an order by updatedAt would move a pitch staff just decided.
      .sort({ createdAt: -1 })
      .limit(100)
      .lean()) as Pitch[]
  );
}

export async function myPitchesForCall(ctx: AppContext, userId: string, callId: string): Promise<Pitch[]> {
  return (await pitchModel(ctx.db)
    .find({ applicantId: userId, callId }, { title: 1, status: 1, submittedAt: 1, slot: 1 })
    .sort({ slot: 1 })
    .lean()) as Pitch[];
}

export interface Editability {
  editable: boolean;
  /** i18n key saying why not. */
  reason?: string;
}

/**
 * Drafts can be edited until the close; submitted pitches too, unless the call is rolling (then
 * editing ends at submission). After the close nothing changes.
 */
export function editability(call: Call, pitch: Pick<Pitch, 'status'>, now: Date): Editability {
  if (now >= call.closesAt || call.status !== 'open')
    return { editable: false, reason: 'grants.errors.closed' };
  if (editableStatuses(call).includes(pitch.status)) return { editable: true };
  return { editable: false, reason: 'grants.errors.notEditable' };
}

export async function createDraft(ctx: AppContext, user: Actor, callId: string): Promise<Pitch> {
  const call = await getCall(ctx, callId);
  const now = ctx.clock.now();
  if (call.status === 'draft') throw new NotFound();
  if (!acceptingPitches(call, now)) throw new Conflict('grants.errors.closed');
  const eligibility = await eligibilityFor(ctx, user, call);
  if (!eligibility.eligible) throw new Forbidden(eligibility.reason);
  const Pitches = pitchModel(ctx.db);
  const base = { callId: call._id, applicantId: oid(user.id) };
  if (!call.allowMultiplePitches) {
    const existing = await Pitches.findOne({ ...base, slot: 0 }).lean();
    if (existing) return existing as Pitch;
  }
  const slots = call.allowMultiplePitches ? MAX_PITCHES_PER_CALL : 1;
  for (let slot = 0; slot < slots; slot++) {
    try {
      const created = await Pitches.create({ ...base, slot, status: 'draft' });
      await recordAudit(ctx, user, 'pitch.created', { type: 'pitch', id: created._id }, { callId });
      return created.toObject() as Pitch;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      if (!call.allowMultiplePitches) {
        const existing = await Pitches.findOne({ ...base, slot: 0 }).lean();
        if (existing) return existing as Pitch;
      }
    }
  }
  throw new Conflict('grants.errors.tooManyPitches');
}

function budgetFrom(form: PitchForm) {
  const lines: Array<{ item: string; amount: number }> = [];
  const errors: Record<string, string> = {};
  const rows = Math.max(form.budgetItem.length, form.budgetAmount.length);
  for (let i = 0; i < rows; i++) {
    const item = form.budgetItem[i] ?? '';
    const raw = form.budgetAmount[i] ?? '';
    if (!item && !raw) continue;
    const amount = raw ? Number(raw) : 0;
    if (!item || !raw || !Number.isSafeInteger(amount) || amount > 1e12) {
      errors.budgetLines = 'grants.errors.budgetLine';
      continue;
    }
    lines.push({ item, amount });
  }
  return { lines, total: lines.reduce((s, l) => s + l.amount, 0), errors };
}

/** Saves the form (Save button or autosave) against the version the editor loaded. */
export async function savePitch(
  ctx: AppContext,
  user: Actor,
  pitchId: string,
  form: PitchForm,
): Promise<Pitch> {
  const pitch = await myPitch(ctx, user.id, pitchId);
  const call = await getCall(ctx, String(pitch.callId));
  const can = editability(call, pitch, ctx.clock.now());
  if (!can.editable) throw new Conflict(can.reason);
  const { lines, total, errors } = budgetFrom(form);
  const themeIds = new Set(call.themes.map((t) => t.id));
  if (form.themes.some((t) => !themeIds.has(t))) errors.themes = 'grants.errors.theme';
  if (Object.keys(errors).length) throw new Invalid('errors.invalid', errors);
  const fields = {
    title: form.title ?? '',
    angle: form.angle ?? '',
    audience: form.audience ?? '',
    outlet: form.outlet ?? '',
    format: form.format ?? '',
    themes: [...new Set(form.themes)],
    ethicsPlan: form.ethicsPlan ?? '',
    budgetLines: lines,
    budgetTotal: total,
    timeline: form.timeline ?? '',
  };
  const updated = await pitchModel(ctx.db)
    .findOneAndUpdate(
      {
        _id: pitch._id,
        applicantId: user.id,
        __v: form.version,
        status: trusted({ $in: editableStatuses(call) }),
      },
      { $set: { ...fields, editedAt: ctx.clock.now() }, $inc: { __v: 1 } },
      { new: true, runValidators: true },
    )
    .lean();
  if (!updated) {
    const now = await myPitch(ctx, user.id, pitchId);
    if (!editableStatuses(call).includes(now.status)) throw new Conflict('grants.errors.notEditable');
    throw new Conflict('errors.staleEdit');
  }
  if (updated.status === 'submitted')
    await recordAudit(ctx, user, 'pitch.edited', { type: 'pitch', id: pitch._id }, { afterSubmit: true });
  return updated as Pitch;
}

/** Field → i18n key for everything a submission still needs. */
export function missingForSubmission(call: Call, pitch: Pitch): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of ['title', 'angle', 'audience', 'format', 'ethicsPlan', 'timeline'] as const)
    if (!pitch[f]?.trim()) errors[f] = 'grants.errors.required';
  if (call.themes.length && !pitch.themes.length) errors.themes = 'grants.errors.chooseTheme';
  if (!pitch.budgetLines.length) errors.budgetLines = 'grants.errors.budgetEmpty';
  else if (pitch.budgetTotal > call.maxAward) errors.budgetLines = 'grants.errors.overMaxAward';
  return errors;
}

/**
 * Draft → submitted once, by the server's clock, before the close. Repeats return the submitted
 * pitch; the receipt is queued with a dedupe key so it goes out once.
 */
export async function submitPitch(
  ctx: AppContext,
  user: Actor,
  pitchId: string,
): Promise<{ pitch: Pitch; first: boolean }> {
  const pitch = await myPitch(ctx, user.id, pitchId);
  const call = await getCall(ctx, String(pitch.callId));
  const now = ctx.clock.now();
  if (pitch.status === 'submitted') return { pitch, first: false };
  if (pitch.status !== 'draft') throw new Conflict('grants.errors.notEditable');
  if (!acceptingPitches(call, now)) throw new Conflict('grants.errors.closed');
  const eligibility = await eligibilityFor(ctx, user, call);
  if (!eligibility.eligible) throw new Forbidden(eligibility.reason);
  const missing = missingForSubmission(call, pitch);
  if (Object.keys(missing).length) throw new Invalid('grants.errors.incomplete', missing);
  const receiptKey = `receipt:${String(pitch._id)}`;
  const updated = await pitchModel(ctx.db)
    .findOneAndUpdate(
      { _id: pitch._id, applicantId: user.id, status: 'draft' },
      { $set: { status: 'submitted', submittedAt: now, editedAt: now, receiptKey }, $inc: { __v: 1 } },
      { new: true },
    )
    .lean();
  if (!updated) {
    const current = await myPitch(ctx, user.id, pitchId);
    if (current.status === 'submitted') return { pitch: current, first: false };
    throw new Conflict('grants.errors.notEditable');
  }
  await recordAudit(
    ctx,
    user,
    'pitch.submitted',
    { type: 'pitch', id: pitch._id },
    { callId: String(call._id) },
  );
  const withReference = await giveReference(ctx, call, updated as Pitch);
  await sendReceipt(ctx, call, withReference);
  return { pitch: withReference, first: true };
}

/**
 * The call's initials and the deadline's year: "Dream Umbrella stories 2027" closing in 2027 → DU27.
 * Letters only (Latin from the English title; X when there are none).
 */
export function referencePrefix(call: Pick<Call, 'title' | 'closesAt' | 'timeZone'>): string {
  const skip = new Set(['a', 'an', 'the', 'of', 'for', 'and', 'on', 'in', 'to']);
  const initials = (call.title.en || '')
    .split(/[^A-Za-z]+/)
    .filter((w) => w && !skip.has(w.toLowerCase()))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  const year = utcToLocalInput(call.closesAt, call.timeZone).slice(2, 4);
  return `${initials || 'X'}${year}`;
}

/**
 * A short reference for a submitted pitch, once (a pitch keeps the one it got): the next number of its
 * call, taken by one atomic increment after the submission has won, so parallel submits leave no gaps.
 */
export async function giveReference(ctx: AppContext, call: Call, pitch: Pitch): Promise<Pitch> {
  if (pitch.reference) return pitch;
  const counted = await callModel(ctx.db)
    .findOneAndUpdate(
      { _id: call._id },
      { $inc: { receiptSeq: 1 } },
      { new: true, projection: { receiptSeq: 1 } },
    )
    .lean();
  const reference = `${referencePrefix(call)}-${String(counted?.receiptSeq ?? 0).padStart(4, '0')}`;
  const updated = await pitchModel(ctx.db)
    .findOneAndUpdate(
      { _id: pitch._id, reference: trusted({ $exists: false }) },
      { $set: { reference } },
      { new: true },
    )
    .lean();
  return ((updated as Pitch | null) ?? (await getPitch(ctx, pitch._id))) as Pitch;
}

/** A title in quotation marks once: «…» in Mongolian, “…” in English; a title that has its own marks keeps them. */
export function quoted(title: string, locale: Locale): string {
  if (/^[«"“„']/.test(title.trim()) || /[»"”']$/.test(title.trim())) return title;
  return locale === 'mn' ? `«${title}»` : `“${title}”`;
}

async function sendReceipt(ctx: AppContext, call: Call, pitch: Pitch): Promise<void> {
  const [applicant] = await usersByIds(ctx, [pitch.applicantId]);
  if (!applicant) return;
  const locale: Locale = applicant.locale ?? ctx.config.defaultLocale;
  await enqueueEmail(ctx, {
    to: applicant.email,
    template: 'grants/pitch-receipt',
    locale,
    dedupeKey: pitch.receiptKey ?? `receipt:${String(pitch._id)}`,
    data: {
      name: applicant.name,
      callTitle: quoted(call.title[locale] || call.title.en, locale),
      pitchTitle: pitch.title,
      reference: pitch.reference ?? String(pitch._id),
      submittedAt: formatInZone(pitch.submittedAt!, call.timeZone, locale),
      closesAt: formatInZone(call.closesAt, call.timeZone, locale),
      editable: call.deadlineMode === 'fixed',
      path: `/grants/pitches/${String(pitch._id)}`,
      receiptPath: `/grants/pitches/${String(pitch._id)}/receipt`,
    },
  });
}

/** Draft or submitted → withdrawn, before the close. */
export async function withdrawPitch(ctx: AppContext, user: Actor, pitchId: string): Promise<Pitch> {
  const pitch = await myPitch(ctx, user.id, pitchId);
  const call = await getCall(ctx, String(pitch.callId));
  const now = ctx.clock.now();
  if (now >= call.closesAt || call.status !== 'open') throw new Conflict('grants.errors.closed');
  const updated = await transitionPitch(ctx, pitchId, ['draft', 'submitted'], 'withdrawn', {
    withdrawnAt: now,
  });
  if (!updated) throw new Conflict('grants.errors.notEditable');
  await recordAudit(ctx, user, 'pitch.withdrawn', { type: 'pitch', id: pitchId });
  return updated;
}

/**
 * One conditional status change; null if not in `from`. It leaves the version alone: the applicant's
 * editor shows it, so a staff move must not change it. Stale edits still lose, since a save requires
 * an editable status.
 */
export async function transitionPitch(
  ctx: AppContext,
  pitchId: string | Types.ObjectId,
  from: PitchStatus[],
  to: PitchStatus,
  extra: Record<string, unknown> = {},
): Promise<Pitch | null> {
  const updated = await pitchModel(ctx.db)
    .findOneAndUpdate(
      { _id: pitchId, status: trusted({ $in: from }) },
      { $set: { ...extra, status: to } },
      { new: true, runValidators: true },
    )
    .lean();
  return (updated as Pitch | null) ?? null;
}

export async function getPitch(ctx: AppContext, pitchId: string | Types.ObjectId): Promise<Pitch> {
  const pitch = await pitchModel(ctx.db).findById(pitchId).lean();
  if (!pitch) throw new NotFound();
  return pitch as Pitch;
}

/** Pitches of a call for staff and the reviews module (lean, without files). */
export async function pitchesForCall(
  ctx: AppContext,
  callId: string | Types.ObjectId,
  statuses?: PitchStatus[],
): Promise<Pitch[]> {
  const filter: Record<string, unknown> = { callId };
  if (statuses?.length) filter.status = trusted({ $in: statuses });
  return (await pitchModel(ctx.db).find(filter, { fileIds: 0 }).sort({ submittedAt: 1 }).lean()) as Pitch[];
}

/** The applicant's user id, for modules that must contact them (never shown to blind reviewers). */
export async function applicantOf(
  ctx: AppContext,
  pitchId: string | Types.ObjectId,
): Promise<Types.ObjectId> {
  const pitch = await pitchModel(ctx.db).findById(pitchId, { applicantId: 1 }).lean();
  if (!pitch) throw new NotFound();
  return pitch.applicantId;
}

/** Keeps the comments that go to the applicant with the decision they belong to. */
export async function recordCommentsToApplicant(
  ctx: AppContext,
  pitchId: Types.ObjectId,
  comments: string[],
): Promise<void> {
  await pitchModel(ctx.db).updateOne(
    { _id: pitchId, decision: trusted({ $exists: true }) },
    { $set: { 'decision.commentsToApplicant': comments } },
  );
}

/** What the applicant may see of a decision: nothing until the call's decisions are released. */
export function releasedDecision(call: Pick<Call, 'decisionsReleasedAt'>, pitch: Pitch) {
  if (!call.decisionsReleasedAt || !pitch.decision || !DECIDED_STATUSES.includes(pitch.status)) return null;
  return {
    outcome: pitch.decision.outcome,
    amount: pitch.decision.amount,
    decidedAt: pitch.decision.decidedAt,
    comments: pitch.decision.commentsToApplicant ?? [],
  };
}

/** The applicant's released decision on their own pitch, or null (not theirs, not decided, not out). */
export async function applicantDecision(
  ctx: AppContext,
  pitchId: string | Types.ObjectId,
  applicantId: string | Types.ObjectId,
) {
  const pitch = await pitchModel(ctx.db).findById(pitchId).lean<Pitch>();
  if (!pitch || String(pitch.applicantId) !== String(applicantId)) return null;
  return releasedDecision(await getCall(ctx, String(pitch.callId)), pitch);
}
