import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { linearAssignment, AssignmentError, type CostInput } from '../../src/matching/assignment.js';
import { forEachBackend } from '../helpers/backends.js';
import { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerAssign } from '../../src/cli/commands/assign.js';

initSync();
// the backend specs below bind linearAssignment to their backend under the same name, so their assertions read as before
const solve = linearAssignment;

/** Exact optimum by DP over column subsets (rows ≤ cols ≤ ~10). */
function bruteForce(c: ArrayLike<number>, n: number, m: number): number {
  const full = 1 << m;
  let dp = new Float64Array(full).fill(Infinity);
  dp[0] = 0;
  for (let i = 0; i < n; i++) {
    const next = new Float64Array(full).fill(Infinity);
    for (let mask = 0; mask < full; mask++) {
      if (dp[mask] === Infinity) continue;
      for (let j = 0; j < m; j++) {
        if (mask & (1 << j)) continue;
        const x = dp[mask] + c[i * m + j];
        if (x < next[mask | (1 << j)]) next[mask | (1 << j)] = x;
      }
    }
    dp = next;
  }
  return Math.min(...dp);
}

function randomMatrix(rng: RefRng, n: number, m: number, kind: 'float' | 'int' | 'small' | 'equal', pInf = 0): Float64Array {
  const c = new Float64Array(n * m);
  for (let k = 0; k < c.length; k++) {
    c[k] = kind === 'float' ? rng.uniform() * 100 - 20 : kind === 'int' ? Math.floor(rng.uniform() * 1000)
      : kind === 'small' ? Math.floor(rng.uniform() * 3) : 7;
    if (pInf > 0 && rng.uniform() < pInf) c[k] = Infinity;
  }
  return c;
}

function assertValid(rowToCol: Int32Array, n: number, m: number, c?: ArrayLike<number>): void {
  assert.is(rowToCol.length, n);
  const used = new Set<number>();
  let assigned = 0;
  for (let i = 0; i < n; i++) {
    const j = rowToCol[i];
    if (j === -1) { assert.ok(n > m, `row ${i} unassigned although rows ≤ cols`); continue; }
    assert.ok(j >= 0 && j < m, `row ${i} → ${j} out of range`);
    assert.not.ok(used.has(j), `column ${j} used twice`);
    used.add(j); assigned++;
    if (c) assert.ok(c[i * m + j] !== Infinity, `row ${i} uses forbidden column ${j}`);
  }
  assert.is(assigned, Math.min(n, m));
}

forEachBackend('total equals brute force on hundreds of seeded random matrices up to 8×8 and 6×9', (backend) => {
  const linearAssignment = (c: CostInput, n: number, m: number) => solve(c, n, m, { backend });
  const rng = new RefRng(11, 0);
  let count = 0;
  const shapes: Array<[number, number]> = [[8, 8], [6, 9], [1, 1], [1, 5], [3, 3], [4, 7], [5, 5], [7, 8], [2, 9]];
  for (const [n, m] of shapes) {
    for (let rep = 0; rep < 40; rep++) {
      const kind = (['float', 'int', 'small'] as const)[rep % 3];
      const c = randomMatrix(rng, n, m, kind, rep % 4 === 3 ? 0.2 : 0);
      const best = bruteForce(c, n, m);
      if (best === Infinity) {
        assert.throws(() => linearAssignment(c, n, m), (e: Error) => e instanceof AssignmentError && /infeasible/.test(e.message));
        continue;
      }
      const got = linearAssignment(c, n, m);
      assertValid(got.rowToCol, n, m, c);
      assert.ok(Math.abs(got.total - best) <= 1e-9 * Math.max(1, Math.abs(best)), `${n}×${m} ${kind}: ${got.total} vs ${best}`);
      if (kind !== 'float') assert.is(got.total, best);
      count++;
    }
  }
  assert.ok(count > 300, `only ${count} feasible cases`);
});

test('wasm equals the TS reference bit for bit on random sizes 1–300 (float, int, ties, forbidden, n = 1)', () => {
  const rng = new RefRng(12, 0);
  const cases: Array<[number, number, 'float' | 'int' | 'small' | 'equal', number]> = [
    [1, 1, 'float', 0], [1, 300, 'float', 0], [1, 17, 'small', 0.5], [300, 300, 'float', 0], [200, 300, 'int', 0],
    [150, 150, 'small', 0], [100, 100, 'equal', 0], [64, 100, 'equal', 0], [120, 130, 'float', 0.3],
    [90, 90, 'int', 0.6], [300, 200, 'float', 0], [77, 33, 'small', 0], [5, 3, 'float', 0],
  ];
  for (let k = 0; k < 12; k++) {
    const n = 1 + Math.floor(rng.uniform() * 300), m = n + Math.floor(rng.uniform() * (301 - n));
    cases.push([n, m, (['float', 'int', 'small'] as const)[k % 3], k % 4 === 0 ? 0.25 : 0]);
  }
  for (const [n, m, kind, pInf] of cases) {
    const c = randomMatrix(rng, n, m, kind, pInf);
    let a, b;
    try { a = linearAssignment(c, n, m); } catch (e) { a = e as Error; }
    try { b = linearAssignment(c, n, m, { backend: 'reference' }); } catch (e) { b = e as Error; }
    if (a instanceof Error || b instanceof Error) {
      assert.ok(a instanceof AssignmentError && b instanceof AssignmentError, `${n}×${m}: ${String(a)} / ${String(b)}`);
      if (n <= m) assert.is((a as Error).message, (b as Error).message);
      continue;
    }
    assert.equal(Array.from(a.rowToCol), Array.from(b.rowToCol), `${n}×${m} ${kind} pInf ${pInf}`);
    assert.ok(Object.is(a.total, b.total), `${n}×${m} total ${a.total} vs ${b.total}`);
    assertValid(a.rowToCol, n, m, c);
  }
});

forEachBackend('ties break deterministically: all-equal matrices give the identity; f32 input equals f64', (backend) => {
  const linearAssignment = (c: CostInput, n: number, m: number) => solve(c, n, m, { backend });
  for (const [n, m] of [[1, 1], [5, 5], [4, 9], [40, 40]]) {
    const c = new Float64Array(n * m).fill(3);
    const a = linearAssignment(c, n, m);
    assert.equal(Array.from(a.rowToCol), Array.from({ length: n }, (_, i) => i));
    assert.is(a.total, 3 * n);
  }
  const rng = new RefRng(13, 0);
  const c32 = new Float32Array(60 * 70);
  for (let k = 0; k < c32.length; k++) c32[k] = rng.uniform() * 10;
  const a = linearAssignment(c32, 60, 70), b = linearAssignment(Float64Array.from(c32), 60, 70);
  assert.equal(Array.from(a.rowToCol), Array.from(b.rowToCol));
  assert.is(a.total, b.total);
  const arr = Array.from(c32);
  assert.equal(Array.from(linearAssignment(arr, 60, 70).rowToCol), Array.from(a.rowToCol));
});

forEachBackend('more rows than columns: solved transposed, every column gets a row', (backend) => {
  const linearAssignment = (c: CostInput, n: number, m: number) => solve(c, n, m, { backend });
  const rng = new RefRng(14, 0);
  for (const [n, m] of [[9, 6], [8, 1], [40, 25]]) {
    const c = randomMatrix(rng, n, m, 'float');
    const a = linearAssignment(c, n, m);
    assertValid(a.rowToCol, n, m, c);
    // same optimum as solving the transpose directly
    const t = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = c[i * m + j];
    const b = linearAssignment(t, m, n);
    assert.ok(Math.abs(a.total - b.total) < 1e-9);
    if (n <= 9) assert.ok(Math.abs(a.total - bruteForce(t, m, n)) < 1e-9);
  }
});

forEachBackend('known small problem', (backend) => {
  const linearAssignment = (c: CostInput, n: number, m: number) => solve(c, n, m, { backend });
  const c = [4, 1, 3, 2, 0, 5, 3, 2, 2];
  const a = linearAssignment(c, 3, 3);
  assert.equal(Array.from(a.rowToCol), [1, 0, 2]);
  assert.is(a.total, 5);
  const r = linearAssignment([10, 1, 2, 1, 10, 10], 2, 3);
  assert.equal(Array.from(r.rowToCol), [1, 0]);
  assert.is(r.total, 2);
});

forEachBackend('bad input gives clear errors', (backend) => {
  const f = (c: CostInput, n: number, m: number) => linearAssignment(c, n, m, { backend });
  const c = new Float64Array(8 * 9).fill(1);
  c[3 * 9 + 5] = NaN;
  {
    assert.throws(() => f(c, 8, 9), /cost\[3, 5\] is NaN/);
    const d = new Float64Array(20 * 20).fill(1); d.fill(Infinity, 17 * 20, 18 * 20);
    assert.throws(() => f(d, 20, 20), /infeasible: row 17 has no allowed column/);
    const e = new Float64Array(6 * 3).fill(1); for (let i = 0; i < 6; i++) e[i * 3 + 2] = Infinity;
    assert.throws(() => f(e, 6, 3), /infeasible: column 2 has no allowed row/);
    const sq = new Float64Array(5 * 5).fill(2); for (let i = 0; i < 5; i++) sq[i * 5 + 3] = Infinity;
    assert.throws(() => f(sq, 5, 5), /infeasible: column 3 has no allowed row \(every entry is \+Infinity; with as many rows as columns/);
    sq[2 * 5 + 3] = 9; // now feasible: row 2 must take column 3
    const ok = f(sq, 5, 5);
    assert.is(ok.rowToCol[2], 3);
    assert.is(ok.total, 4 * 2 + 9);
    assert.throws(() => f([1, 2, 3], 2, 2), /3 entries but rows × cols = 2 × 2 = 4/);
    assert.throws(() => f([1, -Infinity, 3, 4], 2, 2), /cost\[0, 1\] is -Infinity/);
    assert.throws(() => f([1, 1e200, 3, 4], 2, 2), /cost\[0, 1\] = 1e\+200 is too large/);
    assert.throws(() => f([1, '2', 3, 4] as unknown as number[], 2, 2), /cost\[0, 1\] is not a number/);
    assert.throws(() => f([1, 2], 2, 0), /4|no columns|entries/);
    assert.throws(() => f([1, 2], 1.5, 2), /non-negative integers/);
    // Hall violation found only during augmentation: rows 1, 3, 4 can only use columns 0 and 2
    const I = Infinity;
    const h2 = [
      1, 2, 3, 4, 9,
      5, I, 6, I, I,
      1, 1, 1, 1, 1,
      7, I, 8, I, I,
      9, I, 1, I, I,
    ];
    try { f(h2, 5, 5); assert.unreachable('should throw'); } catch (err) {
      assert.instance(err, AssignmentError);
      assert.match((err as Error).message, /infeasible: no complete assignment avoids the forbidden \(\+Infinity\) entries — rows 1, 3, 4 \(3\) can only use columns 0, 2 \(2\)/);
    }
  }
  // the same with more rows than columns (solved transposed): columns 0 and 1 can only use row 0
  const I = Infinity;
  const t = [1, 1, 5, I, I, 2, I, I, 3, I, I, 4, I, I, 6];
  {
    assert.throws(() => f(t, 5, 3), /columns 0, 1 \(2\) can only use rows 0 \(1\) between them/);
  }
  assert.equal(linearAssignment([], 0, 5), { rowToCol: new Int32Array(0), total: 0 });
});

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  try {
    const program = new Command('ha3m').exitOverride();
    registerAssign(program);
    await program.parseAsync(['node', 'ha3m', ...args]);
  } finally {
    console.log = log;
  }
  return out.join('\n');
}

test('ha3m assign: JSON and raw f64 files, text and --json output, clear errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha3m-assign-'));
  try {
    const jf = join(dir, 'm.json');
    writeFileSync(jf, JSON.stringify({ rows: 3, cols: 4, data: [4, 1, 3, 9, 2, 0, 5, 9, 3, 2, 2, null] }));
    const j = JSON.parse(await cli('assign', '--cost', jf, '--json'));
    assert.equal(j.rowToCol, [1, 0, 2]);
    assert.is(j.total, 5);
    assert.is(j.rows, 3);
    assert.is(j.cols, 4);
    assert.type(j.seconds, 'number');
    const text = await cli('assign', '--cost', jf);
    assert.match(text, /total\s+5/);
    assert.match(text, /2 -> 2/);
    const rf = join(dir, 'm.f64');
    writeFileSync(rf, Buffer.from(new Float64Array([4, 1, 3, 2, 0, 5, 3, 2, 2]).buffer));
    const r = JSON.parse(await cli('assign', '--cost', rf, '--rows', '3', '--cols', '3', '--json'));
    assert.equal(r.rowToCol, [1, 0, 2]);
    const errOf = async (...a: string[]) => { try { await cli(...a); return ''; } catch (e) { return (e as Error).message; } };
    assert.match(await errOf('assign', '--cost', rf, '--rows', '2', '--cols', '3'), /72 bytes, but a 2 × 3 f64 matrix needs 48/);
    assert.match(await errOf('assign', '--cost', rf), /needs --rows and --cols/);
    assert.match(await errOf('assign', '--cost', join(dir, 'nope.json')), /cannot read cost file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ rows: 2, cols: 2, data: [1, 2, null, null] }));
    assert.match(await errOf('assign', '--cost', bad), /infeasible: row 1 has no allowed column/);
    writeFileSync(bad, JSON.stringify({ rows: 2, cols: 2, data: [1, 2, 3] }));
    assert.match(await errOf('assign', '--cost', bad), /"data" has 3 entries, but rows × cols = 2 × 2 = 4/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
