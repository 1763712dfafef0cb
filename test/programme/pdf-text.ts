import { inflateSync } from 'node:zlib';

/**
 * The text of a PDF written by pdfkit, recovered the way a reader's copy-paste does: each content
 * stream's hex strings decoded through the fonts' ToUnicode maps. Each text run is read with the font it is set in, so a phrase
 * (Mongolian Cyrillic included) is really on a page, not only somewhere in the file's bytes.
 */
export function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const objects = new Map<string, { dict: string; stream?: string }>();
  for (const m of raw.matchAll(/(\d+) 0 obj\b/g)) {
    const from = m.index + m[0].length;
    const streamAt = raw.indexOf('stream', from);
    const endAt = raw.indexOf('endobj', from);
    if (streamAt < 0 || streamAt > endAt) {
      objects.set(m[1]!, { dict: raw.slice(from, endAt) });
      continue;
    }
    const dict = raw.slice(from, streamAt);
    const start = streamAt + (raw[streamAt + 6] === '\r' ? 8 : 7);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? 0);
    const bytes = pdf.subarray(start, start + length);
    const stream = dict.includes('/FlateDecode')
      ? inflateSync(bytes).toString('latin1')
      : bytes.toString('latin1');
    objects.set(m[1]!, { dict, stream });
  }
  // Font resource name (/F2) → the font's ToUnicode map, through the font object that names it.
  const fonts = new Map<string, Map<string, string>>();
  for (const { dict } of objects.values())
    for (const [, name, ref] of dict.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
      const cmapRef = /\/ToUnicode (\d+) 0 R/.exec(objects.get(ref!)?.dict ?? '')?.[1];
      const cmap = cmapRef ? objects.get(cmapRef)?.stream : undefined;
      if (cmap) fonts.set(name!, parseCMap(cmap));
    }
  return [...objects.values()]
    .map((o) => o.stream ?? '')
    .filter((s) => /\bBT\b/.test(s) && /T[Jj]\b/.test(s))
    .map((s) => decode(s, fonts));
}

function parseCMap(s: string): Map<string, string> {
  const map = new Map<string, string>();
  const hex = (h: string) => String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));
  for (const block of s.match(/beginbfchar[\s\S]*?endbfchar/g) ?? [])
    for (const [, code, uni] of block.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g))
      map.set(code!.toLowerCase(), hex(uni!));
  for (const block of s.match(/beginbfrange[\s\S]*?endbfrange/g) ?? [])
    // An array entry may hold several code points (<0066 0069> for the fi ligature).
    for (const [, lo, hi, rest] of block.matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g,
    )) {
      const from = parseInt(lo!, 16);
      const to = parseInt(hi!, 16);
      const width = lo!.length;
      const list = rest!.startsWith('[')
        ? [...rest!.matchAll(/<([0-9a-fA-F\s]+)>/g)].map((x) => hex(x[1]!.replace(/\s/g, '')))
        : null;
      const base = list ? 0 : parseInt(rest!.slice(1, -1), 16);
      for (let c = from; c <= to; c++)
        map.set(
          c.toString(16).padStart(width, '0'),
          list ? (list[c - from] ?? '') : String.fromCodePoint(base + c - from),
        );
    }
  return map;
}

function decode(content: string, fonts: Map<string, Map<string, string>>): string {
  const out: string[] = [];
  let map = new Map<string, string>();
  for (const x of content.matchAll(/\/(F\d+) [\d.]+ Tf|\[((?:[^\]])*)\]\s*TJ|(<[0-9a-fA-F]*>)\s*Tj/g)) {
    if (x[1]) {
      map = fonts.get(x[1]) ?? new Map();
      continue;
    }
    const body = x[2] ?? x[3] ?? '';
    let line = '';
    for (const [, h] of body.matchAll(/<([0-9a-fA-F]*)>/g))
      for (const code of h!.match(/.{4}/g) ?? []) line += map.get(code.toLowerCase()) ?? '';
    out.push(line);
  }
  return out.join('\n');
}
