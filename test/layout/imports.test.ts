// The folder-boundary rule (DESIGN §4): folders of src/ meet at their index.ts, and imports run one way, down the
// order in which the README's Layout lists the folders (wasm at the bottom, cli at the top); src/reference/ is
// imported only by the kernel registry (src/wasm/kernels.ts), tests and benches.
//
// For now this test REPORTS the imports that break the rule and fails only when the check itself cannot be trusted
// (the Layout misses a folder, an import does not resolve, a deliberate violation goes unseen). Set
// HA3M_STRICT_BOUNDARIES=1 to make every violation a failure — the default once the imports have been rewritten.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'src');

/** The src folders in the order the README's Layout lists them, bottom first. */
function layoutOrder(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /## Layout\s+```([\s\S]*?)```/.exec(readme);
  if (!section) throw new Error('README.md has no "## Layout" code block');
  return [...section[1]!.matchAll(/^src\/([a-z]+)\//gm)].map((m) => m[1]!);
}

interface ImportEdge { from: string; to: string; typeOnly: boolean }
interface Violation { edge: ImportEdge; rule: 'index' | 'order' | 'reference' }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return n.endsWith('.ts') && !n.endsWith('.generated.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of every src file, resolved to src-relative paths of .ts files. */
function importEdges(): { edges: ImportEdge[]; unresolved: string[] } {
  const edges: ImportEdge[] = [], unresolved: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm;
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) {
      const spec = m[3] ?? m[4]!;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const from = relative(src, file), to = relative(src, target);
      if (!existsSync(target)) { unresolved.push(`${from} → ${spec}`); continue; }
      if (to.startsWith('..')) continue; // web/ or elsewhere: not a src boundary
      edges.push({ from, to, typeOnly: !!m[2] });
    }
  }
  return { edges, unresolved };
}

const folderOf = (path: string): string => (path.includes('/') ? path.split('/')[0]! : '');

/** The imports that break the rule, for a folder order (bottom first). */
function violations(edges: ImportEdge[], order: string[]): Violation[] {
  const rank = new Map(order.map((f, i) => [f, i]));
  const out: Violation[] = [];
  for (const edge of edges) {
    const a = folderOf(edge.from), b = folderOf(edge.to);
    if (a === b || a === '' || b === '') continue; // inside a folder, or the package's own src/index.ts
    if (b === 'reference') {
      if (edge.from !== 'wasm/kernels.ts') out.push({ edge, rule: 'reference' });
      continue;
    }
    if (a === 'reference' && b === 'wasm') continue; // the twins read the kernels' layout constants
    if (!edge.to.endsWith('/index.ts')) out.push({ edge, rule: 'index' });
    if ((rank.get(b) ?? -1) > (rank.get(a) ?? -1)) out.push({ edge, rule: 'order' });
  }
  return out;
}

test('the README Layout lists every folder of src/, and every relative import resolves', () => {
  const order = layoutOrder();
  const folders = readdirSync(src).filter((n) => statSync(join(src, n)).isDirectory());
  assert.equal([...folders].sort(), [...order].sort(), 'README Layout folders vs src/');
  const { edges, unresolved } = importEdges();
  assert.equal(unresolved, []);
  assert.ok(edges.length > 200, `only ${edges.length} imports found: the parser is broken`);
});

test('a deliberate violation of each rule is reported', () => {
  const order = ['wasm', 'hardware', 'cli'];
  const v = violations([
    { from: 'hardware/a.ts', to: 'cli/index.ts', typeOnly: false }, // upward
    { from: 'cli/x.ts', to: 'hardware/pool.ts', typeOnly: false }, // around the index
    { from: 'hardware/b.ts', to: 'reference/rng.ts', typeOnly: false }, // a twin in production
    { from: 'cli/y.ts', to: 'hardware/index.ts', typeOnly: true }, // fine
    { from: 'wasm/kernels.ts', to: 'reference/rng.ts', typeOnly: false }, // fine: the registry
  ], order);
  assert.equal(v.map((x) => `${x.rule} ${x.edge.from}`), ['order hardware/a.ts', 'index cli/x.ts', 'reference hardware/b.ts']);
});

test('folder boundaries (report; HA3M_STRICT_BOUNDARIES=1 fails on any violation)', () => {
  const v = violations(importEdges().edges, layoutOrder());
  const count = (rule: Violation['rule']) => v.filter((x) => x.rule === rule).length;
  const pairs = new Map<string, number>();
  for (const x of v.filter((y) => y.rule === 'order')) {
    const k = `${folderOf(x.edge.from)} → ${folderOf(x.edge.to)}`;
    pairs.set(k, (pairs.get(k) ?? 0) + 1);
  }
  console.log(`folder boundaries: ${count('index')} cross-folder imports bypass an index.ts, ${count('order')} point up the Layout order ` +
    `(${[...pairs].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}), ${count('reference')} production imports of src/reference/`);
  assert.is(count('reference'), 0, 'src/reference/ is imported by production code other than the registry');
  if (process.env.HA3M_STRICT_BOUNDARIES === '1') {
    assert.equal(v.map((x) => `${x.rule}: ${x.edge.from} → ${x.edge.to}`), []);
  }
});

test.run();
