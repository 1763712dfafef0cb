import type { Locale } from '../../server/types';
import { DECIDED_STATUSES, type Call, type Pitch, type PitchStatus, type StoredFileRecord } from './model';
import { formatInZone, utcToLocalInput } from './time';
import { displayName } from '../../server/http/attachment';

export const pick = (text: { en: string; mn: string } | undefined, lang: Locale) =>
  text ? text[lang] || text.en || text.mn : '';

/**
 * The status an applicant sees of their own pitch. A decision (funded, waiting list, not funded) stays
 * "Under review" until the call's decisions are released, and shortlisting is an internal step that is
 * never shown: every page, e-mail and API answer about an applicant's pitch goes through here.
 */
export function applicantStatus(
  call: Pick<Call, 'decisionsReleasedAt'> | undefined,
  pitch: Pick<Pitch, 'status'>,
): PitchStatus {
  if (pitch.status === 'shortlisted') return 'under_review';
  if (DECIDED_STATUSES.includes(pitch.status))
    return call?.decisionsReleasedAt ? pitch.status : 'under_review';
  return pitch.status;
}

/** What list and detail pages show about a call, with the deadline in the call's and the reader's zone. */
export function presentCall(call: Call, lang: Locale, readerZone: string) {
  return {
    id: String(call._id),
    title: pick(call.title, lang),
    description: pick(call.description, lang),
    themes: call.themes.map((t) => ({ id: t.id, label: pick(t.label, lang) })),
    status: call.status,
    timeZone: call.timeZone,
    opensInZone: formatInZone(call.opensAt, call.timeZone, lang),
    closesInZone: formatInZone(call.closesAt, call.timeZone, lang),
    closesForReader: readerZone !== call.timeZone ? formatInZone(call.closesAt, readerZone, lang) : '',
    closesAtIso: call.closesAt.toISOString(),
    currency: call.currency ?? 'MNT',
    budgetPool: call.budgetPool,
    maxAward: call.maxAward,
    awardedTotal: call.awardedTotal,
    deadlineMode: call.deadlineMode,
    courseSlug: call.eligibility?.courseSlug ?? '',
    allowMultiplePitches: call.allowMultiplePitches,
    blind: call.blind,
  };
}

/** The admin form's values for an existing call (dates back in the call's zone). */
export function callFormValues(call: Call) {
  return {
    titleEn: call.title.en,
    titleMn: call.title.mn,
    descriptionEn: call.description?.en ?? '',
    descriptionMn: call.description?.mn ?? '',
    themes: call.themes.map((t) => ({ id: t.id, en: t.label.en, mn: t.label.mn })),
    opensAt: utcToLocalInput(call.opensAt, call.timeZone),
    closesAt: utcToLocalInput(call.closesAt, call.timeZone),
    timeZone: call.timeZone,
    budgetPool: String(call.budgetPool),
    maxAward: String(call.maxAward),
    courseSlug: call.eligibility?.courseSlug ?? '',
    rubric: call.rubric.map((r) => ({
      id: r.id,
      labelEn: r.label.en,
      labelMn: r.label.mn,
      guidanceEn: r.guidance?.en ?? '',
      guidanceMn: r.guidance?.mn ?? '',
      scaleMax: String(r.scaleMax),
      weight: String(r.weight),
    })),
    reviewersPerPitch: String(call.reviewersPerPitch),
    blind: call.blind,
    deadlineMode: call.deadlineMode,
    allowMultiplePitches: call.allowMultiplePitches,
    version: String(call.__v ?? 0),
  };
}

/** Rebuilds the admin form's row lists from a posted body, so a refused form keeps what was typed. */
export function callFormFromBody(body: Record<string, unknown>) {
  const list = (k: string): string[] => {
    const v = body[k];
    return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  };
  const ids = list('themeId');
  const rIds = list('rubricId');
  return {
    ...body,
    blind: body.blind === 'on',
    allowMultiplePitches: body.allowMultiplePitches === 'on',
    themes: ids.map((id, i) => ({
      id,
      en: list('themeLabelEn')[i] ?? '',
      mn: list('themeLabelMn')[i] ?? '',
    })),
    rubric: rIds.map((id, i) => ({
      id,
      labelEn: list('rubricLabelEn')[i] ?? '',
      labelMn: list('rubricLabelMn')[i] ?? '',
      guidanceEn: list('rubricGuidanceEn')[i] ?? '',
      guidanceMn: list('rubricGuidanceMn')[i] ?? '',
      scaleMax: list('rubricScaleMax')[i] ?? '',
      weight: list('rubricWeight')[i] ?? '',
    })),
  };
}

/**
 * When the applicant last changed their pitch, for their editor. A pitch saved before editedAt existed
 * falls back to updatedAt while it is a draft or submitted (no staff move has touched it then), else to
 * its creation.
 */
export function editedAt(pitch: Pick<Pitch, 'editedAt' | 'createdAt' | 'updatedAt' | 'status'>): string {
  const untouchedByStaff = pitch.status === 'draft' || pitch.status === 'submitted';
  const at = pitch.editedAt ?? (untouchedByStaff ? pitch.updatedAt : undefined) ?? pitch.createdAt;
  return at ? new Date(at).toISOString() : '';
}

/** The pitch editor's values: from the record, or from a refused form. */
export function pitchFormValues(pitch: Pitch) {
  return {
    version: String(pitch.__v ?? 0),
    title: pitch.title,
    angle: pitch.angle,
    audience: pitch.audience,
    outlet: pitch.outlet,
    format: pitch.format,
    themes: pitch.themes,
    ethicsPlan: pitch.ethicsPlan,
    budgetLines: pitch.budgetLines.map((l) => ({ item: l.item, amount: String(l.amount) })),
    timeline: pitch.timeline,
  };
}

export function pitchFormFromBody(body: Record<string, unknown>, version: number) {
  const list = (k: string): string[] => {
    const v = body[k];
    return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
  };
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  const items = list('budgetItem');
  const amounts = list('budgetAmount');
  return {
    version: String(version),
    title: str('title'),
    angle: str('angle'),
    audience: str('audience'),
    outlet: str('outlet'),
    format: str('format'),
    themes: list('themes'),
    ethicsPlan: str('ethicsPlan'),
    budgetLines: items.map((item, i) => ({ item, amount: amounts[i] ?? '' })),
    timeline: str('timeline'),
  };
}

type PitchFormValues = ReturnType<typeof pitchFormValues>;

/**
 * The parts of a pitch that differ between two versions of the form, each as display text (the editor's
 * side-by-side view of a conflict when scripts are off). Spacing and digit grouping are not differences.
 */
export function differingParts(mine: PitchFormValues, saved: PitchFormValues) {
  const budget = (v: PitchFormValues) =>
    v.budgetLines
      .map((l) => ({ item: l.item.trim(), amount: String(l.amount).replace(/[\s,]/g, '') }))
      .filter((l) => l.item || l.amount)
      .map((l) => `${l.item} — ${l.amount ? Number(l.amount).toLocaleString('en-US') : ''}`)
      .join('\n');
  const text = (v: PitchFormValues, part: string) =>
    part === 'budgetLines'
      ? budget(v)
      : part === 'themes'
        ? [...v.themes].sort().join(', ')
        : String(v[part as keyof PitchFormValues] ?? '').trim();
  return ['title', 'angle', 'audience', 'outlet', 'format', 'themes', 'ethicsPlan', 'budgetLines', 'timeline']
    .map((part) => ({ part, mine: text(mine, part), saved: text(saved, part) }))
    .filter((d) => d.mine !== d.saved);
}

/** Files as their owner and staff see them (original names included; never for blind reviewers). */
export function presentFiles(files: StoredFileRecord[]) {
  return files.map((f) => ({
    id: String(f._id),
    name: displayName(f.originalName),
    kind: f.kind,
    size: f.size,
    ext: f.ext,
  }));
}
