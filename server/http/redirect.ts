/**
 * A `next=` value we may redirect to: a path inside this app only. Anything else (other hosts,
 * protocol-relative `//x`, backslashes, schemes, control characters) falls back to `fallback`.
 */
export function safeNext(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  try {
    const url = new URL(value, 'http://internal.invalid');
    if (url.host !== 'internal.invalid') return fallback;
    return url.pathname + url.search;
  } catch {
    return fallback;
  }
}
