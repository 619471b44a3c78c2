// Plain-TS twin of assembly/lap.ts (Jonker-Volgenant / Crouse rectangular shortest augmenting path, with JV column
// reduction + reduction transfer first for square problems). Performs the
// same f64 operations in the same order, with the same tie-breaking (distance, free column first, lowest column
// index), so it returns bit-identical duals and the same assignment. See assembly/lap.ts for the algorithm.

export interface RefLapResult {
  /** 0 on success; -k when infeasible (then `failedRows` holds the k rows of the failed search). */
  status: number;
  rowToCol: Int32Array;
  failedRows?: Int32Array;
}

/**
 * Solves an n × m (n ≤ m) problem; `cost` is row-major, +Infinity = forbidden. Inputs must be validated.
 * status 0 = solved; -k = infeasible (failedRows); for square problems +(j + 1) = column j has no allowed row.
 */
export function refLapSolve(cost: ArrayLike<number>, n: number, m: number): RefLapResult {
  const u = new Float64Array(n), v = new Float64Array(m), spc = new Float64Array(m);
  const path = new Int32Array(m), row4col = new Int32Array(m).fill(-1), remaining = new Int32Array(m);
  const scannedRows = new Int32Array(n), scannedCols = new Int32Array(m);
  const col4row = new Int32Array(n).fill(-1);

  if (n === m) {
    // column reduction (lowest row on ties), columns in ascending order
    for (let j = 0; j < m; j++) {
      let mn = Infinity, imin = 0;
      for (let i = 0; i < n; i++) { const x = cost[i * m + j]; if (x < mn) { mn = x; imin = i; } }
      if (mn === Infinity) return { status: j + 1, rowToCol: col4row };
      v[j] = mn;
      if (col4row[imin] < 0) { col4row[imin] = j; row4col[j] = imin; }
    }
    // reduction transfer
    for (let i = 0; i < n; i++) {
      const j1 = col4row[i];
      if (j1 < 0) continue;
      let mu = Infinity;
      for (let j = 0; j < m; j++) if (j !== j1) { const x = cost[i * m + j] - v[j]; if (x < mu) mu = x; }
      if (mu !== Infinity) { v[j1] = v[j1] - mu; u[i] = mu; }
    }
  }

  for (let curRow = 0; curRow < n; curRow++) {
    if (col4row[curRow] >= 0) continue;
    for (let j = 0; j < m; j++) { spc[j] = Infinity; remaining[j] = j; }
    let numRemaining = m, nScannedRows = 0, nScannedCols = 0;
    let minVal = 0, i = curRow, sink = -1;
    while (sink < 0) {
      scannedRows[nScannedRows++] = i;
      const h = minVal - u[i];
      const base = i * m;
      let lowest = Infinity, bestIt = -1, bestJ = 0x7fffffff, bestFree = false;
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it];
        const r = (cost[base + j] - v[j]) + h;
        let s = spc[j];
        if (r < s) { s = r; spc[j] = r; path[j] = i; }
        if (s < lowest) {
          lowest = s; bestIt = it; bestJ = j; bestFree = row4col[j] < 0;
        } else if (s === lowest && s !== Infinity) {
          const free = row4col[j] < 0;
          if ((free && !bestFree) || (free === bestFree && j < bestJ)) { bestIt = it; bestJ = j; bestFree = free; }
        }
      }
      if (bestIt < 0) {
        return { status: -nScannedRows, rowToCol: col4row, failedRows: scannedRows.slice(0, nScannedRows) };
      }
      minVal = spc[bestJ]; // (equals `lowest` up to the sign of a zero; the kernel does the same)
      const j = bestJ;
      scannedCols[nScannedCols++] = j;
      remaining[bestIt] = remaining[--numRemaining];
      const owner = row4col[j];
      if (owner < 0) sink = j; else i = owner;
    }
    u[curRow] += minVal;
    for (let k = 1; k < nScannedRows; k++) {
      const r = scannedRows[k];
      u[r] += minVal - spc[col4row[r]];
    }
    for (let k = 0; k < nScannedCols; k++) {
      const c = scannedCols[k];
      v[c] -= minVal - spc[c];
    }
    let j = sink;
    for (;;) {
      const r = path[j];
      row4col[j] = r;
      const prev = col4row[r];
      col4row[r] = j;
      j = prev;
      if (r === curRow) break;
    }
  }
  return { status: 0, rowToCol: col4row };
}
