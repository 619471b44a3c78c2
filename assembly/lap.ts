// Linear assignment: minimum-cost assignment of the n rows of a dense n × m cost matrix (n ≤ m, f64, row-major,
// +Infinity = forbidden pair) to distinct columns.
//
// Algorithm: Jonker-Volgenant shortest augmenting path in the rectangular form of Crouse (2016), i.e. the
// algorithm behind scipy's linear_sum_assignment; square problems first get Jonker-Volgenant's column reduction
// and reduction transfer (see lapInit: valid only when every column must be used), which assigns ~60% of the rows
// and tightens the duals so that the searches scan ~2× fewer rows. Then rows are added one at a time;
// for each free row a Dijkstra search over reduced costs c[i][j] - u[i] - v[j] (≥ 0 by dual feasibility) finds a
// shortest alternating path to a free column; the duals are updated so that every assigned pair stays tight and
// every reduced cost stays ≥ 0, and the path is flipped. Rectangular problems start from u = v = 0; column duals
// only ever decrease and free columns keep v = 0, so at the end (u, v) is an optimal dual and the assignment is
// optimal (square problems need no condition on v: every column ends up assigned).
// Complexity: O(n² m) time in the worst case (n searches, each scanning at most n rows × m columns), O(n + m)
// scratch; random dense matrices need far less because most searches stop after a few rows.
//
// Determinism: the minimum of a search step is chosen by (distance, free column first, lowest column index),
// independent of the order in which columns are visited, and every floating-point operation is done in f64 in a
// fixed order: src/reference/lap.ts performs exactly the same operations and returns bit-identical results.
// The reduced distance of column j from row i is  r = (c[i][j] - v[j]) + (minVal - u[i]).
//
// Implementation: the inner loop (relax one row, take the minimum) is dense over all columns in f64x2 SIMD and
// branch-free: spc[j] = pmin(spc[j], r) keeps the strict "<" update of the reference. A scanned column is parked
// with spc = +Infinity and v = -Infinity (so r = +Infinity never relaxes it and it never wins the minimum); its
// true v and final distance live in per-search lists and v is restored in the dual update. The predecessor row
// of a column is not stored in the hot loop: after the search it is recomputed for the columns on the augmenting
// path only, as the first scanned row whose relaxation produced the column's final distance — exactly the row
// the reference's strict-"<" update recorded. Columns are processed in blocks of 16 whose minima are kept, so
// finding the nearest column only looks into the blocks that hold the minimum. The column count m must be a
// multiple of 16 (the host pads with +Infinity columns, which can never be chosen).
//
// Scratch (lapScratchBytes(n, m) bytes, 16-aligned, contents need not be initialized):
//   u f64[n] | v f64[m] | spc f64[m] | row4col i32[m] | scannedRows i32[n] | scannedH f64[n] | scannedCols i32[m] |
//   scannedD f64[m] | scannedV f64[m] | blockMin f64[m / 16]
// Entry points: lapInit, then lapAugment(curRow) for every row in order. Output: rowToCol i32[n]. lapAugment
// returns 0 on success; on infeasibility -k, with the k rows of the failed search
// (first = the row that could not be assigned) written to rowToCol[0..k): together they can use only k - 1
// columns (a Hall violation), so no complete assignment avoids +Infinity.

export const LAP_KERNELS_VERSION: i32 = 6;

@inline function al(x: usize): usize { return (x + 15) & ~(<usize>15); }

/** spc[0..1] = pmin(spc, (c - v) + h) (the strict "<" update); returns pmin(acc, new spc). */
@inline function relax(c: usize, v: usize, spc: usize, hS: v128, acc: v128): v128 {
  const r = f64x2.add(f64x2.sub(v128.load(c), v128.load(v)), hS);
  const t = f64x2.pmin(v128.load(spc), r);
  v128.store(spc, t);
  return f64x2.pmin(acc, t);
}

export function lapScratchBytes(n: i32, m: i32): usize {
  const nn = <usize>n, mm = <usize>m;
  return al(nn * 8) + 2 * al(mm * 8) + al(mm * 4) + al(nn * 4) + al(nn * 8) + al(mm * 4) + 2 * al(mm * 8) + al((mm >> 4) * 8);
}

/**
 * Starts a solve: u = 0, v = 0, nothing assigned. With reduce != 0 (only valid for square problems: mReal == n,
 * columns ≥ mReal are +Infinity padding) it then does the Jonker-Volgenant column reduction and reduction
 * transfer, which leave feasible duals (c − u − v ≥ 0) that are tight on a partial assignment:
 *   column reduction   v[j] = min_i c[i][j] (lowest i on ties); column j goes to that row if the row is still free
 *                      (columns in ascending order);
 *   reduction transfer for each assigned row i (ascending) with column j1: μ = min_{j≠j1} (c[i][j] − v[j]);
 *                      if μ is finite, v[j1] −= μ and u[i] = μ.
 * A square problem must use every column, so the SAP phase can start from any such state (optimality of a perfect
 * matching needs only feasibility and tightness); a rectangular one could not, because there free columns must
 * keep equal duals. Returns 0, or j + 1 when column j (< mReal) has no allowed row (square: infeasible).
 * Then call lapAugment for curRow = 0 … n − 1 (rows already assigned return at once).
 */
export function lapInit(cost: usize, n: i32, m: i32, mReal: i32, scratch: usize, rowToCol: usize, reduce: i32): i32 {
  const nn = <usize>n, mm = <usize>m, mr = <usize>mReal;
  const u = scratch;
  const v = u + al(nn * 8);
  const spc = v + al(mm * 8);
  const row4col = spc + al(mm * 8);
  for (let i: usize = 0; i < nn; i++) { store<f64>(u + (i << 3), 0.0); store<i32>(rowToCol + (i << 2), -1); }
  for (let j: usize = 0; j < mm; j++) { store<f64>(v + (j << 3), 0.0); store<i32>(row4col + (j << 2), -1); }
  if (!reduce) return 0;

  // column minima (spc doubles as the i64 argmin array here)
  const infS = f64x2.splat(Infinity);
  for (let j: usize = 0; j < mm; j += 2) { v128.store(v + (j << 3), infS); v128.store(spc + (j << 3), i64x2.splat(0)); }
  for (let i: usize = 0; i < nn; i++) {
    const row = cost + ((i * mm) << 3);
    const iS = i64x2.splat(<i64>i);
    for (let j: usize = 0; j < mm; j += 2) {
      const o = j << 3;
      const x = v128.load(row + o);
      const cur = v128.load(v + o);
      const lt = f64x2.lt(x, cur);
      v128.store(v + o, v128.bitselect(x, cur, lt));
      v128.store(spc + o, v128.bitselect(iS, v128.load(spc + o), lt));
    }
  }
  for (let j: usize = 0; j < mr; j++) {
    if (load<f64>(v + (j << 3)) == Infinity) return <i32>j + 1;
    const i = <usize>load<i32>(spc + (j << 3));
    if (load<i32>(rowToCol + (i << 2)) < 0) {
      store<i32>(rowToCol + (i << 2), <i32>j);
      store<i32>(row4col + (j << 2), <i32>i);
    }
  }
  for (let j: usize = mr; j < mm; j++) store<f64>(v + (j << 3), 0.0);

  // reduction transfer
  for (let i: usize = 0; i < nn; i++) {
    const j1 = load<i32>(rowToCol + (i << 2));
    if (j1 < 0) continue;
    const pj = v + (<usize>j1 << 3);
    const vj1 = load<f64>(pj);
    store<f64>(pj, -Infinity); // c − (−∞) = +∞: column j1 drops out of the minimum
    const row = cost + ((i * mm) << 3);
    let mnA = infS, mnB = infS;
    for (let j: usize = 0; j < mm; j += 4) {
      const o = j << 3;
      mnA = f64x2.pmin(mnA, f64x2.sub(v128.load(row + o), v128.load(v + o)));
      mnB = f64x2.pmin(mnB, f64x2.sub(v128.load(row + o, 16), v128.load(v + o, 16)));
    }
    const mn = f64x2.pmin(mnA, mnB);
    const m0 = f64x2.extract_lane(mn, 0), m1 = f64x2.extract_lane(mn, 1);
    const mu = m1 < m0 ? m1 : m0;
    if (mu != Infinity) {
      store<f64>(pj, vj1 - mu);
      store<f64>(u + (i << 3), mu);
    } else {
      store<f64>(pj, vj1);
    }
  }
  return 0;
}

/**
 * Assigns row curRow (rows < curRow are assigned) by one shortest augmenting path search. The host calls it once
 * per row, so that V8 can swap in its optimized code between calls (a single long call would run to the end in
 * the baseline tier). Returns 0, or -k on infeasibility (see above).
 */
export function lapAugment(cost: usize, n: i32, m: i32, scratch: usize, rowToCol: usize, curRow: i32): i32 {
  const nn = <usize>n, mm = <usize>m;
  const u = scratch;
  const v = u + al(nn * 8);
  const spc = v + al(mm * 8);
  const row4col = spc + al(mm * 8);
  const scannedRows = row4col + al(mm * 4);
  const scannedH = scannedRows + al(nn * 4);
  const scannedCols = scannedH + al(nn * 8);
  const scannedD = scannedCols + al(mm * 4);
  const scannedV = scannedD + al(mm * 8);
  const blockMin = scannedV + al(mm * 8);
  const nBlocks = mm >> 4;
  const col4row = rowToCol;
  const infS = f64x2.splat(Infinity);
  if (load<i32>(col4row + (<usize>curRow << 2)) >= 0) return 0; // assigned by lapInit's reduction
  {
    for (let j: usize = 0; j < mm; j += 2) v128.store(spc + (j << 3), infS);
    let nScannedRows: i32 = 0, nScannedCols: i32 = 0;
    let minVal: f64 = 0.0;
    let i: i32 = curRow;
    let sink: i32 = -1;
    while (sink < 0) {
      const h: f64 = minVal - load<f64>(u + (<usize>i << 3));
      store<i32>(scannedRows + (<usize>nScannedRows << 2), i);
      store<f64>(scannedH + (<usize>nScannedRows << 3), h);
      nScannedRows++;
      const hS = f64x2.splat(h);
      const crow = cost + ((<usize>i * mm) << 3);
      // relax row i over every column, 16 columns (8 vectors) per block; record each block's minimum
      let lowest: f64 = Infinity;
      for (let b: usize = 0; b < nBlocks; b++) {
        const o = b << 7; // 16 columns × 8 bytes
        let mnA = relax(crow + o, v + o, spc + o, hS, infS);
        let mnB = relax(crow + o + 16, v + o + 16, spc + o + 16, hS, infS);
        mnA = relax(crow + o + 32, v + o + 32, spc + o + 32, hS, mnA);
        mnB = relax(crow + o + 48, v + o + 48, spc + o + 48, hS, mnB);
        mnA = relax(crow + o + 64, v + o + 64, spc + o + 64, hS, mnA);
        mnB = relax(crow + o + 80, v + o + 80, spc + o + 80, hS, mnB);
        mnA = relax(crow + o + 96, v + o + 96, spc + o + 96, hS, mnA);
        mnB = relax(crow + o + 112, v + o + 112, spc + o + 112, hS, mnB);
        const mn = f64x2.pmin(mnA, mnB);
        const m0 = f64x2.extract_lane(mn, 0), m1 = f64x2.extract_lane(mn, 1);
        const bm = m1 < m0 ? m1 : m0;
        store<f64>(blockMin + (b << 3), bm);
        lowest = bm < lowest ? bm : lowest;
      }
      if (lowest == Infinity) {
        // no reachable column: the rows scanned so far can use only the columns already scanned
        for (let k: i32 = 0; k < nScannedRows; k++) {
          store<i32>(rowToCol + (<usize>k << 2), load<i32>(scannedRows + (<usize>k << 2)));
        }
        return -nScannedRows;
      }
      // nearest column: lowest index among the free columns at distance `lowest`, else lowest index overall;
      // only blocks whose minimum is `lowest` can hold it
      let bestJ: i32 = -1;
      for (let b: usize = 0; b < nBlocks; b++) {
        if (load<f64>(blockMin + (b << 3)) != lowest) continue;
        let found = false;
        for (let k: usize = b << 4, e = k + 16; k < e; k++) {
          if (load<f64>(spc + (k << 3)) == lowest) {
            if (load<i32>(row4col + (k << 2)) < 0) { bestJ = <i32>k; found = true; break; }
            if (bestJ < 0) bestJ = <i32>k;
          }
        }
        if (found) break;
      }
      const bj = <usize>bestJ;
      minVal = load<f64>(spc + (bj << 3));
      store<i32>(scannedCols + (<usize>nScannedCols << 2), bestJ);
      store<f64>(scannedD + (<usize>nScannedCols << 3), minVal);
      store<f64>(scannedV + (<usize>nScannedCols << 3), load<f64>(v + (bj << 3)));
      nScannedCols++;
      store<f64>(spc + (bj << 3), Infinity);
      store<f64>(v + (bj << 3), -Infinity);
      const owner = load<i32>(row4col + (bj << 2));
      if (owner < 0) sink = bestJ; else i = owner;
    }

    // augment: walk back from the sink (scan index q = last). The predecessor row of column scannedCols[q] is
    // the first scanned row k ≤ q whose relaxation gave exactly scannedD[q]; row k (k ≥ 1) was reached through
    // column scannedCols[k - 1].
    let q: i32 = nScannedCols - 1;
    while (true) {
      const jq = <usize>load<i32>(scannedCols + (<usize>q << 2));
      const dq = load<f64>(scannedD + (<usize>q << 3));
      const vq = load<f64>(scannedV + (<usize>q << 3));
      let k: i32 = 0;
      for (; k < q; k++) {
        const rk = <usize>load<i32>(scannedRows + (<usize>k << 2));
        const r: f64 = (load<f64>(cost + ((rk * mm + jq) << 3)) - vq) + load<f64>(scannedH + (<usize>k << 3));
        if (r == dq) break;
      }
      const row = load<i32>(scannedRows + (<usize>k << 2));
      store<i32>(row4col + (jq << 2), row);
      store<i32>(col4row + (<usize>row << 2), <i32>jq);
      if (k == 0) break;
      q = k - 1;
    }

    // dual update: row scannedRows[k] (k ≥ 1) was reached through column scannedCols[k - 1]; restore v
    store<f64>(u + (<usize>curRow << 3), load<f64>(u + (<usize>curRow << 3)) + minVal);
    for (let k: i32 = 1; k < nScannedRows; k++) {
      const r = <usize>load<i32>(scannedRows + (<usize>k << 2));
      store<f64>(u + (r << 3), load<f64>(u + (r << 3)) + (minVal - load<f64>(scannedD + (<usize>(k - 1) << 3))));
    }
    for (let k: i32 = 0; k < nScannedCols; k++) {
      const c = <usize>load<i32>(scannedCols + (<usize>k << 2));
      store<f64>(v + (c << 3), load<f64>(scannedV + (<usize>k << 3)) - (minVal - load<f64>(scannedD + (<usize>k << 3))));
    }
  }
  return 0;
}

/**
 * Checks a padded n × m cost matrix (m even) before solving. Returns 0 when every entry is finite with
 * |x| ≤ maxAbs or +Infinity and every row has an allowed (finite) entry; 1 with out[0] = flat index of the first
 * NaN / -Infinity / too large entry; 2 with out[0] = the first row whose entries are all +Infinity.
 */
export function lapValidate(cost: usize, n: i32, m: i32, maxAbs: f64, out: usize): i32 {
  const mm = <usize>m;
  const infS = f64x2.splat(Infinity);
  const maxS = f64x2.splat(maxAbs);
  for (let i: usize = 0; i < <usize>n; i++) {
    const row = cost + ((i * mm) << 3);
    let bad = i64x2.splat(0), allowed = i64x2.splat(0);
    for (let j: usize = 0; j < mm; j += 2) {
      const x = v128.load(row + (j << 3));
      const notInf = f64x2.ne(x, infS);
      bad = v128.or(bad, v128.or(f64x2.ne(x, x), v128.and(f64x2.gt(f64x2.abs(x), maxS), notInf)));
      allowed = v128.or(allowed, notInf);
    }
    if (v128.any_true(bad)) {
      for (let j: usize = 0; j < mm; j++) {
        const x = load<f64>(row + (j << 3));
        if (x != x || (x != Infinity && abs(x) > maxAbs)) { store<i32>(out, <i32>(i * mm + j)); return 1; }
      }
    }
    if (!v128.any_true(allowed)) { store<i32>(out, <i32>i); return 2; }
  }
  return 0;
}
