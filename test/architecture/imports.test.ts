/**
 * The house rules, read from the code's own import lines (docs/ARCHITECTURE.md):
 * - no import cycle anywhere in server/ and modules/ (type-only imports count: they tie files too);
 * - the kernel (server/ outside the composition root) imports no module and nothing of the root;
 * - a module reaches another only through its index.ts, and never for a mongoose model;
 * - only the reports module reads other modules' collections, and only through modules/reports/data.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../server/paths';
import { umbrellaModules } from '../../server/modules';

const ROOT_FILES = ['server/app.ts', 'server/plugin.ts', 'server/main.ts', 'server/modules.ts'];
const isRoot = (f: string) => ROOT_FILES.includes(f) || f.startsWith('server/cli/');
const moduleOf = (f: string) => /^modules\/([^/]+)\//.exec(f)?.[1];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'locales' ? [] : sourceFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Static, dynamic and re-export specifiers of one file. */
export function specifiersOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+'([^']+)'/g, /\bimport\s*\(\s*'([^']+)'\s*\)/g, /^\s*import\s+'([^']+)'/gm];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

/** The project file an import resolves to, or undefined for packages and node built-ins. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`])
    if (candidate.endsWith('.ts') && existsSync(path.join(projectRoot, candidate))) return candidate;
  return undefined;
}

function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const source = readFileSync(path.join(projectRoot, f), 'utf8');
    graph.set(
      f,
      specifiersOf(source)
        .map((s) => resolve(f, s))
        .filter((t): t is string => !!t),
    );
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const files = [...sourceFiles('server'), ...sourceFiles('modules')];
const graph = importGraph(files);

test('the cycle finder finds a cycle when there is one (so a pass means something)', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  assert.deepEqual(cycles(g), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b']]])), []);
  assert.deepEqual(specifiersOf("import x from './a';\nexport { y } from '../b';\nawait import('./c');"), [
    './a',
    '../b',
    './c',
  ]);
});

test('no import cycle in server/ and modules/', () => {
  assert.ok(graph.size > 150, `only ${graph.size} files read`);
  assert.deepEqual(cycles(graph), []);
});

test('the kernel imports no module and nothing of the composition root', () => {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    if (!from.startsWith('server/') || isRoot(from)) continue;
    for (const to of targets) if (to.startsWith('modules/') || isRoot(to)) bad.push(`${from} → ${to}`);
  }
  assert.deepEqual(bad, []);
});

test('modules import the composition root never, and each other only through index.ts', () => {
  const bad: string[] = [];
  for (const [from, targets] of graph) {
    const own = moduleOf(from);
    if (!own) continue;
    for (const to of targets) {
      if (isRoot(to)) bad.push(`${from} → ${to} (composition root)`);
      const other = moduleOf(to);
      if (other && other !== own && to !== `modules/${other}/index.ts`) bad.push(`${from} → ${to}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no module hands out a mongoose model through its index', async () => {
  const leaks: string[] = [];
  for (const m of umbrellaModules) {
    const exports = (await import(`../../modules/${m.name}/index.ts`)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports))
      if (/Model$/.test(name) || (typeof value === 'function' && 'modelName' in value))
        leaks.push(`${m.name}: ${name}`);
  }
  assert.deepEqual(leaks, []);
});

test("only reports/data.ts reads collections directly (other modules' data through owners' functions)", () => {
  const direct = files.filter(
    (f) =>
      f.startsWith('modules/') &&
      f !== 'modules/reports/data.ts' &&
      /\.collection\(\s*['"`]/.test(readFileSync(path.join(projectRoot, f), 'utf8')),
  );
  assert.deepEqual(direct, []);
});

test('every module folder is registered once in server/modules.ts, under its folder name', () => {
  const folders = readdirSync(path.join(projectRoot, 'modules')).sort();
  assert.deepEqual(umbrellaModules.map((m) => m.name).sort(), folders);
});
