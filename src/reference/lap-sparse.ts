// Plain-TS twin of assembly/lap-sparse.ts (assignment on a sparse candidate graph: shortest augmenting paths, each
// search a Dijkstra over the listed edges). Same f64 operations in the same order and the same choice among equal
// distances (free column first, then lowest index), so the assignment is bit-identical. See the kernel for the
// algorithm.

export interface RefSparseLapResult {
  /** 0 solved; i + 1: row i lists no column; −k: infeasible, failedRows holds the k rows of the failed search. */
  status: number;
  rowToCol: Int32Array;
  failedRows?: Int32Array;
}

/** A binary min-heap of (distance, key), ordered by distance then key. */
class Heap {
  private d: number[] = [];
  private k: number[] = [];
  get size(): number { return this.d.length; }
  private less(a: number, b: number): boolean { return this.d[a]! < this.d[b]! || (this.d[a] === this.d[b] && this.k[a]! < this.k[b]!); }
  private swap(a: number, b: number): void {
    [this.d[a], this.d[b]] = [this.d[b]!, this.d[a]!];
    [this.k[a], this.k[b]] = [this.k[b]!, this.k[a]!];
  }
  push(d: number, k: number): void {
    this.d.push(d); this.k.push(k);
    for (let i = this.d.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p); i = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.d[0]!, this.k[0]!];
    const d = this.d.pop()!, k = this.k.pop()!;
    if (this.d.length) {
      this.d[0] = d; this.k[0] = k;
      for (let i = 0; ;) {
        let c = 2 * i + 1;
        if (c >= this.d.length) break;
        if (c + 1 < this.d.length && this.less(c + 1, c)) c++;
        if (!this.less(c, i)) break;
        this.swap(c, i); i = c;
      }
    }
    return top;
  }
}

/** Solves n rows (n ≤ m) over CSR candidate lists; inputs must be validated (finite costs, columns < m). */
export function refSparseLapSolve(n: number, m: number, rowStart: ArrayLike<number>, colIdx: ArrayLike<number>, cost: ArrayLike<number>): RefSparseLapResult {
  const u = new Float64Array(n), v = new Float64Array(m), dist = new Float64Array(m);
  const stampOf = new Int32Array(m), done = new Int32Array(m), pred = new Int32Array(m), row4col = new Int32Array(m).fill(-1);
  const col4row = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const a = rowStart[i]!, b = rowStart[i + 1]!;
    if (a >= b) return { status: i + 1, rowToCol: col4row };
    let mn = cost[a]!;
    for (let k = a + 1; k < b; k++) if (cost[k]! < mn) mn = cost[k]!;
    u[i] = mn;
  }
  for (let cur = 0; cur < n; cur++) {
    const stamp = cur + 1;
    const heap = new Heap();
    const relax = (i: number, d: number) => {
      const h = d - u[i]!;
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) {
        const j = colIdx[k]!;
        if (done[j] === stamp) continue;
        const r = (cost[k]! - v[j]!) + h;
        if (stampOf[j] !== stamp || r < dist[j]!) {
          stampOf[j] = stamp; dist[j] = r; pred[j] = i;
          heap.push(r, (row4col[j]! >= 0 ? 1 << 30 : 0) | j);
        }
      }
    };
    relax(cur, 0);
    const scanned: number[] = [];
    let sink = -1, dmin = 0;
    while (heap.size) {
      const [d, key] = heap.pop();
      const j = key & ((1 << 30) - 1);
      if (done[j] === stamp || d > dist[j]!) continue;
      done[j] = stamp;
      scanned.push(j);
      const owner = row4col[j]!;
      if (owner < 0) { sink = j; dmin = d; break; }
      relax(owner, d);
    }
    if (sink < 0) return { status: -(scanned.length + 1), rowToCol: col4row, failedRows: Int32Array.from([cur, ...scanned.map((j) => row4col[j]!)]) };
    u[cur] = u[cur]! + dmin;
    for (const j of scanned) {
      const delta = dmin - dist[j]!;
      v[j] = v[j]! - delta;
      const r = row4col[j]!;
      if (r >= 0) u[r] = u[r]! + delta;
    }
    for (let j = sink; ;) {
      const i = pred[j]!;
      const prev = col4row[i]!;
      row4col[j] = i; col4row[i] = j;
      if (i === cur) break;
      j = prev;
    }
  }
  return { status: 0, rowToCol: col4row };
}
