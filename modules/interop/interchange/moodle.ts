import { cdata, child, childrenNamed, escapeXml, parseXml, XmlError, type XmlElement } from './xml';
import {
  fromMultilang,
  InterchangeError,
  missingLanguages,
  toMultilang,
  TYPES,
  type InterchangeOption,
  type InterchangeQuestion,
  type InterchangeType,
  type Lang,
} from './model';

/*
 * Moodle XML ("quiz" format). Mapping:
 *   single → multichoice, single=true; multiple and spot-harm → multichoice, single=false;
 *   true-false → truefalse; ordering → ordering (core since Moodle 4.3; answers in the right order);
 *   case → a multichoice (the classification, the case text above the stem) followed by a second
 *   multichoice named "<qid> (element)" holding the deciding element, tied by a tag.
 * Our objective, type and option ids ride in tags ("umbrella-…"), which Moodle keeps and shows.
 * Both languages go into every text as multilang spans; an excerpt or case text is a block above the stem.
 */

const TRUE_FALSE: Record<'true' | 'false', Lang> = {
  true: { en: 'True', mn: 'Үнэн' },
  false: { en: 'False', mn: 'Худал' },
};
const ELEMENT_STEM: Lang = {
  en: 'Which element decides the case?',
  mn: 'Хэргийг аль бүрэлдэхүүн шийдвэрлэх вэ?',
};

const fmt = (n: number) => String(Math.round(n * 1e5) / 1e5);
const textEl = (tag: string, html: string) =>
  `<${tag} format="html"><text>${html ? cdata(html) : ''}</text></${tag}>`;

export function questionText(q: InterchangeQuestion): string {
  let html = '';
  if (q.case) html += `<div class="umbrella-case">${toMultilang(q.case)}</div>`;
  if (q.excerpt) html += `<blockquote class="umbrella-excerpt">${toMultilang(q.excerpt)}</blockquote>`;
  return html + toMultilang(q.stem);
}

function tags(list: string[]): string {
  return `    <tags>\n${list.map((t) => `      <tag><text>${escapeXml(t)}</text></tag>`).join('\n')}\n    </tags>`;
}

function answers(options: InterchangeOption[], ordering: boolean): string {
  return options
    .map(
      (o, i) =>
        `    <answer fraction="${ordering ? i + 1 : fmt(o.fraction)}" format="html">\n` +
        `      <text>${cdata(toMultilang(o.text))}</text>\n` +
        `      ${textEl('feedback', toMultilang(o.feedback))}\n    </answer>`,
    )
    .join('\n');
}

function multichoice(
  name: string,
  text: string,
  q: InterchangeQuestion,
  options: InterchangeOption[],
  single: boolean,
  tagList: string[],
): string {
  return [
    `  <question type="multichoice">`,
    `    <name><text>${escapeXml(name)}</text></name>`,
    `    ${textEl('questiontext', text)}`,
    `    ${textEl('generalfeedback', toMultilang(q.explanation))}`,
    `    <defaultgrade>1</defaultgrade>`,
    `    <penalty>0</penalty>`,
    `    <hidden>0</hidden>`,
    `    <single>${single}</single>`,
    `    <shuffleanswers>true</shuffleanswers>`,
    `    <answernumbering>abc</answernumbering>`,
    answers(options, false),
    tags(tagList),
    `  </question>`,
  ].join('\n');
}

function exportOne(q: InterchangeQuestion): string {
  const base = [
    `umbrella-objective:${q.objective}`,
    `umbrella-type:${q.type}`,
    `umbrella-options:${q.options.map((o) => o.id).join(',')}`,
  ];
  const header = (type: string) => [
    `  <question type="${type}">`,
    `    <name><text>${escapeXml(q.qid)}</text></name>`,
    `    ${textEl('questiontext', questionText(q))}`,
    `    ${textEl('generalfeedback', toMultilang(q.explanation))}`,
    `    <defaultgrade>1</defaultgrade>`,
    `    <penalty>0</penalty>`,
    `    <hidden>0</hidden>`,
  ];
  switch (q.type) {
    case 'single':
    case 'multiple':
    case 'spot-harm':
      return multichoice(q.qid, questionText(q), q, q.options, q.type === 'single', base);
    case 'true-false':
      return [
        ...header('truefalse'),
        ...q.options.map(
          (o) =>
            `    <answer fraction="${fmt(o.fraction)}" format="moodle_auto_format">\n` +
            `      <text>${o.id}</text>\n      ${textEl('feedback', toMultilang(o.feedback))}\n    </answer>`,
        ),
        tags(base),
        `  </question>`,
      ].join('\n');
    case 'ordering':
      return [
        ...header('ordering'),
        `    <layouttype>VERTICAL</layouttype>`,
        `    <selecttype>ALL</selecttype>`,
        `    <selectcount>0</selectcount>`,
        `    <gradingtype>ALL_OR_NOTHING</gradingtype>`,
        `    <showgrading>SHOW</showgrading>`,
        `    <numberingstyle>none</numberingstyle>`,
        answers(q.options, true),
        tags(base),
        `  </question>`,
      ].join('\n');
    case 'case': {
      const els = q.elements ?? [];
      return [
        multichoice(q.qid, questionText(q), q, q.options, true, base),
        multichoice(
          `${q.qid} (element)`,
          `<div class="umbrella-case">${toMultilang(q.case)}</div>${toMultilang(ELEMENT_STEM)}`,
          { ...q, explanation: undefined },
          els,
          true,
          [`umbrella-elements-of:${q.qid}`, `umbrella-options:${els.map((o) => o.id).join(',')}`],
        ),
      ].join('\n');
    }
  }
}

/** Questions as a Moodle XML file, one category named after the course. */
export function exportMoodleXml(questions: InterchangeQuestion[], category: string): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<quiz>`,
    `  <question type="category">`,
    `    <category><text>${escapeXml(`$course$/top/${category}`)}</text></category>`,
    `  </question>`,
    ...questions.map(exportOne),
    `</quiz>`,
    '',
  ].join('\n');
}

// ---- import --------------------------------------------------------------------------------------

export interface ImportOptions {
  /** The objective of questions whose file does not say one (files from another Moodle). */
  defaultObjective?: string;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');

const textOf = (el: XmlElement | undefined) => (el ? (child(el, 'text')?.text ?? '') : '');

function tagValues(q: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  const tagsEl = child(q, 'tags');
  for (const t of tagsEl ? childrenNamed(tagsEl, 'tag') : []) {
    const m = /^umbrella-([a-z-]+):(.*)$/.exec(textOf(t).trim());
    if (m) out.set(m[1] ?? '', (m[2] ?? '').trim());
  }
  return out;
}

/** Splits the blocks our export puts above the stem; other files have only a stem. */
export function splitQuestionText(html: string): { stem: Lang; excerpt?: Lang; case?: Lang } {
  let rest = html;
  const take = (re: RegExp) => {
    const m = re.exec(rest);
    if (!m) return undefined;
    rest = rest.replace(m[0], '');
    return fromMultilang(m[1] ?? '');
  };
  const caseText = take(/<div class="umbrella-case">([\s\S]*?)<\/div>/);
  const excerpt = take(/<blockquote class="umbrella-excerpt">([\s\S]*?)<\/blockquote>/);
  return {
    stem: fromMultilang(rest),
    ...(excerpt ? { excerpt } : {}),
    ...(caseText ? { case: caseText } : {}),
  };
}

const OPTION_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

interface Parsed {
  questions: InterchangeQuestion[];
  /** Moodle items not imported by design (descriptions), named. */
  skipped: string[];
}

/**
 * Reads a Moodle XML file. Throws InterchangeError listing every problem, each naming its question;
 * texts missing a language are not a problem but are listed in the question's `missing`.
 */
export function importMoodleXml(xml: string, opts: ImportOptions = {}): Parsed {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    if (err instanceof XmlError) throw new InterchangeError([`not well-formed XML: ${err.message}`]);
    throw err;
  }
  if (root.name !== 'quiz') throw new InterchangeError([`the root element is <${root.name}>, not <quiz>`]);
  const problems: string[] = [];
  const questions: InterchangeQuestion[] = [];
  const skipped: string[] = [];
  const elementParts: { of: string; options: InterchangeOption[]; label: string }[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (const q of childrenNamed(root, 'question')) {
    const type = q.attrs.type ?? '';
    if (type === 'category') continue;
    n += 1;
    const name = textOf(child(q, 'name')).trim();
    const label = `question ${n}${name ? ` "${name}"` : ''} (line ${q.line})`;
    const bad = (msg: string) => problems.push(`${label}: ${msg}`);
    if (type === 'description') {
      skipped.push(name || `#${n}`);
      continue;
    }
    if (!['multichoice', 'truefalse', 'ordering'].includes(type)) {
      bad(`Moodle type "${type}" cannot be imported (multichoice, truefalse and ordering can)`);
      continue;
    }
    const tg = tagValues(q);
    const answerEls = childrenNamed(q, 'answer');
    const ids = tg
      .get('options')
      ?.split(',')
      .map((s) => s.trim());
    if (ids && ids.length !== answerEls.length) {
      bad(`the umbrella-options tag lists ${ids.length} ids for ${answerEls.length} answers`);
      continue;
    }
    const options: InterchangeOption[] = [];
    let broken = false;
    answerEls.forEach((a, i) => {
      const raw = a.attrs.fraction ?? '0';
      const fraction = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(fraction) || fraction < -100 || fraction > 100) {
        bad(`answer ${i + 1}: fraction "${raw}" is not a number from -100 to 100`);
        broken = true;
      }
      const id =
        type === 'truefalse'
          ? textOf(a).trim().toLowerCase()
          : (ids?.[i] ?? String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : ''));
      if (!OPTION_ID.test(id)) {
        bad(`answer ${i + 1}: option id "${id}" must be lowercase letters, digits and -`);
        broken = true;
      }
      const text = type === 'truefalse' ? TRUE_FALSE[id as 'true' | 'false'] : fromMultilang(textOf(a));
      if (type === 'truefalse' && !text) {
        bad(`answer ${i + 1}: a true/false answer is "true" or "false", not "${textOf(a).trim()}"`);
        broken = true;
      }
      options.push({ id, text: text ?? {}, feedback: fromMultilang(textOf(child(a, 'feedback'))), fraction });
    });
    if (broken) continue;
    const dupIds = options.map((o) => o.id).filter((id, i, all) => all.indexOf(id) !== i);
    if (dupIds.length) {
      bad(`duplicate option ids ${[...new Set(dupIds)].join(', ')}`);
      continue;
    }

    const of = tg.get('elements-of');
    if (of) {
      elementParts.push({ of, options, label });
      continue;
    }

    let qtype: InterchangeType;
    const declared = tg.get('type');
    if (declared) {
      if (!(TYPES as readonly string[]).includes(declared)) {
        bad(`umbrella-type "${declared}" is not one of ${TYPES.join(', ')}`);
        continue;
      }
      qtype = declared as InterchangeType;
    } else if (type === 'truefalse') qtype = 'true-false';
    else if (type === 'ordering') qtype = 'ordering';
    else qtype = child(q, 'single')?.text.trim() === 'false' ? 'multiple' : 'single';
    const expected = { 'true-false': 'truefalse', ordering: 'ordering' }[qtype as string] ?? 'multichoice';
    if (expected !== type) {
      bad(`umbrella-type "${qtype}" does not fit Moodle type "${type}"`);
      continue;
    }

    if (qtype === 'ordering') {
      // qtype_ordering numbers its answers by position in "fraction"; the file order is the fallback.
      const pos = answerEls.map((a) => Number(a.attrs.fraction));
      if (pos.every((p) => p >= 1) && new Set(pos).size === pos.length) {
        const order = options.map((o, i) => ({ o, p: pos[i] })).sort((x, y) => (x.p ?? 0) - (y.p ?? 0));
        options.splice(0, options.length, ...order.map((x) => x.o));
      }
      for (const o of options) o.fraction = 0;
    }

    let qid = slug(tg.get('qid') ?? (textOf(child(q, 'idnumber')) || child(q, 'idnumber')?.text || name));
    if (!qid) qid = `q-${n}`;
    if (seen.has(qid)) {
      bad(`question id "${qid}" is used twice in the file`);
      continue;
    }
    seen.add(qid);
    const parts = splitQuestionText(textOf(child(q, 'questiontext')));
    const explanation = fromMultilang(textOf(child(q, 'generalfeedback')));
    const objective = tg.get('objective') || opts.defaultObjective || '';
    const question: InterchangeQuestion = {
      qid,
      objective,
      type: qtype,
      stem: parts.stem,
      ...(explanation.en || explanation.mn ? { explanation } : {}),
      ...(parts.excerpt ? { excerpt: parts.excerpt } : {}),
      ...(parts.case ? { case: parts.case } : {}),
      options,
      missing: [],
    };
    for (const p of keyProblems(question)) bad(p);
    questions.push(question);
  }
  for (const part of elementParts) {
    const main = questions.find((q) => q.qid === part.of && q.type === 'case');
    if (!main)
      problems.push(`${part.label}: holds the elements of "${part.of}", which is no case question here`);
    else main.elements = part.options;
  }
  for (const q of questions)
    if (q.type === 'case' && !q.elements)
      problems.push(`question "${q.qid}": a case needs its element question`);
  if (!questions.length && !problems.length) problems.push('the file has no questions');
  if (problems.length) throw new InterchangeError(problems);
  for (const q of questions) q.missing = missingLanguages(q);
  return { questions, skipped };
}

/** What Umbrella needs of an answer key, said in Moodle's terms. */
export function keyProblems(q: InterchangeQuestion): string[] {
  const out: string[] = [];
  if (!q.objective) out.push('no objective (tag umbrella-objective, or choose one for the file)');
  if (!q.stem.en?.trim() && !q.stem.mn?.trim()) out.push('the question text is empty');
  if (q.options.length < 2) out.push('at least two answers are needed');
  q.options.forEach((o, i) => {
    if (!o.text.en?.trim() && !o.text.mn?.trim()) out.push(`answer ${i + 1} is empty`);
  });
  const full = q.options.filter((o) => o.fraction >= 100).length;
  const positive = q.options.filter((o) => o.fraction > 0).length;
  switch (q.type) {
    case 'single':
    case 'true-false':
    case 'case':
      if (full !== 1) out.push(`exactly one answer must have fraction 100, found ${full}`);
      break;
    case 'multiple':
    case 'spot-harm': {
      const sum = q.options.filter((o) => o.fraction > 0).reduce((s, o) => s + o.fraction, 0);
      if (!positive) out.push('no answer has a positive fraction');
      else if (Math.abs(sum - 100) > 0.1) out.push(`the positive fractions add up to ${fmt(sum)}, not 100`);
      if (q.type === 'spot-harm' && !q.excerpt) out.push('a spot-harm question needs its excerpt block');
      break;
    }
    case 'ordering':
      break;
  }
  if (q.type === 'case' && !q.case) out.push('a case question needs its case block');
  return out;
}

/** Which options are correct in Umbrella's terms: single-answer types the 100 % one, others any positive. */
export const isCorrect = (type: InterchangeType, o: InterchangeOption) =>
  type === 'single' || type === 'true-false' || type === 'case' ? o.fraction >= 100 : o.fraction > 0;
