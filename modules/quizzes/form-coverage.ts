/**
 * How many questions of each course objective a pre- or post-test form must hold. With one item an
 * objective's score is 0 or 1, and "gain per objective" (pre → post) cannot be reported; two matched
 * items per objective on every form is the floor the course curriculum sets.
 */
export const MIN_ITEMS_PER_OBJECTIVE = 2;

export interface TestForms {
  kind: 'pre' | 'post';
  forms: Array<{ id: string; questionIds: string[] }>;
}

const testName = { pre: 'pre-test', post: 'post-test' } as const;

/**
 * One line per form and objective that falls short, naming the form (and the tests that use it), the
 * objective and the questions it has; empty when every form measures every objective often enough.
 * A form shared by the pre- and post-test (parallel forms) is checked once.
 */
export function formCoverageProblems(
  tests: TestForms[],
  objectiveOf: ReadonlyMap<string, string>,
  objectives: readonly string[],
  min = MIN_ITEMS_PER_OBJECTIVE,
): string[] {
  const usedBy = new Map<string, { questionIds: string[]; tests: string[] }>();
  for (const test of tests)
    for (const form of test.forms) {
      const seen = usedBy.get(form.id) ?? { questionIds: form.questionIds, tests: [] };
      seen.tests.push(testName[test.kind]);
      usedBy.set(form.id, seen);
    }
  const problems: string[] = [];
  for (const [id, form] of usedBy) {
    for (const objective of objectives) {
      const items = form.questionIds.filter((q) => objectiveOf.get(q) === objective);
      if (items.length >= min) continue;
      const has = items.length ? `${items.length} (${items.join(', ')})` : 'no question';
      problems.push(
        `form ${id} (${form.tests.join(' and ')}): objective "${objective}" is measured by ${has}; ` +
          `every form needs at least ${min} questions per objective`,
      );
    }
  }
  return problems;
}
