/**
 * File names people gave their files, made safe to show and to send in Content-Disposition.
 *
 * Shown names lose every control and format character: C0/C1 controls, bidi embeddings, overrides
 * and isolates (U+202A–U+202E, U+2066–U+2069: "invoice\u202Efdp.exe" shows as "invoiceexe.pdf"),
 * zero-width characters, line and paragraph separators. The ASCII fallback of the header (for
 * clients without RFC 5987 support) transliterates Cyrillic, Mongolian letters included, instead of
 * dropping it: "Төсөв.pdf" → "Tusuv.pdf", not ".pdf".
 */

// Cc: controls; Cf: format (bidi marks/overrides/isolates, zero-width, BOM); Zl/Zp: line and
// paragraph separators; Co: private use; Cs: lone surrogates.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/gu;

/** A name as it may be shown: NFC, no control or format characters, single spaces, trimmed. */
export function displayName(name: string): string {
  return name.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** Mongolian Cyrillic (MNS 5217:2012, as in passports) and the rest of Russian Cyrillic. */
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'ye',
  ё: 'yo',
  ж: 'j',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  ө: 'u',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ү: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sh',
  ъ: 'i',
  ы: 'y',
  ь: 'i',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  і: 'i',
  ї: 'yi',
  є: 'ye',
  ґ: 'g',
  ў: 'u',
  қ: 'q',
  ң: 'ng',
  ғ: 'gh',
  ұ: 'u',
  һ: 'h',
  ә: 'a',
};

function transliterate(text: string): string {
  return [...text]
    .map((ch) => {
      const lower = ch.toLowerCase();
      const latin = CYRILLIC[lower];
      if (latin === undefined) return ch;
      return ch === lower ? latin : latin.charAt(0).toUpperCase() + latin.slice(1);
    })
    .join('')
    .normalize('NFKD')
    .replace(/\p{M}/gu, ''); // é → e, ö → o
}

/** The plain-ASCII stand-in for a name: transliterated, then anything else becomes "_". */
export function asciiFileName(name: string, fallbackStem = 'file'): string {
  const shown = displayName(name);
  const dot = shown.lastIndexOf('.');
  const ext = dot > 0 ? shown.slice(dot + 1) : '';
  const stem = dot > 0 ? shown.slice(0, dot) : shown;
  const ascii = (s: string) =>
    transliterate(s)
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/_{2,}/g, '_')
      .replace(/^[_.-]+|[_.-]+$/g, '');
  const safeStem = ascii(stem).slice(0, 100) || fallbackStem;
  const safeExt = ascii(ext).slice(0, 10);
  return safeExt ? `${safeStem}.${safeExt}` : safeStem;
}

/** RFC 5987 value: UTF-8, percent-encoded, with the characters RFC 5987 leaves out encoded too. */
const rfc5987 = (s: string) =>
  encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `Content-Disposition: attachment` with an ASCII `filename` (transliterated) and the cleaned UTF-8
 * name in `filename*` (RFC 6266 §4.3). Every download the app serves goes through here.
 */
export function attachmentHeader(name: string): string {
  const shown = displayName(name) || 'file';
  return `attachment; filename="${asciiFileName(shown)}"; filename*=UTF-8''${rfc5987(shown)}`;
}
