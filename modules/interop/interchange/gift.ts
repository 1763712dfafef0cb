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
import { keyProblems, splitQuestionText, questionText, type ImportOptions } from './moodle';

/*
 * GIFT. single → {=right ~%50%partial ~wrong}; multiple and spot-harm → {~%50%a ~%-100%b}; true-false →
 * {T#feedback if wrong#feedback if right}. GIFT has no ordering or case question: those are left out of
 * a GIFT export and named in its header (use Moodle XML for them). Texts are [html] with multilang spans;
 * our objective, type and option ids ride in a "// umbrella:" comment line above each question.
 */

const SPECIAL = /[~=#{}:\\]/g;
const esc = (s: string) => s.replace(SPECIAL, (c) => `\\${c}`);
const fmt = (n: number) => String(Math.round(n * 1e5) / 1e5);

export interface GiftExport {
  text: string;
  /** Questions GIFT cannot hold (ordering, case). */
  left: string[];
}

export function exportGift(questions: InterchangeQuestion[], category: string): GiftExport {
  const left = questions.filter((q) => q.type === 'ordering' || q.type === 'case').map((q) => q.qid);
  const out = [`// ${category}`, `$CATEGORY: $course$/top/${category.replace(/\n/g, ' ')}`, ''];
  if (left.length)
    out.splice(1, 0, `// Not in GIFT (ordering, case; export Moodle XML for them): ${left.join(', ')}`);
  for (const q of questions) {
    if (left.includes(q.qid)) continue;
    out.push(
      `// umbrella: objective=${q.objective} type=${q.type} options=${q.options.map((o) => o.id).join(',')}`,
    );
    const general = q.explanation ? `\n\t####${esc(toMultilang(q.explanation))}` : '';
    const fb = (t: Lang) => (t.en || t.mn ? `#${esc(toMultilang(t))}` : '');
    if (q.type === 'true-false') {
      const right = q.options.find((o) => o.fraction >= 100);
      const wrong = q.options.find((o) => o !== right);
      out.push(
        `::${esc(q.qid)}::[html]${esc(questionText(q))}{${right?.id === 'true' ? 'T' : 'F'}` +
          `#${esc(toMultilang(wrong?.feedback))}#${esc(toMultilang(right?.feedback))}${general}}`,
      );
    } else {
      const single = q.type === 'single';
      const lines = q.options.map((o) => {
        const mark = single && o.fraction >= 100 ? '=' : o.fraction === 0 ? '~' : `~%${fmt(o.fraction)}%`;
        return `\t${mark}${esc(toMultilang(o.text))}${fb(o.feedback)}`;
      });
      out.push(`::${esc(q.qid)}::[html]${esc(questionText(q))}{\n${lines.join('\n')}${general}\n}`);
    }
    out.push('');
  }
  return { text: out.join('\n'), left };
}

// ---- import --------------------------------------------------------------------------------------

/** Splits at unescaped occurrences of any of `chars`, keeping the separator at the start of each part. */
function splitUnescaped(s: string, chars: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '\\' && i + 1 < s.length) {
      cur += c + (s[i + 1] ?? '');
      i++;
    } else if (chars.includes(c)) {
      parts.push(cur);
      cur = c;
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
const unesc = (s: string) => s.replace(/\\([~=#{}:\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c)).trim();
const indexUnescaped = (s: string, c: string, from = 0) => {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === c) return i;
  }
  return -1;
};

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');

function textOfFormat(raw: string, format: string): Lang {
  const s = unesc(raw);
  if (format === 'html') return fromMultilang(s);
  return fromMultilang(s.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
}

export function importGift(source: string, opts: ImportOptions = {}): { questions: InterchangeQuestion[] } {
  const problems: string[] = [];
  const questions: InterchangeQuestion[] = [];
  const blocks: { text: string; meta: string; line: number }[] = [];
  let cur: string[] = [];
  let meta = '';
  let start = 1;
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const flush = (line: number) => {
    const text = cur.join('\n').trim();
    if (text) blocks.push({ text, meta, line: start });
    cur = [];
    meta = '';
    start = line + 1;
  };
  lines.forEach((line, i) => {
    const m = /^\s*\/\/\s*umbrella:\s*(.*)$/.exec(line);
    if (m) meta = m[1] ?? '';
    else if (/^\s*\/\//.test(line) || /^\s*\$CATEGORY:/.test(line)) return;
    else if (!line.trim()) {
      if (cur.length) flush(i + 1);
      else start = i + 2;
    } else {
      if (!cur.length) start = i + 1;
      cur.push(line);
    }
  });
  flush(lines.length);

  const seen = new Set<string>();
  blocks.forEach((b, n) => {
    let s = b.text;
    let title = '';
    const t = /^::((?:\\.|[^:\\]|:(?!:))*)::/.exec(s);
    if (t) {
      title = unesc(t[1] ?? '');
      s = s.slice(t[0].length);
    }
    const label = `question ${n + 1}${title ? ` "${title}"` : ''} (line ${b.line})`;
    const bad = (msg: string) => problems.push(`${label}: ${msg}`);
    let format = 'moodle';
    const f = /^\s*\[(html|moodle|plain|markdown)\]/.exec(s);
    if (f) {
      format = f[1] ?? 'moodle';
      s = s.slice(f[0].length);
    }
    const open = indexUnescaped(s, '{');
    const close = open < 0 ? -1 : indexUnescaped(s, '}', open);
    if (open < 0 || close < 0) return bad('no answer block { … }');
    if (s.slice(close + 1).trim())
      return bad('text after the answer block (a missing-word question cannot be imported)');
    const parts = splitQuestionText(format === 'html' ? unesc(s.slice(0, open)) : '');
    const stem = format === 'html' ? parts.stem : textOfFormat(s.slice(0, open), format);
    let body = s.slice(open + 1, close);
    let explanation: Lang | undefined;
    const gf = body.indexOf('####');
    if (gf >= 0) {
      explanation = textOfFormat(body.slice(gf + 4), format);
      body = body.slice(0, gf);
    }
    const kv = Object.fromEntries(
      b.meta
        .split(/\s+/)
        .filter(Boolean)
        .map((p) => p.split('=') as [string, string]),
    );
    const ids = kv.options ? String(kv.options).split(',') : undefined;
    const trimmed = body.trim();
    let type: InterchangeType;
    let options: InterchangeOption[];
    const tf = /^(T|F|TRUE|FALSE)\s*(#[\s\S]*)?$/.exec(trimmed);
    if (tf) {
      type = 'true-false';
      const [, wrongFb = '', rightFb = ''] = splitUnescaped(tf[2] ?? '', '#').map((x) => x.replace(/^#/, ''));
      const answer = (tf[1] ?? '').startsWith('T') ? 'true' : 'false';
      const mk = (id: 'true' | 'false'): InterchangeOption => ({
        id,
        text: id === 'true' ? { en: 'True', mn: 'Үнэн' } : { en: 'False', mn: 'Худал' },
        feedback: textOfFormat(id === answer ? rightFb : wrongFb, format),
        fraction: id === answer ? 100 : 0,
      });
      options = [mk('true'), mk('false')];
    } else {
      if (!trimmed) return bad('an essay question cannot be imported');
      if (/^#/.test(trimmed)) return bad('a numerical question cannot be imported');
      if (trimmed.includes('->')) return bad('a matching question cannot be imported');
      const answers = splitUnescaped(trimmed, '=~').filter((a) => a.trim());
      if (answers.some((a) => !/^[=~]/.test(a))) return bad('answers must start with = or ~');
      let broken = false;
      options = answers.map((a, i) => {
        let rest = a.slice(1);
        let fraction = a.startsWith('=') ? 100 : 0;
        const w = /^%(-?[0-9.]+)%/.exec(rest);
        if (w) {
          fraction = Number(w[1]);
          rest = rest.slice(w[0].length);
          if (!Number.isFinite(fraction) || fraction < -100 || fraction > 100) {
            bad(`answer ${i + 1}: weight %${w[1]}% is not from -100 to 100`);
            broken = true;
          }
        } else if (/^%/.test(rest)) {
          bad(`answer ${i + 1}: malformed weight`);
          broken = true;
        }
        const [text = '', feedback = ''] = splitUnescaped(rest, '#').map((x, k) => (k ? x.slice(1) : x));
        return {
          id: ids?.[i] ?? String.fromCharCode(97 + (i % 26)),
          text: textOfFormat(text, format),
          feedback: textOfFormat(feedback, format),
          fraction,
        };
      });
      if (broken) return;
      if (ids && ids.length !== options.length)
        return bad(`the umbrella comment lists ${ids.length} option ids for ${options.length} answers`);
      type = answers.some((a) => a.startsWith('=')) ? 'single' : 'multiple';
    }
    if (kv.type) {
      if (!(TYPES as readonly string[]).includes(kv.type)) return bad(`type "${kv.type}" is unknown`);
      if ((kv.type === 'true-false') !== (type === 'true-false'))
        return bad(`type "${kv.type}" does not fit the answers`);
      type = kv.type as InterchangeType;
    }
    const qid = slug(title) || `q-${n + 1}`;
    if (seen.has(qid)) return bad(`question id "${qid}" is used twice in the file`);
    seen.add(qid);
    const q: InterchangeQuestion = {
      qid,
      objective: kv.objective || opts.defaultObjective || '',
      type,
      stem,
      ...(explanation && (explanation.en || explanation.mn) ? { explanation } : {}),
      ...(parts.excerpt ? { excerpt: parts.excerpt } : {}),
      options,
      missing: [],
    };
    for (const p of keyProblems(q)) bad(p);
    questions.push(q);
  });
  if (!blocks.length) problems.push('the file has no questions');
  if (problems.length) throw new InterchangeError(problems);
  for (const q of questions) q.missing = missingLanguages(q);
  return { questions };
}
