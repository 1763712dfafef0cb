import type { Question } from '../../quizzes';

/** Both languages of a text, either of which an imported file may lack. */
export interface Lang {
  en?: string;
  mn?: string;
}

export const TYPES = ['single', 'multiple', 'true-false', 'ordering', 'case', 'spot-harm'] as const;
export type InterchangeType = (typeof TYPES)[number];

/**
 * One answer. `fraction` is Moodle's grade for choosing it, in percent (−100…100); it is also GIFT's
 * `%n%`. Ordering steps are listed in the right order and carry no fraction (0).
 */
export interface InterchangeOption {
  id: string;
  text: Lang;
  feedback: Lang;
  fraction: number;
}

/** A question as it travels between Umbrella, Moodle XML and GIFT. */
export interface InterchangeQuestion {
  qid: string;
  objective: string;
  type: InterchangeType;
  stem: Lang;
  explanation?: Lang;
  excerpt?: Lang;
  case?: Lang;
  options: InterchangeOption[];
  elements?: InterchangeOption[];
  /** Texts missing a language ("stem.mn", "options.b.feedback.en"): the question is a draft for a translator. */
  missing: string[];
}

/** A file that cannot be imported; every problem names its question. Nothing of it is imported. */
export class InterchangeError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

/** Canonical weights of a bank question: right answers share 100 %, wrong ones share −100 % (multi). */
export function fractionsFor(type: InterchangeType, correct: boolean[]): number[] {
  if (type === 'ordering') return correct.map(() => 0);
  const right = correct.filter(Boolean).length;
  const wrong = correct.length - right;
  if (type === 'multiple' || type === 'spot-harm')
    return correct.map((c) => (c ? round5(100 / right) : wrong ? round5(-100 / wrong) : 0));
  return correct.map((c) => (c ? 100 : 0));
}

const opts = (type: InterchangeType, list: Question['options']): InterchangeOption[] => {
  const f = fractionsFor(
    type,
    list.map((o) => o.correct === true),
  );
  return list.map((o, i) => ({
    id: o.id,
    text: { en: o.text.en, mn: o.text.mn },
    feedback: { en: o.feedback.en, mn: o.feedback.mn },
    fraction: f[i] ?? 0,
  }));
};

const lang = (t?: { en: string; mn: string }): Lang | undefined => (t ? { en: t.en, mn: t.mn } : undefined);

/** A bank question (or a course file's question) as an interchange question. */
export function fromBankQuestion(
  q: Pick<Question, 'objective' | 'type' | 'stem' | 'options'> &
    Partial<Pick<Question, 'explanation' | 'excerpt' | 'case' | 'elements'>> & { qid?: string; id?: string },
): InterchangeQuestion {
  const out: InterchangeQuestion = {
    qid: q.qid ?? q.id ?? '',
    objective: q.objective,
    type: q.type,
    stem: { en: q.stem.en, mn: q.stem.mn },
    options: opts(q.type, q.options),
    missing: [],
  };
  if (q.explanation) out.explanation = lang(q.explanation);
  if (q.excerpt) out.excerpt = lang(q.excerpt);
  if (q.case) out.case = lang(q.case);
  if (q.elements) out.elements = opts('single', q.elements);
  return out;
}

/** Every text of a question missing a language, as "field.lang". */
export function missingLanguages(q: Omit<InterchangeQuestion, 'missing'>): string[] {
  const out: string[] = [];
  const check = (t: Lang | undefined, field: string) => {
    if (!t) return;
    if (!t.en?.trim()) out.push(`${field}.en`);
    if (!t.mn?.trim()) out.push(`${field}.mn`);
  };
  check(q.stem, 'stem');
  check(q.explanation, 'explanation');
  check(q.excerpt, 'excerpt');
  check(q.case, 'case');
  for (const [list, name] of [
    [q.options, 'options'],
    [q.elements ?? [], 'elements'],
  ] as const)
    for (const o of list) {
      check(o.text, `${name}.${o.id}.text`);
      // Feedback is optional in Moodle and GIFT: only a half-translated feedback is flagged.
      if (o.feedback.en?.trim() || o.feedback.mn?.trim()) check(o.feedback, `${name}.${o.id}.feedback`);
    }
  return out;
}

// ---- multilang text ------------------------------------------------------------------------------

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
export const htmlToText = (s: string) =>
  s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m: string, e: string) =>
      e.startsWith('#x')
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith('#')
          ? String.fromCodePoint(parseInt(e.slice(1), 10))
          : (HTML_ENTITIES[e] ?? m),
    )
    .trim();

/** Moodle's multilang filter markup: one span per language present. */
export function toMultilang(t: Lang | undefined): string {
  if (!t) return '';
  return (['en', 'mn'] as const)
    .filter((l) => t[l]?.trim())
    .map((l) => `<span lang="${l}" class="multilang">${escapeHtml(t[l]!)}</span>`)
    .join('');
}

/**
 * Reads multilang spans (either attribute order, region suffixes like "mn_mn" accepted). Text without
 * spans is one language: Mongolian when it is mostly Cyrillic, English otherwise.
 */
export function fromMultilang(html: string): Lang {
  const out: Lang = {};
  let found = false;
  for (const m of html.matchAll(/<span\b([^>]*)>([\s\S]*?)<\/span>/gi)) {
    const attrs = m[1] ?? '';
    if (!/class\s*=\s*["'][^"']*\bmultilang\b/i.test(attrs)) continue;
    const l = /lang\s*=\s*["']([a-z]{2})/i.exec(attrs)?.[1]?.toLowerCase();
    found = true;
    if (l === 'en' || l === 'mn') out[l] = htmlToText(m[2] ?? '');
  }
  if (found) return out;
  const text = htmlToText(html);
  if (!text) return out;
  const cyr = (text.match(/[\u0400-\u04FF]/g) ?? []).length;
  const lat = (text.match(/[A-Za-z]/g) ?? []).length;
  return cyr > lat ? { mn: text } : { en: text };
}
