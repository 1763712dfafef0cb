/**
 * Which test files did not finish, and which of their tests were still running. test/run.ts gives node's
 * test runner a second reporter (./progress-reporter.mjs) that writes one JSON line per test start and
 * end to a file; after the run, `unfinishedFiles` reads those lines back. Node stops a file that runs
 * past --test-timeout, and its spec output then names only the file: this names the stuck test too.
 */
import { readFileSync } from 'node:fs';

/** One line of ./progress-reporter.mjs. */
export interface ProgressEvent {
  type: 'start' | 'end';
  file: string;
  nesting: number;
  name: string;
  /** On 'end': node's failure type, e.g. 'testTimeoutFailure', 'cancelledByParent'. */
  failure?: string;
}

export interface UnfinishedFile {
  file: string;
  /** Why node stopped it ('testTimeoutFailure'), or 'never ended' if the run itself was stopped. */
  reason: string;
  /** Tests that started and did not end, as "suite › test" (innermost only). */
  running: string[];
}

/** Files that timed out or never ended, from the reporter's lines. */
export function unfinishedFiles(lines: string): UnfinishedFile[] {
  const files = new Map<string, { reason?: string; ended: boolean; open: Map<string, number> }>();
  const stacks = new Map<string, string[]>();
  for (const line of lines.split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as ProgressEvent;
    const f = files.get(e.file) ?? { ended: false, open: new Map<string, number>() };
    files.set(e.file, f);
    if (e.name === e.file) {
      // The file itself (node runs each file in its own process).
      if (e.type === 'end') Object.assign(f, { ended: true, reason: e.failure });
      continue;
    }
    // Full names from the nesting: files run in parallel, but a file's own events arrive in order.
    const stack = stacks.get(e.file) ?? [];
    stacks.set(e.file, stack);
    stack.length = e.nesting;
    stack[e.nesting] = e.name;
    const key = stack.join(' › ');
    f.open.set(key, (f.open.get(key) ?? 0) + (e.type === 'start' ? 1 : -1));
  }
  const result: UnfinishedFile[] = [];
  for (const [file, f] of files) {
    const stuck = f.reason === 'testTimeoutFailure' || f.reason === 'cancelledByParent' || !f.ended;
    if (!stuck) continue;
    const open = [...f.open].filter(([, n]) => n > 0).map(([k]) => k);
    const running = open.filter((k) => !open.some((other) => other.startsWith(`${k} › `)));
    result.push({ file, reason: f.ended ? f.reason! : 'never ended', running });
  }
  return result;
}

export function readUnfinished(progressFile: string): UnfinishedFile[] {
  try {
    return unfinishedFiles(readFileSync(progressFile, 'utf8'));
  } catch {
    return [];
  }
}
