import { randomInt } from 'node:crypto';
import type { AttemptItem, Question } from './model';

/** A copy of `items` in a uniformly random order (Fisher–Yates with crypto randomness). */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `count` distinct entries of the pool, chosen at random. */
export function drawFrom<T>(pool: readonly T[], count: number): T[] {
  return shuffle(pool).slice(0, Math.min(count, pool.length));
}

/**
 * `count` distinct entries of the pool at random, stratified by objective: one question of each
 * objective first (of as many objectives as `count` allows, chosen at random), then the rest at
 * random. A draw of at least as many questions as the pool has objectives covers every objective.
 */
export function drawCovering<T extends { objective: string }>(pool: readonly T[], count: number): T[] {
  const n = Math.min(count, pool.length);
  const mixed = shuffle(pool);
  const firstOf = new Map<string, T>();
  for (const q of mixed) if (!firstOf.has(q.objective)) firstOf.set(q.objective, q);
  const picked = new Set<T>(shuffle([...firstOf.values()]).slice(0, n));
  for (const q of mixed) {
    if (picked.size >= n) break;
    picked.add(q);
  }
  return shuffle([...picked]);
}

/** True/false is always shown True, then False: a fixed order, so where the key stands says nothing. */
export const TRUE_FALSE_ORDER = ['true', 'false'];

/** What one attempt shows of a question: its options in this attempt's order. */
export function itemFor(
  q: Pick<Question, 'qid' | 'objective' | 'type' | 'version' | 'options' | 'elements'>,
): AttemptItem {
  const ids = q.options.map((o) => o.id);
  const item: AttemptItem = {
    qid: q.qid,
    objective: q.objective,
    type: q.type,
    questionVersion: q.version,
    // The content may list either first (and authors tend to list the key first): never keep it.
    optionOrder: q.type === 'true-false' ? TRUE_FALSE_ORDER.filter((id) => ids.includes(id)) : shuffle(ids),
  };
  if (q.type === 'case') item.elementOrder = shuffle((q.elements ?? []).map((o) => o.id));
  return item;
}
