// Linear assignment over candidate lists: each row may take only the columns it lists (CSR), so a problem with a
// few candidates per row costs time in proportion to the candidates, not to rows × columns. Used by pruned BLM.
//
//   const r = sparseAssignment(rows, cols, { rowStart, colIdx, cost });   // rowStart: rows + 1 offsets into colIdx/cost
//   r.rowToCol, r.total
//
// Optimal over the listed pairs (see assembly/lap-sparse.ts); ties are broken deterministically and the wasm kernel
// equals its TS twin (src/reference/lap-sparse.ts) bit for bit.
import { arena, reference, resolveBackend, wasmKernels, type Backend } from '../wasm/index.js';
import { AssignmentError, MAX_FINITE_COST, type AssignmentResult } from './assignment.js';

export interface SparseCandidates {
  /** rows + 1 non-decreasing offsets: row i lists entries rowStart[i] .. rowStart[i + 1] − 1. */
  rowStart: Int32Array;
  /** Column of each entry (distinct within a row). */
  colIdx: Int32Array;
  /** Finite cost of each entry. */
  cost: Float64Array | Float32Array;
}

function validate(rows: number, cols: number, c: SparseCandidates): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new AssignmentError(`rows and cols must be non-negative integers, got rows=${rows}, cols=${cols}`);
  }
  if (rows > cols) throw new AssignmentError(`sparse assignment needs rows ≤ cols, got ${rows} rows and ${cols} columns; add columns (or transpose)`);
  const { rowStart, colIdx, cost } = c;
  if (!(rowStart instanceof Int32Array) || rowStart.length !== rows + 1 || rowStart[0] !== 0) {
    throw new AssignmentError(`rowStart must be an Int32Array of rows + 1 = ${rows + 1} offsets starting at 0`);
  }
  const e = rowStart[rows]!;
  if (colIdx.length !== e || cost.length !== e) {
    throw new AssignmentError(`rowStart ends at ${e} but colIdx has ${colIdx.length} and cost ${cost.length} entries; they must match`);
  }
  const seen = new Int32Array(cols).fill(-1);
  for (let i = 0; i < rows; i++) {
    const a = rowStart[i]!, b = rowStart[i + 1]!;
    if (b < a) throw new AssignmentError(`rowStart decreases at row ${i} (${a} → ${b}); offsets must be non-decreasing`);
    if (a === b) throw new AssignmentError(`infeasible: row ${i} lists no column`);
    for (let k = a; k < b; k++) {
      const j = colIdx[k]!, x = cost[k]!;
      if (!Number.isInteger(j) || j < 0 || j >= cols) throw new AssignmentError(`row ${i} lists column ${j}, outside 0..${cols - 1}`);
      if (seen[j] === i) throw new AssignmentError(`row ${i} lists column ${j} twice; list each candidate once`);
      seen[j] = i;
      if (!(Math.abs(x) <= MAX_FINITE_COST)) {
        throw new AssignmentError(`cost of row ${i}, column ${j} is ${x}; candidate costs must be finite with |cost| ≤ ${MAX_FINITE_COST} (leave a forbidden pair out)`);
      }
    }
  }
}

function finish(rows: number, c: SparseCandidates, status: number, sol: Int32Array, failed: Int32Array | undefined): AssignmentResult {
  if (status > 0) throw new AssignmentError(`infeasible: row ${status - 1} lists no column`);
  if (status < 0) {
    const set = Array.from(failed!).sort((a, b) => a - b);
    const cols = new Set<number>();
    for (const r of set) for (let k = c.rowStart[r]!; k < c.rowStart[r + 1]!; k++) cols.add(c.colIdx[k]!);
    const show = (xs: number[]) => (xs.length > 12 ? `${xs.slice(0, 12).join(', ')}, … (${xs.length} in all)` : xs.join(', '));
    throw new AssignmentError(`infeasible: rows ${show(set)} (${set.length}) list only columns ${show([...cols].sort((a, b) => a - b))} (${cols.size}) between them; ` +
      'list more candidates for these rows');
  }
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let k = c.rowStart[i]!; k < c.rowStart[i + 1]!; k++) if (c.colIdx[k] === sol[i]) { total += c.cost[k]!; break; }
  }
  return { rowToCol: sol, total };
}

/**
 * Minimum-cost assignment of every row to one of its listed columns, in wasm, or with `backend: 'reference'` by the
 * plain-TS twin (bit-identical).
 */
export function sparseAssignment(rows: number, cols: number, c: SparseCandidates, opts: { backend?: Backend } = {}): AssignmentResult {
  const backend = resolveBackend(opts.backend, 'sparseAssignment');
  validate(rows, cols, c);
  if (rows === 0) return { rowToCol: new Int32Array(0), total: 0 };
  if (backend === 'reference') {
    const r = reference('lapSparse').refSparseLapSolve(rows, cols, c.rowStart, c.colIdx, Float64Array.from(c.cost));
    return finish(rows, c, r.status, r.rowToCol, r.failedRows);
  }
  const w = wasmKernels('lapSparse');
  const e = c.rowStart[rows]!;
  const { status, sol, failed } = arena.scoped((a) => {
    const rs = a.from('i32', c.rowStart), ci = a.from('i32', c.colIdx), co = a.from('f64', c.cost);
    const scratch = a.alloc('u8', w.lapSparseScratchBytes(rows, cols, e), false);
    const out = a.alloc('i32', rows);
    let st = w.lapSparseInit(rows, cols, e, rs.ptr, co.ptr, scratch.ptr, out.ptr);
    // one call per row: lets V8 switch to optimized code mid-solve
    for (let i = 0; i < rows && st === 0; i++) st = w.lapSparseAugment(rows, cols, e, rs.ptr, ci.ptr, co.ptr, scratch.ptr, out.ptr, i);
    const o = out.copy();
    return { status: st, sol: o, failed: st < 0 ? o.slice(0, -st) : undefined };
  });
  return finish(rows, c, status, sol, failed);
}
