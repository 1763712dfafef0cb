/**
 * Small-number suppression. A figure that rests on 1 to min − 1 people is not shown (0 is: it names
 * nobody). In a breakdown whose cells add up to a shown total, one hidden cell could be recovered as
 * total − the others, so when exactly one cell of a column is hidden the smallest other non-zero cell
 * is hidden too (secondary suppression): two hidden cells give only their sum.
 */
export interface Cell {
  /** null when suppressed */
  value: number | null;
  suppressed: boolean;
}

export interface Count {
  value: number;
  /** How many distinct people the value rests on. */
  people: number;
}

const hidden: Cell = { value: null, suppressed: true };

export const isSmall = (people: number, min: number) => people > 0 && people < min;

export function cell(c: Count, min: number): Cell {
  return isSmall(c.people, min) ? hidden : { value: c.value, suppressed: false };
}

/**
 * One column of a breakdown with primary and secondary suppression. `forced` marks cells hidden for
 * another reason (a completed count whose enrolled count is hidden).
 */
export function column(counts: Count[], min: number, forced: boolean[] = []): Cell[] {
  const out = counts.map((c, i) => (forced[i] ? hidden : cell(c, min)));
  if (out.filter((c) => c.suppressed).length === 1) {
    let other = -1;
    counts.forEach((c, i) => {
      if (out[i]!.suppressed || c.people === 0) return;
      if (other < 0 || c.people < counts[other]!.people) other = i;
    });
    if (other >= 0) out[other] = hidden;
  }
  return out;
}

/** A column whose cells are hidden exactly where another column's are (amounts beside counts). */
export function samePattern(values: number[], pattern: Cell[]): Cell[] {
  return values.map((v, i) => (pattern[i]?.suppressed ? hidden : { value: v, suppressed: false }));
}
