// No import cycle between folders of src/. Each .ts file under src/ belongs to a folder:
// src/<top>, except that src/core counts by part (core/common, core/model, core/engine, …) and
// src/extension/model and src/extension/timeline count as folders of their own (the model is
// the VS Code-free layer under the glue, the timeline the panel the glue opens: a cycle through
// either is as much a tangle as one between top folders). Relative import and export
// specifiers (static and dynamic import()) are resolved to files; an edge joins two folders
// when a file of one imports a file of the other. A strongly connected component of more than
// one folder is a cycle, printed with one import that makes each of its edges.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const repoRoot = resolve(__dirname, '..', '..');
const srcRoot = join(repoRoot, 'src');

/** A directed graph: node → the nodes it points to. */
export type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** The strongly connected components of more than one node (Tarjan), each sorted, largest first. */
export function findCycles(graph: Graph): string[][] {
  const nodes = new Set<string>(graph.keys());
  for (const targets of graph.values()) for (const target of targets) nodes.add(target);
  let nextIndex = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, nextIndex);
    lowLink.set(node, nextIndex);
    nextIndex++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(target)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return components.sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

/** One closed path through a component, starting and ending at its first node (breadth-first, so a shortest one). */
export function cyclePath(graph: Graph, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [];
}

/** The folder a file of src/ counts in (see the header). */
export function folderOf(file: string): string {
  const parts = relative(srcRoot, file).split(sep);
  if (parts.length === 1) return 'src';
  const [top, second] = parts as [string, string];
  if (top === 'core') return parts.length > 2 ? `core/${second}` : 'core';
  if (top === 'extension' && parts.length > 2 && (second === 'model' || second === 'timeline')) {
    return `extension/${second}`;
  }
  return top;
}

function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFilesUnder(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

/** The file a relative specifier names: our '.js' specifiers name '.ts' sources. */
function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(c|m)?js$/, '');
  const candidates = [`${stem}.ts`, `${stem}.d.ts`, base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find(
    (candidate) => candidate.startsWith(srcRoot + sep) && existsSync(candidate) && candidate.endsWith('.ts'),
  );
}

interface FolderGraph {
  graph: Map<string, Set<string>>;
  /** For each folder edge 'a → b', one import that makes it. */
  witness: Map<string, string>;
  unresolved: string[];
  files: number;
}

function buildFolderGraph(): FolderGraph {
  const graph = new Map<string, Set<string>>();
  const witness = new Map<string, string>();
  const unresolved: string[] = [];
  const files = tsFilesUnder(srcRoot);
  for (const file of files) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    // preProcessFile reads import/export declarations and import() calls, and skips comments and strings.
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue;
      // Stylesheets and other assets the bundler takes: files, but not modules of this graph.
      if (!/\.(c|m)?[jt]s$/.test(specifier) && existsSync(resolve(dirname(file), specifier))) continue;
      const target = resolveSpecifier(file, specifier);
      if (target === undefined) {
        // Outside src/ (a test helper, say) is not a folder of this graph; anything else is a bug.
        if (resolve(dirname(file), specifier).startsWith(srcRoot + sep)) {
          unresolved.push(`${relative(repoRoot, file)}: ${specifier}`);
        }
        continue;
      }
      const to = folderOf(target);
      if (to === from) continue;
      graph.get(from)!.add(to);
      const edge = `${from} → ${to}`;
      if (!witness.has(edge)) witness.set(edge, `${relative(repoRoot, file)} imports '${specifier}'`);
    }
  }
  return { graph, witness, unresolved, files: files.length };
}

function describeCycle(graph: Graph, witness: ReadonlyMap<string, string>, component: readonly string[]): string {
  const path = cyclePath(graph, component);
  const edges = path.slice(1).map((to, i) => `  ${path[i]} → ${to}   (${witness.get(`${path[i]} → ${to}`) ?? '?'})`);
  return `cycle among ${component.join(', ')}:\n${edges.join('\n')}`;
}

describe('folder import cycles', () => {
  it('finds the cycles of a synthetic graph, and none where there are none', () => {
    const graph = new Map<string, Set<string>>([
      ['a', new Set(['b'])],
      ['b', new Set(['c', 'x'])],
      ['c', new Set(['a'])],
      ['x', new Set(['y'])],
      ['y', new Set(['z'])],
      ['p', new Set(['q'])],
      ['q', new Set(['p'])],
    ]);
    const cycles = findCycles(graph);
    assert.deepEqual(cycles, [
      ['a', 'b', 'c'],
      ['p', 'q'],
    ]);
    assert.deepEqual(cyclePath(graph, cycles[0]!), ['a', 'b', 'c', 'a']);
    assert.deepEqual(cyclePath(graph, cycles[1]!), ['p', 'q', 'p']);

    const acyclic = new Map<string, Set<string>>([
      ['a', new Set(['b', 'c'])],
      ['b', new Set(['c'])],
      ['c', new Set()],
    ]);
    assert.deepEqual(findCycles(acyclic), []);
    // A self-loop is an import inside one folder, not a cycle between folders.
    assert.deepEqual(findCycles(new Map([['a', new Set(['a'])]])), []);
  });

  it('maps files to folders: core by part, extension/model and extension/timeline on their own', () => {
    assert.equal(folderOf(join(srcRoot, 'core/engine/session.ts')), 'core/engine');
    assert.equal(folderOf(join(srcRoot, 'core/platform.d.ts')), 'core');
    assert.equal(folderOf(join(srcRoot, 'extension/model/sub/x.ts')), 'extension/model');
    assert.equal(folderOf(join(srcRoot, 'extension/timeline/timelinePanel.ts')), 'extension/timeline');
    assert.equal(folderOf(join(srcRoot, 'extension/commands.ts')), 'extension');
    assert.equal(folderOf(join(srcRoot, 'webview/lane/timeLane.ts')), 'webview');
  });

  it('src/ has no cycle between folders', (t) => {
    const { graph, witness, unresolved, files } = buildFolderGraph();
    assert.ok(files > 50, `read ${files} files under src/`);
    assert.ok(graph.size >= 12, `folders: ${[...graph.keys()].join(', ')}`);
    assert.deepEqual(unresolved, [], 'relative imports under src/ that resolve to no file');
    const edges = [...graph].flatMap(([from, targets]) => [...targets].sort().map((to) => `${from} → ${to}`)).sort();
    const cycles = findCycles(graph);
    t.diagnostic(`${graph.size} folders, ${edges.length} folder edges, ${cycles.length} cycle(s)`);
    assert.equal(
      cycles.length,
      0,
      `${cycles.map((component) => describeCycle(graph, witness, component)).join('\n\n')}\n\nall folder edges:\n${edges.join('\n')}`,
    );
  });
});
