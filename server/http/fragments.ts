/**
 * Parts of a page that depend on content, not on the reader (a lesson's blocks in one language),
 * rendered once and kept beside the content object they came from. Content caches load a new object
 * when staff publish or import (see server/cache.ts), so a changed lesson is rendered afresh, and the
 * old fragments go when the old object does. The key names whatever else the part reads (languages,
 * the mount path).
 */
const fragments = new WeakMap<object, Map<string, string>>();

/** Variants kept per content object: languages × mount paths are a handful; this only bounds a bug. */
const MAX_VARIANTS = 32;

export function fragmentOf(owner: object, key: string, render: () => string): string {
  let variants = fragments.get(owner);
  if (!variants) fragments.set(owner, (variants = new Map()));
  const hit = variants.get(key);
  if (hit !== undefined) return hit;
  const html = render();
  if (variants.size >= MAX_VARIANTS) variants.clear();
  variants.set(key, html);
  return html;
}
