// Linear assignment on a sparse candidate graph: rows 0..n−1, columns 0..m−1 (n ≤ m), row i's allowed columns and
// costs in CSR form (rowStart i32[n+1], colIdx i32[E], cost f64[E]); a pair that is not listed is forbidden.
//
// Algorithm: shortest augmenting paths with duals (the Jonker-Volgenant scheme of assembly/lap.ts), the search being
// Dijkstra over the listed edges with a binary heap instead of dense scans: from the free row curRow, the reduced
// distance of column j through row i is (c[i][j] − v[j]) + (d − u[i]), d the distance at which row i was reached
// (0 for curRow). The nearest unscanned column is taken by (distance, free column first, lowest index); a free one
// ends the search, an assigned one scans its row. Then u[curRow] += dmin, every other scanned row and column moves by
// dmin − d (u up, v down), and the path is flipped. Duals start at u[i] = min over row i's costs, v = 0, so every
// reduced cost is ≥ 0; free columns keep v = 0, so the result is optimal over the listed pairs.
// The heap holds (distance, key) with key = (column assigned ? 2^30 : 0) | column; stale entries are skipped when
// popped. Distances are valid where stamp[j] == the search's stamp, so a search costs O(edges it touches · log),
// not O(m). src/reference/lap-sparse.ts performs the same f64 operations in the same order (bit-identical).
//
// Scratch (lapSparseScratchBytes(n, m, E)): u f64[n] | v f64[m] | dist f64[m] | stamp i32[m] | done i32[m] |
// pred i32[m] | row4col i32[m] | scanned i32[m] | heapD f64[E + 1] | heapK i32[E + 1]

export const LAP_SPARSE_KERNELS_VERSION: i32 = 1;

@inline function al(x: usize): usize { return (x + 15) & ~(<usize>15); }

export function lapSparseScratchBytes(n: i32, m: i32, e: i32): usize {
  const nn = <usize>n, mm = <usize>m, ee = <usize>e + 1;
  return al(nn * 8) + 2 * al(mm * 8) + 5 * al(mm * 4) + al(ee * 8) + al(ee * 4);
}

// scratch layout
let U: usize = 0, V: usize = 0, DIST: usize = 0, STAMP: usize = 0, DONE: usize = 0, PRED: usize = 0, R4C: usize = 0, SCAN: usize = 0, HD: usize = 0, HK: usize = 0;

function layout(scratch: usize, n: i32, m: i32, e: i32): void {
  const nn = <usize>n, mm = <usize>m, ee = <usize>e + 1;
  U = scratch; V = U + al(nn * 8); DIST = V + al(mm * 8); STAMP = DIST + al(mm * 8); DONE = STAMP + al(mm * 4);
  PRED = DONE + al(mm * 4); R4C = PRED + al(mm * 4); SCAN = R4C + al(mm * 4); HD = SCAN + al(mm * 4); HK = HD + al(ee * 8);
}

@inline function before(d1: f64, k1: i32, d2: f64, k2: i32): bool { return d1 < d2 || (d1 == d2 && k1 < k2); }

function heapPush(size: i32, d: f64, k: i32): i32 {
  let i = size;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pd = load<f64>(HD + (<usize>p << 3)), pk = load<i32>(HK + (<usize>p << 2));
    if (!before(d, k, pd, pk)) break;
    store<f64>(HD + (<usize>i << 3), pd); store<i32>(HK + (<usize>i << 2), pk);
    i = p;
  }
  store<f64>(HD + (<usize>i << 3), d); store<i32>(HK + (<usize>i << 2), k);
  return size + 1;
}

/** Removes the root (the caller read it); returns the new size. */
function heapPop(size: i32): i32 {
  const n = size - 1;
  if (n == 0) return 0;
  const d = load<f64>(HD + (<usize>n << 3)), k = load<i32>(HK + (<usize>n << 2));
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    let cd = load<f64>(HD + (<usize>c << 3)), ck = load<i32>(HK + (<usize>c << 2));
    if (c + 1 < n) {
      const rd = load<f64>(HD + (<usize>(c + 1) << 3)), rk = load<i32>(HK + (<usize>(c + 1) << 2));
      if (before(rd, rk, cd, ck)) { c++; cd = rd; ck = rk; }
    }
    if (!before(cd, ck, d, k)) break;
    store<f64>(HD + (<usize>i << 3), cd); store<i32>(HK + (<usize>i << 2), ck);
    i = c;
  }
  store<f64>(HD + (<usize>i << 3), d); store<i32>(HK + (<usize>i << 2), k);
  return n;
}

/**
 * Duals and state for a fresh solve: u[i] = min of row i's costs, v = 0, nothing assigned, no stamps. Returns 0,
 * or i + 1 when row i lists no column.
 */
export function lapSparseInit(n: i32, m: i32, e: i32, rowStart: usize, cost: usize, scratch: usize, rowToCol: usize): i32 {
  layout(scratch, n, m, e);
  for (let j: i32 = 0; j < m; j++) {
    store<f64>(V + (<usize>j << 3), 0.0); store<i32>(STAMP + (<usize>j << 2), 0); store<i32>(DONE + (<usize>j << 2), 0);
    store<i32>(R4C + (<usize>j << 2), -1);
  }
  for (let i: i32 = 0; i < n; i++) {
    store<i32>(rowToCol + (<usize>i << 2), -1);
    const a = load<i32>(rowStart + (<usize>i << 2)), b = load<i32>(rowStart + (<usize>i << 2), 4);
    if (a >= b) return i + 1;
    let mn = load<f64>(cost + (<usize>a << 3));
    for (let k = a + 1; k < b; k++) { const x = load<f64>(cost + (<usize>k << 3)); if (x < mn) mn = x; }
    store<f64>(U + (<usize>i << 3), mn);
  }
  return 0;
}

/** Relaxes every listed edge of row i, reached at distance d; returns the new heap size. */
function relaxRow(i: i32, d: f64, stamp: i32, rowStart: usize, colIdx: usize, cost: usize, heap: i32): i32 {
  const a = load<i32>(rowStart + (<usize>i << 2)), b = load<i32>(rowStart + (<usize>i << 2), 4);
  const h = d - load<f64>(U + (<usize>i << 3));
  for (let k = a; k < b; k++) {
    const j = load<i32>(colIdx + (<usize>k << 2));
    const pj = <usize>j;
    if (load<i32>(DONE + (pj << 2)) == stamp) continue;
    const r = (load<f64>(cost + (<usize>k << 3)) - load<f64>(V + (pj << 3))) + h;
    if (load<i32>(STAMP + (pj << 2)) != stamp || r < load<f64>(DIST + (pj << 3))) {
      store<i32>(STAMP + (pj << 2), stamp);
      store<f64>(DIST + (pj << 3), r);
      store<i32>(PRED + (pj << 2), i);
      heap = heapPush(heap, r, (load<i32>(R4C + (pj << 2)) >= 0 ? 1 << 30 : 0) | j);
    }
  }
  return heap;
}

/**
 * Assigns row curRow (rows < curRow are assigned) by one Dijkstra search; call once per row, in order, after
 * lapSparseInit (stamps count searches, so curRow + 1 identifies this one). Returns 0, or −k when no free column is
 * reachable: rowToCol[0..k) then holds the k rows of the failed search, which between them list only k − 1 columns.
 */
export function lapSparseAugment(n: i32, m: i32, e: i32, rowStart: usize, colIdx: usize, cost: usize, scratch: usize, rowToCol: usize, curRow: i32): i32 {
  layout(scratch, n, m, e);
  const stamp = curRow + 1;
  let heap = relaxRow(curRow, 0.0, stamp, rowStart, colIdx, cost, 0);
  let nScanned: i32 = 0;
  let sink: i32 = -1, dmin: f64 = 0;
  while (heap > 0) {
    const d = load<f64>(HD), key = load<i32>(HK);
    heap = heapPop(heap);
    const j = key & ((1 << 30) - 1), pj = <usize>j;
    if (load<i32>(DONE + (pj << 2)) == stamp || d > load<f64>(DIST + (pj << 3))) continue;
    store<i32>(DONE + (pj << 2), stamp);
    store<i32>(SCAN + (<usize>nScanned << 2), j);
    nScanned++;
    const owner = load<i32>(R4C + (pj << 2));
    if (owner < 0) { sink = j; dmin = d; break; }
    heap = relaxRow(owner, d, stamp, rowStart, colIdx, cost, heap);
  }
  if (sink < 0) {
    store<i32>(rowToCol, curRow);
    for (let k: i32 = 0; k < nScanned; k++) {
      store<i32>(rowToCol + (<usize>(k + 1) << 2), load<i32>(R4C + (<usize>load<i32>(SCAN + (<usize>k << 2)) << 2)));
    }
    return -(nScanned + 1);
  }
  // duals: curRow up by dmin; every scanned column (and the row that owned it) by dmin − its distance
  store<f64>(U + (<usize>curRow << 3), load<f64>(U + (<usize>curRow << 3)) + dmin);
  for (let k: i32 = 0; k < nScanned; k++) {
    const pj = <usize>load<i32>(SCAN + (<usize>k << 2));
    const delta = dmin - load<f64>(DIST + (pj << 3));
    store<f64>(V + (pj << 3), load<f64>(V + (pj << 3)) - delta);
    const r = load<i32>(R4C + (pj << 2));
    if (r >= 0) store<f64>(U + (<usize>r << 3), load<f64>(U + (<usize>r << 3)) + delta);
  }
  // flip the path
  let j = sink;
  for (;;) {
    const i = load<i32>(PRED + (<usize>j << 2));
    const prev = load<i32>(rowToCol + (<usize>i << 2));
    store<i32>(R4C + (<usize>j << 2), i);
    store<i32>(rowToCol + (<usize>i << 2), j);
    if (i == curRow) break;
    j = prev;
  }
  return 0;
}
