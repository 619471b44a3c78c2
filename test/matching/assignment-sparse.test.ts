import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { linearAssignment, AssignmentError } from '../../src/matching/assignment.js';
import { sparseAssignment, type SparseCandidates } from '../../src/matching/assignment-sparse.js';

initSync();

/** Random candidate lists: each row lists `per` distinct random columns (always its own column i when `diag`). */
function randomSparse(rng: RefRng, n: number, m: number, per: number, kind: 'float' | 'int' | 'equal', diag: boolean): SparseCandidates {
  const rowStart = new Int32Array(n + 1), cols: number[] = [], costs: number[] = [];
  for (let i = 0; i < n; i++) {
    const pick = new Set<number>();
    if (diag) pick.add(i);
    while (pick.size < Math.min(per, m)) pick.add(Math.floor(rng.uniform() * m));
    for (const j of pick) {
      cols.push(j);
      costs.push(kind === 'float' ? rng.uniform() * 100 - 20 : kind === 'int' ? Math.floor(rng.uniform() * 20) : 5);
    }
    rowStart[i + 1] = cols.length;
  }
  return { rowStart, colIdx: Int32Array.from(cols), cost: Float64Array.from(costs) };
}

function dense(n: number, m: number, c: SparseCandidates): Float64Array {
  const d = new Float64Array(n * m).fill(Infinity);
  for (let i = 0; i < n; i++) for (let k = c.rowStart[i]!; k < c.rowStart[i + 1]!; k++) d[i * m + c.colIdx[k]!] = c.cost[k]!;
  return d;
}

test('optimal over the listed pairs (= the dense solver with the rest forbidden), and wasm equals its twin bit for bit', () => {
  const rng = new RefRng(31, 0);
  let cases = 0;
  for (const [n, m, per] of [[1, 1, 1], [5, 5, 2], [8, 12, 3], [30, 30, 4], [40, 55, 6], [200, 210, 5], [300, 300, 12], [64, 1000, 3]] as const) {
    for (const kind of ['float', 'int', 'equal'] as const) {
      for (let rep = 0; rep < 3; rep++) {
        const c = randomSparse(rng, n, m, per, kind, true); // the diagonal keeps every problem feasible
        const a = sparseAssignment(n, m, c), r = sparseAssignment(n, m, c, { backend: 'reference' });
        assert.equal(Array.from(a.rowToCol), Array.from(r.rowToCol), `${n}×${m} ${kind}`);
        assert.ok(Object.is(a.total, r.total));
        const used = new Set(a.rowToCol);
        assert.is(used.size, n, 'distinct columns');
        const d = linearAssignment(dense(n, m, c), n, m);
        assert.ok(Math.abs(a.total - d.total) <= 1e-9 * Math.max(1, Math.abs(d.total)), `${n}×${m} ${kind}: ${a.total} vs dense ${d.total}`);
        cases++;
      }
    }
  }
  assert.ok(cases > 60);
});

test('infeasible candidate lists and bad input name the rows and the fix', () => {
  // rows 0..2 all list only columns 0 and 1
  const c: SparseCandidates = { rowStart: Int32Array.from([0, 2, 4, 6, 7]), colIdx: Int32Array.from([0, 1, 1, 0, 0, 1, 3]), cost: Float64Array.from([1, 2, 3, 4, 5, 6, 7]) };
  for (const backend of ['wasm', 'reference'] as const) {
    assert.throws(() => sparseAssignment(4, 4, c, { backend }), (e: unknown) => e instanceof AssignmentError && /rows 0, 1, 2 \(3\) list only columns 0, 1 \(2\)/.test((e as Error).message));
  }
  const ok = { rowStart: Int32Array.from([0, 1, 2]), colIdx: Int32Array.from([0, 1]), cost: Float64Array.from([1, 2]) };
  assert.throws(() => sparseAssignment(2, 1, ok), /rows ≤ cols/);
  assert.throws(() => sparseAssignment(2, 2, { ...ok, rowStart: Int32Array.from([0, 1, 1]) }), /rowStart ends at 1 but colIdx has 2/);
  assert.throws(() => sparseAssignment(2, 2, { ...ok, rowStart: Int32Array.from([0, 0, 2]) }), /row 0 lists no column/);
  assert.throws(() => sparseAssignment(2, 2, { ...ok, colIdx: Int32Array.from([0, 5]) }), /row 1 lists column 5, outside 0..1/);
  assert.throws(() => sparseAssignment(2, 2, { ...ok, colIdx: Int32Array.from([1, 1]), rowStart: Int32Array.from([0, 2, 2]) }), /row 0 lists column 1 twice|row 1 lists no column/);
  assert.throws(() => sparseAssignment(2, 2, { ...ok, cost: Float64Array.from([1, Infinity]) }), /row 1, column 1 is Infinity.*leave a forbidden pair out/);
  assert.throws(() => sparseAssignment(2, 2, { ...ok, cost: Float64Array.from([NaN, 1]) }), /row 0, column 0 is NaN/);
  assert.equal(Array.from(sparseAssignment(2, 2, ok).rowToCol), [0, 1]);
  assert.is(sparseAssignment(0, 3, { rowStart: Int32Array.from([0]), colIdx: new Int32Array(0), cost: new Float64Array(0) }).total, 0);
});

test.run();
