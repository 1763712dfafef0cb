import type { AppContext } from '../../server/context';
import type { SessionUser } from '../../server/types';
import { Conflict, Invalid, NotFound } from '../../server/http/errors';
import { recordAudit } from '../audit';
import { trusted } from '../../server/db/ids';
import { callModel, type Call, type CallStatus, type RubricCriterion, type Theme } from './model';
import type { CallForm } from './schemas';
import { isTimeZone, localToUtc } from './time';
import { DEFAULT_COURSE, DEFAULT_TIME_ZONE } from './defaults';
import { freezeSubmittedPitches } from './service-freeze';

/** A person, or an integration acting by its API token (role 'api-token'). */
type Actor = Pick<SessionUser, 'id'> & { role: string };

const MAX_MONEY = 1e12;

/** Turns the admin form into call fields, or throws Invalid with per-field messages. */
export function callFieldsFromForm(form: CallForm) {
  const errors: Record<string, string> = {};
  const timeZone = form.timeZone || DEFAULT_TIME_ZONE;
  let opensAt: Date | undefined;
  let closesAt: Date | undefined;
  if (!isTimeZone(timeZone)) errors.timeZone = 'grants.errors.timeZone';
  else {
    try {
      opensAt = localToUtc(form.opensAt, timeZone);
    } catch {
      errors.opensAt = 'grants.errors.dateTime';
    }
    try {
      closesAt = localToUtc(form.closesAt, timeZone);
    } catch {
      errors.closesAt = 'grants.errors.dateTime';
    }
    if (opensAt && closesAt && closesAt <= opensAt) errors.closesAt = 'grants.errors.closeBeforeOpen';
  }
  const budgetPool = Number(form.budgetPool);
  const maxAward = Number(form.maxAward);
  if (!Number.isSafeInteger(budgetPool) || budgetPool > MAX_MONEY) errors.budgetPool = 'grants.errors.amount';
  if (!Number.isSafeInteger(maxAward) || maxAward > MAX_MONEY) errors.maxAward = 'grants.errors.amount';
  else if (maxAward > budgetPool) errors.maxAward = 'grants.errors.maxAboveBudget';

  const themes: Theme[] = [];
  form.themeId.forEach((id, i) => {
    const en = form.themeLabelEn[i] ?? '';
    const mn = form.themeLabelMn[i] ?? '';
    if (!id && !en && !mn) return;
    if (!id || !en || !mn) errors.themes = 'grants.errors.themeRow';
    else if (themes.some((t) => t.id === id)) errors.themes = 'grants.errors.duplicateId';
    else themes.push({ id, label: { en, mn } });
  });

  const rubric: RubricCriterion[] = [];
  form.rubricId.forEach((id, i) => {
    const en = form.rubricLabelEn[i] ?? '';
    const mn = form.rubricLabelMn[i] ?? '';
    if (!id && !en && !mn) return;
    const scaleMax = form.rubricScaleMax[i] ? Number(form.rubricScaleMax[i]) : 5;
    const weight = form.rubricWeight[i] ? Number(form.rubricWeight[i]) : 1;
    if (!id || !en || !mn) errors.rubric = 'grants.errors.rubricRow';
    else if (rubric.some((r) => r.id === id)) errors.rubric = 'grants.errors.duplicateId';
    else if (!Number.isInteger(scaleMax) || scaleMax < 1 || scaleMax > 10)
      errors.rubric = 'grants.errors.scaleMax';
    else if (!Number.isFinite(weight) || weight < 0 || weight > 10) errors.rubric = 'grants.errors.weight';
    else
      rubric.push({
        id,
        label: { en, mn },
        guidance: { en: form.rubricGuidanceEn[i] ?? '', mn: form.rubricGuidanceMn[i] ?? '' },
        scaleMax,
        weight,
      });
  });
  if (!rubric.length && !errors.rubric) errors.rubric = 'grants.errors.rubricEmpty';

  if (Object.keys(errors).length) throw new Invalid('errors.invalid', errors);
  return {
    title: { en: form.titleEn, mn: form.titleMn },
    description: { en: form.descriptionEn ?? '', mn: form.descriptionMn ?? '' },
    themes,
    opensAt: opensAt!,
    closesAt: closesAt!,
    timeZone,
    budgetPool,
    maxAward,
    eligibility: { courseSlug: form.courseSlug ?? DEFAULT_COURSE },
    rubric,
    reviewersPerPitch: form.reviewersPerPitch,
    blind: form.blind === 'on',
    deadlineMode: form.deadlineMode,
    allowMultiplePitches: form.allowMultiplePitches === 'on',
  };
}

export async function createCall(ctx: AppContext, actor: Actor, form: CallForm): Promise<Call> {
  const fields = callFieldsFromForm(form);
  const call = await callModel(ctx.db).create({
    ...fields,
    currency: 'MNT',
    awardedTotal: 0,
    status: 'draft',
    createdBy: actor.id,
  });
  await recordAudit(ctx, actor, 'call.created', { type: 'call', id: call._id });
  return call.toObject();
}

type CallFields = ReturnType<typeof callFieldsFromForm>;

/** A criterion as scores depend on it: labels and guidance may be reworded, the rest may not. */
const rubricShape = (rubric: Call['rubric']) =>
  JSON.stringify(rubric.map((r) => [r.id, r.scaleMax, r.weight]));

/**
 * What an open call keeps: applicants pitched on its promise of blind review (or not), and reviewers
 * score against its criteria. And no budget may drop below what it has already awarded.
 */
function changesRefused(current: Call, fields: CallFields): Record<string, string> {
  const errors: Record<string, string> = {};
  if (fields.budgetPool < current.awardedTotal) errors.budgetPool = 'grants.errors.poolBelowAwarded';
  if (current.status !== 'open') return errors;
  if (fields.blind !== current.blind) errors.blind = 'grants.errors.blindFixed';
  if (rubricShape(fields.rubric) !== rubricShape(current.rubric)) errors.rubric = 'grants.errors.rubricFixed';
  return errors;
}

/**
 * Edits while draft or open, against the version the admin loaded (a stale form gets a 409). The
 * update is conditional on the version checked and on the awards so far fitting the new budget (an
 * award reserved meanwhile does not bump the version).
 */
export async function updateCall(
  ctx: AppContext,
  actor: Actor,
  callId: string,
  form: CallForm,
): Promise<Call> {
  const fields = callFieldsFromForm(form);
  const current = await callModel(ctx.db).findById(callId).lean<Call>();
  if (!current) throw new NotFound();
  if (current.status !== 'draft' && current.status !== 'open') throw new Conflict('grants.errors.callLocked');
  const refused = changesRefused(current, fields);
  if (Object.keys(refused).length) throw new Invalid('errors.invalid', refused);
  const filter: Record<string, unknown> = {
    _id: callId,
    status: current.status,
    __v: form.version ?? current.__v,
    awardedTotal: trusted({ $lte: fields.budgetPool }),
  };
  const updated = await callModel(ctx.db)
    .findOneAndUpdate(filter, { $set: fields, $inc: { __v: 1 } }, { new: true, runValidators: true })
    .lean();
  if (!updated) {
    const now = await callModel(ctx.db).findById(callId, { status: 1, awardedTotal: 1 }).lean();
    if (!now) throw new NotFound();
    if (now.awardedTotal > fields.budgetPool)
      throw new Invalid('errors.invalid', { budgetPool: 'grants.errors.poolBelowAwarded' });
    throw new Conflict(
      now.status === 'draft' || now.status === 'open' ? 'errors.staleEdit' : 'grants.errors.callLocked',
    );
  }
  await recordAudit(ctx, actor, 'call.updated', { type: 'call', id: callId });
  return updated as Call;
}

/** One conditional status change; null when the call was not in `from`. */
export async function transitionCall(
  ctx: AppContext,
  callId: string,
  from: CallStatus[],
  to: CallStatus,
  extra: Record<string, unknown> = {},
): Promise<Call | null> {
  const updated = await callModel(ctx.db)
    .findOneAndUpdate(
      { _id: callId, status: trusted({ $in: from }) },
      { $set: { ...extra, status: to }, $inc: { __v: 1 } },
      { new: true },
    )
    .lean();
  return (updated as Call | null) ?? null;
}

export async function openCall(ctx: AppContext, actor: Actor, callId: string): Promise<Call> {
  const call = await getCall(ctx, callId);
  if (call.closesAt <= ctx.clock.now()) throw new Conflict('grants.errors.closesInPast');
  const updated = await transitionCall(ctx, callId, ['draft', 'closed'], 'open');
  if (!updated) throw new Conflict('grants.errors.callStatus');
  await recordAudit(ctx, actor, 'call.opened', { type: 'call', id: callId });
  return updated;
}

export async function closeCall(ctx: AppContext, actor: Actor, callId: string): Promise<Call> {
  const updated = await transitionCall(ctx, callId, ['open'], 'closed');
  if (!updated) {
    await getCall(ctx, callId);
    throw new Conflict('grants.errors.callStatus');
  }
  await freezeSubmittedPitches(ctx, updated._id);
  await recordAudit(ctx, actor, 'call.closed', { type: 'call', id: callId });
  return updated;
}

export async function getCall(ctx: AppContext, callId: string): Promise<Call> {
  const call = await callModel(ctx.db).findById(callId).lean();
  if (!call) throw new NotFound();
  return call as Call;
}

export async function listCalls(
  ctx: AppContext,
  q: { status?: CallStatus | CallStatus[] } = {},
): Promise<Call[]> {
  const filter: Record<string, unknown> = {};
  if (q.status) filter.status = trusted({ $in: Array.isArray(q.status) ? q.status : [q.status] });
  return (await callModel(ctx.db).find(filter).sort({ closesAt: -1 }).limit(500).lean()) as Call[];
}

/** Open calls whose deadline has not passed, soonest deadline first. */
export async function openCalls(ctx: AppContext): Promise<Call[]> {
  return (await callModel(ctx.db)
    .find({ status: 'open', closesAt: trusted({ $gt: ctx.clock.now() }) })
    .sort({ closesAt: 1 })
    .limit(100)
    .lean()) as Call[];
}

/** Whether a call takes new pitches and submissions right now (by the server's clock). */
export function acceptingPitches(call: Pick<Call, 'status' | 'opensAt' | 'closesAt'>, now: Date): boolean {
  return call.status === 'open' && call.opensAt <= now && now < call.closesAt;
}
