// Linear assignment (minimum-cost bipartite matching) on dense rectangular matrices, in wasm.
//
// Algorithm: Jonker-Volgenant shortest augmenting path, rectangular form of Crouse (2016) — the algorithm behind
// scipy.optimize.linear_sum_assignment — without an initialization phase (see assembly/lap.ts). O(n² m) worst
// case for n ≤ m; random dense 1024 × 1024 matrices take tens of milliseconds. Costs are solved in f64 (f32 input
// is widened exactly). Ties are broken deterministically (free column first, then lowest column index) and the
// wasm kernel and the TS reference (src/reference/lap.ts) give bit-identical results.
import { arena, reference, resolveBackend, wasmKernels, type Backend } from '../wasm/index.js';

/** Bad input or an infeasible problem. The message names the entry or rows at fault. */
export class AssignmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssignmentError';
  }
}

export interface AssignmentResult {
  /** Column assigned to each row; -1 only when rows > cols (then exactly rows - cols rows stay unassigned). */
  rowToCol: Int32Array;
  /** Σ cost[i, rowToCol[i]] over assigned rows, summed in f64 in row order. */
  total: number;
}

export type CostInput = Float64Array | Float32Array | ArrayLike<number>;

/** Largest finite |cost| accepted: leaves head-room so that dual sums never overflow. */
export const MAX_FINITE_COST = 1e150;

/**
 * Minimum-cost assignment of the rows of a dense `rows × cols` row-major cost matrix to distinct columns.
 * `+Infinity` marks a forbidden pair. With rows ≤ cols every row gets a column; with rows > cols the problem is
 * solved transposed (a copy, O(rows·cols)) and every column gets a row, the other rows get -1.
 * Solved by the wasm kernel, or with `backend: 'reference'` by its plain-TS twin (bit-identical; slower).
 * Throws AssignmentError on NaN / -Infinity / huge entries, wrong sizes, and infeasible problems.
 */
export function linearAssignment(cost: CostInput, rows: number, cols: number, opts: { backend?: Backend } = {}): AssignmentResult {
  const engine = resolveBackend(opts.backend, 'linearAssignment');
  checkShape(cost, rows, cols);
  if (rows === 0) return { rowToCol: new Int32Array(0), total: 0 };
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  let status: number;
  let sol: Int32Array;
  let failed: Int32Array | undefined;
  if (engine === 'wasm') {
    if (!(cost instanceof Float64Array) && !(cost instanceof Float32Array)) checkNumbers(cost, cols);
    const w = wasmKernels('lap');
    ({ status, sol, failed } = arena.scoped((a) => {
      // the kernel wants m % 16 == 0: pad with +Infinity columns (never chosen)
      const mp = (m + 15) & ~15;
      const c = a.alloc('f64', n * mp);
      const view = c.view;
      if (!transposed && mp === m) view.set(cost);
      else if (!transposed) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) view[i * mp + j] = cost[i * m + j];
      else for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) view[j * mp + i] = cost[i * cols + j];
      if (mp !== m) for (let i = 0; i < n; i++) view.fill(Infinity, i * mp + m, i * mp + mp);
      const out = a.alloc('i32', n);
      const bad = w.lapValidate(c.ptr, n, mp, MAX_FINITE_COST, out.ptr);
      if (bad === 1) {
        const k = out.view[0], r = Math.floor(k / mp), q = k % mp;
        const [i, j] = transposed ? [q, r] : [r, q];
        throw entryError(i, j, cost[i * cols + j]);
      }
      if (bad === 2) throw noAllowed(out.view[0], transposed);
      const scratch = a.alloc('u8', w.lapScratchBytes(n, mp));
      // one call per row: lets V8 switch to optimized code mid-solve (see assembly/lap.ts)
      const colFail = w.lapInit(c.ptr, n, mp, m, scratch.ptr, out.ptr, n === m ? 1 : 0);
      if (colFail > 0) throw noAllowed(colFail - 1, !transposed, true);
      let st = 0;
      for (let i = 0; i < n && st === 0; i++) st = w.lapAugment(c.ptr, n, mp, scratch.ptr, out.ptr, i);
      const o = out.copy();
      return { status: st, sol: o, failed: st < 0 ? o.slice(0, -st) : undefined };
    }));
  } else {
    validateAll(cost, rows, cols);
    let c: ArrayLike<number> = cost;
    if (transposed) {
      const t = new Float64Array(n * m);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = cost[i * cols + j];
      c = t;
    }
    const r = reference('lap').refLapSolve(c, n, m);
    if (r.status > 0) throw noAllowed(r.status - 1, !transposed, true);
    status = r.status; sol = r.rowToCol; failed = r.failedRows;
  }
  if (status < 0) throw infeasibleError(cost, rows, cols, failed!, transposed);

  let rowToCol: Int32Array;
  if (!transposed) rowToCol = sol;
  else {
    rowToCol = new Int32Array(rows).fill(-1);
    for (let j = 0; j < cols; j++) rowToCol[sol[j]] = j;
  }
  let total = 0;
  for (let i = 0; i < rows; i++) if (rowToCol[i] >= 0) total += cost[i * cols + rowToCol[i]];
  return { rowToCol, total };
}

function checkShape(cost: CostInput, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new AssignmentError(`rows and cols must be non-negative integers, got rows=${rows}, cols=${cols}`);
  }
  if (cost == null || typeof cost.length !== 'number') {
    throw new AssignmentError('cost must be a Float64Array, Float32Array or number[] holding rows × cols entries, row-major');
  }
  if (cost.length !== rows * cols) {
    throw new AssignmentError(`cost has ${cost.length} entries but rows × cols = ${rows} × ${cols} = ${rows * cols}; ` +
      'pass the matrix row-major with exactly rows × cols entries');
  }
  if (rows > 0 && cols === 0) throw new AssignmentError(`infeasible: ${rows} rows but no columns`);
}

function checkNumbers(cost: ArrayLike<number>, cols: number): void {
  for (let k = 0; k < cost.length; k++) {
    const x = cost[k];
    if (typeof x !== 'number') {
      throw new AssignmentError(`cost[${Math.floor(k / cols)}, ${k % cols}] is not a number (${String(x)})`);
    }
  }
}

function entryError(i: number, j: number, x: number): AssignmentError {
  if (x !== x) return new AssignmentError(`cost[${i}, ${j}] is NaN; every entry must be a number (use +Infinity for a forbidden pair)`);
  if (x === -Infinity) return new AssignmentError(`cost[${i}, ${j}] is -Infinity; costs must be finite, or +Infinity for a forbidden pair`);
  return new AssignmentError(`cost[${i}, ${j}] = ${x} is too large (|cost| must be ≤ ${MAX_FINITE_COST}); ` +
    'use +Infinity for a forbidden pair, or rescale the costs');
}

/** Row k (or, when `column`, column k) of the caller's matrix has only +Infinity entries. */
function noAllowed(k: number, column: boolean, square = false): AssignmentError {
  if (!column) return new AssignmentError(`infeasible: row ${k} has no allowed column (every entry is +Infinity)`);
  return new AssignmentError(`infeasible: column ${k} has no allowed row (every entry is +Infinity; with ` +
    `${square ? 'as many rows as columns' : 'more rows than columns'} every column must be assigned)`);
}

function validateAll(cost: CostInput, rows: number, cols: number): void {
  checkNumbers(cost, cols);
  const colAllowed = rows > cols ? new Uint8Array(cols) : null;
  for (let i = 0; i < rows; i++) {
    let rowAllowed = false;
    const base = i * cols;
    for (let j = 0; j < cols; j++) {
      const x = cost[base + j];
      if (x === Infinity) continue;
      if (x !== x || x > MAX_FINITE_COST || x < -MAX_FINITE_COST) throw entryError(i, j, x);
      rowAllowed = true;
      if (colAllowed) colAllowed[j] = 1;
    }
    if (!rowAllowed && !colAllowed) throw noAllowed(i, false);
  }
  if (colAllowed) {
    const j = colAllowed.indexOf(0);
    if (j >= 0) throw noAllowed(j, true);
  }
}

function listed(xs: number[]): string {
  const shown = xs.slice(0, 12).join(', ');
  return xs.length > 12 ? `${shown}, … (${xs.length} in all)` : shown;
}

function infeasibleError(cost: CostInput, rows: number, cols: number, failed: Int32Array, transposed: boolean): AssignmentError {
  // failed = rows of the solved orientation reached by the last search; their allowed columns are all taken by
  // the others, so |allowed| < |failed| (Hall's condition fails).
  const set = Array.from(failed).sort((a, b) => a - b);
  const allowed = new Set<number>();
  for (const r of set) {
    if (!transposed) { for (let j = 0; j < cols; j++) if (cost[r * cols + j] !== Infinity) allowed.add(j); }
    else { for (let i = 0; i < rows; i++) if (cost[i * cols + r] !== Infinity) allowed.add(i); }
  }
  const a = [...allowed].sort((x, y) => x - y);
  const [what, other] = transposed ? ['columns', 'rows'] : ['rows', 'columns'];
  return new AssignmentError(`infeasible: no complete assignment avoids the forbidden (+Infinity) entries — ` +
    `${what} ${listed(set)} (${set.length}) can only use ${other} ${listed(a)} (${a.length}) between them; ` +
    `allow more pairs for these ${what}`);
}
