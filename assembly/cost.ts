// Block cost matrices for BLM (DESIGN §3.2): price turning every candidate slot's present cell levels into every
// incoming block's levels.
//
// Every mode is Σ_cells W[slotLevel][blockLevel] for an L × L weight table W (expected cycles, mismatch = [f ≠ t],
// L1 = |f − t|), i.e. Σ_{f,t} W[f][t]·count(f, t) where count(f, t) = #cells with slot level f and block level t.
// The counts come from one-hot bit planes: plane k of an entity has bit c set when cell c is at the plane's level
// (255 = a cell the block does not use is in no plane), so count(f, t) = popcount(slotPlane_f & blockPlane_t), done
// 128 cells at a time with 64-bit and + popcnt. Every cell is at exactly one level, so one level per side needs no
// plane (its count follows from the totals); the host chooses the decomposition — which levels get planes, the plane
// pairs ("codes") with their weights, a constant per block and per slot (blocks that use every cell), and cells
// priced one by one (a slot's cells at rare levels, e.g. stuck-cell pseudo-levels) — see
// src/matching/cost-kernel.ts and cost-plan.ts. The kernel computes
// out[b·ns + s] = f32((blockConst[b] [+ slotConst[s]]) + Σ_k weight_k·count(code_k) [+ Σ_sparse corr]) in f64, in
// code order; the TS twins (src/reference/cost.ts) reproduce it bit for bit.
//
// Layout: an entity's planes are contiguous, plane k at k·planeBytes (planeBytes % 16 == 0); cell c is bit (c & 7)
// of byte c >> 3, so the two cells of a differential pair (2k, 2k+1) are adjacent bits of one byte.

export const COST_KERNELS_VERSION: i32 = 3;

/**
 * cells (u8, count × cellStride, cellStride % 16 == 0, padding cells = 255) → one-hot planes and level counts.
 * planeOf (i32, `levels` entries): the plane index of each level, or −1 for a level without a plane; an entity's
 * nPlanes planes are contiguous (count × nPlanes × planeBytes, planeBytes = cellStride / 8). totals (i32,
 * count × levels): cells at each level 0..levels−1, planes or not. negate != 0 reads the entity stored negated:
 * cell i takes the level of cell i ^ 1 (differential pair swapped).
 */
export function costPackPlanes(
  cells: usize, count: i32, cellStride: i32, levels: i32, negate: i32, planeOf: usize, nPlanes: i32, planes: usize,
  planeBytes: i32, totals: usize,
): void {
  const stride = <usize>cellStride, pb = <usize>planeBytes, L = <usize>levels, P = <usize>nPlanes;
  for (let e: usize = 0; e < <usize>count; e++) {
    const src = cells + e * stride;
    const dst = planes + e * P * pb;
    const tot = totals + ((e * L) << 2);
    for (let t: usize = 0; t < L; t++) store<i32>(tot + (t << 2), 0);
    for (let c: usize = 0; c < stride; c += 16) {
      let x = v128.load(src + c);
      if (negate) x = i8x16.shuffle(x, x, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
      for (let t: usize = 0; t < L; t++) {
        const bits = i8x16.bitmask(i8x16.eq(x, i8x16.splat(<i8>t)));
        const k = load<i32>(planeOf + (t << 2));
        if (k >= 0) store<u16>(dst + <usize>k * pb + (c >> 3), <u16>bits);
        store<i32>(tot + (t << 2), load<i32>(tot + (t << 2)) + popcnt(bits));
      }
    }
  }
}

/** popcount(a & b) over n bytes (n % 16 == 0). Scalar 64-bit popcnt (one instruction on x64/arm64) beats
 *  i8x16.popcnt, which has no single-instruction form on most x64 CPUs. */
@inline function andCount(a: usize, b: usize, n: usize): i32 {
  let c0: i64 = 0, c1: i64 = 0;
  for (let c: usize = 0; c < n; c += 16) {
    c0 += popcnt(load<u64>(a + c) & load<u64>(b + c));
    c1 += popcnt(load<u64>(a + c, 8) & load<u64>(b + c, 8));
  }
  return <i32>(c0 + c1);
}

/**
 * Cells priced one by one on top of the planes: a slot's sparse cells (levels without a plane, e.g. stuck cells) are
 * listed (cell index, row of corr); corr (f64, rows × 256) holds the correction for each block level (row[255] = 0
 * for cells the block does not use). Returns Σ corr[row·256 + blockLevel(cell ^ negate)] over the slot's list.
 */
@inline function sparseCorrection(start: usize, end: usize, cellIdx: usize, cellRow: usize, blk: usize, negate: usize, corr: usize): f64 {
  let acc: f64 = 0;
  for (let k = start; k < end; k++) {
    const c = <usize>load<i32>(cellIdx + (k << 2)) ^ negate;
    const row = <usize>load<i32>(cellRow + (k << 2));
    acc += load<f64>(corr + ((row * 256 + <usize>load<u8>(blk + c)) << 3));
  }
  return acc;
}

/**
 * out[b·outStride + s] (f32) = f32((blockConst[b] [+ slotConst[s] when slotConst != 0]) + Σ_k weights[k] ·
 * popcount(slot_s plane codes[2k] & block_b plane codes[2k+1]) [+ the slot's sparse correction]), summed in f64 in
 * k order, the correction last. Planes as made by costPackPlanes (blockPlanesPer / slotPlanesPer planes per entity).
 * Sparse (sparseStart != 0): sparseStart (i32, ns + 1) delimits each slot's run of sparseCell / sparseRow;
 * blockCells (u8, nb × cellStride) are the blocks' levels, read at cell ^ negate; see sparseCorrection.
 * Blocks are taken four at a time (register blocking: each slot word is loaded once for four blocks), the rest
 * one at a time.
 */
export function costMatrix(
  blockPlanes: usize, nb: i32, blockPlanesPer: i32, slotPlanes: usize, ns: i32, slotPlanesPer: i32, planeBytes: i32,
  codes: usize, weights: usize, nCodes: i32, blockConst: usize, slotConst: usize, out: usize, outStride: i32,
  sparseStart: usize, sparseCell: usize, sparseRow: usize, blockCells: usize, cellStride: i32, negate: i32, corr: usize,
): void {
  const pb = <usize>planeBytes;
  const bEnt = <usize>blockPlanesPer * pb, sEnt = <usize>slotPlanesPer * pb;
  const nbu = <usize>nb, nsu = <usize>ns, nc = <usize>nCodes, os = <usize>outStride;
  const cs = <usize>cellStride, ng = <usize>(negate ? 1 : 0);
  let b: usize = 0;
  for (; b + 4 <= nbu; b += 4) {
    const bp0 = blockPlanes + b * bEnt;
    const bp1 = bp0 + bEnt, bp2 = bp1 + bEnt, bp3 = bp2 + bEnt;
    const k0 = load<f64>(blockConst + (b << 3)), k1 = load<f64>(blockConst + (b << 3), 8);
    const k2 = load<f64>(blockConst + (b << 3), 16), k3 = load<f64>(blockConst + (b << 3), 24);
    const row = out + ((b * os) << 2);
    for (let s: usize = 0; s < nsu; s++) {
      const sp = slotPlanes + s * sEnt;
      let a0 = k0, a1 = k1, a2 = k2, a3 = k3;
      if (slotConst) {
        const sc = load<f64>(slotConst + (s << 3));
        a0 += sc; a1 += sc; a2 += sc; a3 += sc;
      }
      for (let k: usize = 0; k < nc; k++) {
        const f = <usize>load<i32>(codes + (k << 3));
        const t = <usize>load<i32>(codes + (k << 3), 4) * pb;
        const sf = sp + f * pb;
        let c0: i64 = 0, c1: i64 = 0, c2: i64 = 0, c3: i64 = 0;
        for (let c: usize = 0; c < pb; c += 8) {
          const x = load<u64>(sf + c);
          c0 += popcnt(x & load<u64>(bp0 + t + c));
          c1 += popcnt(x & load<u64>(bp1 + t + c));
          c2 += popcnt(x & load<u64>(bp2 + t + c));
          c3 += popcnt(x & load<u64>(bp3 + t + c));
        }
        const w = load<f64>(weights + (k << 3));
        a0 += w * <f64>c0; a1 += w * <f64>c1; a2 += w * <f64>c2; a3 += w * <f64>c3;
      }
      if (sparseStart) {
        const st = <usize>load<i32>(sparseStart + (s << 2)), en = <usize>load<i32>(sparseStart + (s << 2), 4);
        const blk = blockCells + b * cs;
        a0 += sparseCorrection(st, en, sparseCell, sparseRow, blk, ng, corr);
        a1 += sparseCorrection(st, en, sparseCell, sparseRow, blk + cs, ng, corr);
        a2 += sparseCorrection(st, en, sparseCell, sparseRow, blk + 2 * cs, ng, corr);
        a3 += sparseCorrection(st, en, sparseCell, sparseRow, blk + 3 * cs, ng, corr);
      }
      store<f32>(row + (s << 2), <f32>a0);
      store<f32>(row + ((os + s) << 2), <f32>a1);
      store<f32>(row + ((2 * os + s) << 2), <f32>a2);
      store<f32>(row + ((3 * os + s) << 2), <f32>a3);
    }
  }
  for (; b < nbu; b++) {
    const bp = blockPlanes + b * bEnt;
    const base = load<f64>(blockConst + (b << 3));
    const row = out + ((b * os) << 2);
    const blk = blockCells + b * cs;
    for (let s: usize = 0; s < nsu; s++) {
      const sc = slotConst ? load<f64>(slotConst + (s << 3)) : 0.0;
      store<f32>(row + (s << 2), <f32>pairCost(base, slotConst != 0, sc, slotPlanes + s * sEnt, bp, pb, codes, weights, nc,
        sparseStart, s, sparseCell, sparseRow, blk, ng, corr));
    }
  }
}

/** One (block, slot) pair, the same f64 operations in the same order as costMatrix's four-block path. */
@inline function pairCost(
  base: f64, withSlot: bool, sc: f64, sp: usize, bp: usize, pb: usize, codes: usize, weights: usize, nc: usize,
  sparseStart: usize, s: usize, sparseCell: usize, sparseRow: usize, blk: usize, ng: usize, corr: usize,
): f64 {
  let acc = base;
  if (withSlot) acc += sc;
  for (let k: usize = 0; k < nc; k++) {
    const f = <usize>load<i32>(codes + (k << 3));
    const t = <usize>load<i32>(codes + (k << 3), 4);
    const n = andCount(sp + f * pb, bp + t * pb, pb);
    acc += load<f64>(weights + (k << 3)) * <f64>n;
  }
  if (sparseStart) {
    const st = <usize>load<i32>(sparseStart + (s << 2)), en = <usize>load<i32>(sparseStart + (s << 2), 4);
    acc += sparseCorrection(st, en, sparseCell, sparseRow, blk, ng, corr);
  }
  return acc;
}

/**
 * The costs of listed pairs only: block b (0..nb) with the slots candSlot[candStart[b] .. candStart[b + 1]) (slot
 * indices into slotPlanes / slotConst / sparseStart), out[k] (f32) for each listed pair k — the same value costMatrix
 * gives for that pair. Arguments otherwise as costMatrix.
 */
export function costPairs(
  blockPlanes: usize, nb: i32, blockPlanesPer: i32, slotPlanes: usize, slotPlanesPer: i32, planeBytes: i32,
  codes: usize, weights: usize, nCodes: i32, blockConst: usize, slotConst: usize, candStart: usize, candSlot: usize, out: usize,
  sparseStart: usize, sparseCell: usize, sparseRow: usize, blockCells: usize, cellStride: i32, negate: i32, corr: usize,
): void {
  const pb = <usize>planeBytes;
  const bEnt = <usize>blockPlanesPer * pb, sEnt = <usize>slotPlanesPer * pb;
  const nc = <usize>nCodes, cs = <usize>cellStride, ng = <usize>(negate ? 1 : 0);
  for (let b: usize = 0; b < <usize>nb; b++) {
    const bp = blockPlanes + b * bEnt;
    const base = load<f64>(blockConst + (b << 3));
    const blk = blockCells + b * cs;
    const k1 = <usize>load<i32>(candStart + (b << 2), 4);
    let k = <usize>load<i32>(candStart + (b << 2));
    // four candidate slots at a time: each block word is loaded once for four slots; every pair's sum is formed
    // in the same order as pairCost (constant, slot constant, codes, correction)
    for (; k + 4 <= k1; k += 4) {
      const s0 = <usize>load<i32>(candSlot + (k << 2)), s1 = <usize>load<i32>(candSlot + (k << 2), 4);
      const s2 = <usize>load<i32>(candSlot + (k << 2), 8), s3 = <usize>load<i32>(candSlot + (k << 2), 12);
      let a0 = base, a1 = base, a2 = base, a3 = base;
      if (slotConst) {
        a0 += load<f64>(slotConst + (s0 << 3)); a1 += load<f64>(slotConst + (s1 << 3));
        a2 += load<f64>(slotConst + (s2 << 3)); a3 += load<f64>(slotConst + (s3 << 3));
      }
      const p0 = slotPlanes + s0 * sEnt, p1 = slotPlanes + s1 * sEnt, p2 = slotPlanes + s2 * sEnt, p3 = slotPlanes + s3 * sEnt;
      for (let q: usize = 0; q < nc; q++) {
        const f = <usize>load<i32>(codes + (q << 3)) * pb;
        const t = bp + <usize>load<i32>(codes + (q << 3), 4) * pb;
        let c0: i64 = 0, c1: i64 = 0, c2: i64 = 0, c3: i64 = 0;
        for (let c: usize = 0; c < pb; c += 8) {
          const x = load<u64>(t + c);
          c0 += popcnt(x & load<u64>(p0 + f + c));
          c1 += popcnt(x & load<u64>(p1 + f + c));
          c2 += popcnt(x & load<u64>(p2 + f + c));
          c3 += popcnt(x & load<u64>(p3 + f + c));
        }
        const w = load<f64>(weights + (q << 3));
        a0 += w * <f64>c0; a1 += w * <f64>c1; a2 += w * <f64>c2; a3 += w * <f64>c3;
      }
      if (sparseStart) {
        a0 += sparseCorrection(<usize>load<i32>(sparseStart + (s0 << 2)), <usize>load<i32>(sparseStart + (s0 << 2), 4), sparseCell, sparseRow, blk, ng, corr);
        a1 += sparseCorrection(<usize>load<i32>(sparseStart + (s1 << 2)), <usize>load<i32>(sparseStart + (s1 << 2), 4), sparseCell, sparseRow, blk, ng, corr);
        a2 += sparseCorrection(<usize>load<i32>(sparseStart + (s2 << 2)), <usize>load<i32>(sparseStart + (s2 << 2), 4), sparseCell, sparseRow, blk, ng, corr);
        a3 += sparseCorrection(<usize>load<i32>(sparseStart + (s3 << 2)), <usize>load<i32>(sparseStart + (s3 << 2), 4), sparseCell, sparseRow, blk, ng, corr);
      }
      store<f32>(out + (k << 2), <f32>a0); store<f32>(out + (k << 2), <f32>a1, 4);
      store<f32>(out + (k << 2), <f32>a2, 8); store<f32>(out + (k << 2), <f32>a3, 12);
    }
    for (; k < k1; k++) {
      const s = <usize>load<i32>(candSlot + (k << 2));
      const sc = slotConst ? load<f64>(slotConst + (s << 3)) : 0.0;
      store<f32>(out + (k << 2), <f32>pairCost(base, slotConst != 0, sc, slotPlanes + s * sEnt, bp, pb, codes, weights, nc,
        sparseStart, s, sparseCell, sparseRow, blk, ng, corr));
    }
  }
}

/**
 * counts[v] += how many of the n bytes at `cells` hold v, v = 0..255. counts is i32 × 1024 of scratch: the first 256
 * hold the result, the rest is overwritten.
 */
export function costHistogram(cells: usize, n: i32, counts: usize): void {
  // four interleaved sub-histograms, so that runs of one value do not wait on their own increments
  const h = counts;
  memory.fill(h + 1024, 0, 3 * 1024);
  const nn = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= nn; i += 4) {
    const x = load<u32>(cells + i);
    const a = <usize>(x & 255) << 2, b = <usize>((x >> 8) & 255) << 2, c = <usize>((x >> 16) & 255) << 2, d = <usize>(x >> 24) << 2;
    store<i32>(h + a, load<i32>(h + a) + 1);
    store<i32>(h + 1024 + b, load<i32>(h + 1024 + b) + 1);
    store<i32>(h + 2048 + c, load<i32>(h + 2048 + c) + 1);
    store<i32>(h + 3072 + d, load<i32>(h + 3072 + d) + 1);
  }
  for (; i < nn; i++) { const a = <usize>load<u8>(cells + i) << 2; store<i32>(h + a, load<i32>(h + a) + 1); }
  for (let v: usize = 0; v < 1024; v += 4) store<i32>(h + v, load<i32>(h + v) + load<i32>(h + 1024 + v) + load<i32>(h + 2048 + v) + load<i32>(h + 3072 + v));
}

/**
 * Cells at rare levels, per entity (count entities of cpb cells): rowOfLevel (i32 × 256) maps a level to its
 * correction row or −1. With cellOut == 0, writes start[e + 1] = number of listed cells of entities ≤ e (start[0] =
 * 0); otherwise fills cellOut / rowOut (i32) at the offsets start gives.
 */
export function costRareCells(cells: usize, count: i32, cpb: i32, rowOfLevel: usize, start: usize, cellOut: usize, rowOut: usize): void {
  const c = <usize>cpb;
  let k: i32 = 0;
  if (!cellOut) store<i32>(start, 0);
  for (let e: usize = 0; e < <usize>count; e++) {
    const base = cells + e * c;
    if (cellOut) k = load<i32>(start + (e << 2));
    for (let i: usize = 0; i < c; i++) {
      const r = load<i32>(rowOfLevel + (<usize>load<u8>(base + i) << 2));
      if (r < 0) continue;
      if (cellOut) { store<i32>(cellOut + (<usize>k << 2), <i32>i); store<i32>(rowOut + (<usize>k << 2), r); }
      k++;
    }
    if (!cellOut) store<i32>(start + ((e + 1) << 2), k);
  }
}

@inline function lessVS(va: f32, sa: i32, vb: f32, sb: i32): bool { return va < vb || (va == vb && sa < sb); }

/**
 * For rows rowFrom..rowTo−1 of a row-major f32 matrix with `stride` columns, restricted to the nCols columns listed
 * in `cols` (i32): the `keep` lowest entries by (value, column), ascending — outSlot (i32) / outVal (f32), keep per
 * row, valid up to outCount (i32 per row) — and the f64 sum of the listed entries in list order (outSum per row).
 * scratch: 8·nCols bytes. Selection by quickselect (median of three; the (value, column) order is total, so the
 * result does not depend on the pivots), then an insertion sort of the kept entries.
 */
export function costTopKCols(
  m: usize, stride: i32, rowFrom: i32, rowTo: i32, cols: usize, nCols: i32, keep: i32,
  outSlot: usize, outVal: usize, outCount: usize, outSum: usize, scratch: usize,
): void {
  const n = nCols, K = keep < n ? keep : n;
  const V = scratch, S = scratch + (<usize>n << 2);
  for (let r = rowFrom; r < rowTo; r++) {
    const row = m + ((<usize>r * <usize>stride) << 2), o = <usize>(r - rowFrom);
    let sum: f64 = 0;
    for (let j = 0; j < n; j++) {
      const c = load<i32>(cols + (<usize>j << 2));
      const x = load<f32>(row + (<usize>c << 2));
      sum += <f64>x;
      store<f32>(V + (<usize>j << 2), x); store<i32>(S + (<usize>j << 2), c);
    }
    store<f64>(outSum + (o << 3), sum);
    // quickselect: afterwards [0, K) holds the K smallest
    let lo = 0, hi = n - 1;
    while (K < n && lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      // median of three into mid
      const a = pick3(V, S, lo, mid, hi);
      const pv = load<f32>(V + (<usize>a << 2)), ps = load<i32>(S + (<usize>a << 2));
      swapVS(V, S, a, hi);
      let st = lo;
      for (let j = lo; j < hi; j++) {
        if (lessVS(load<f32>(V + (<usize>j << 2)), load<i32>(S + (<usize>j << 2)), pv, ps)) { swapVS(V, S, j, st); st++; }
      }
      swapVS(V, S, st, hi);
      if (st == K - 1 || st == K) break;
      if (st < K) lo = st + 1; else hi = st - 1;
    }
    // insertion sort of the K kept
    for (let i = 1; i < K; i++) {
      const x = load<f32>(V + (<usize>i << 2)), c = load<i32>(S + (<usize>i << 2));
      let j = i;
      while (j > 0 && lessVS(x, c, load<f32>(V + (<usize>(j - 1) << 2)), load<i32>(S + (<usize>(j - 1) << 2)))) {
        store<f32>(V + (<usize>j << 2), load<f32>(V + (<usize>(j - 1) << 2))); store<i32>(S + (<usize>j << 2), load<i32>(S + (<usize>(j - 1) << 2)));
        j--;
      }
      store<f32>(V + (<usize>j << 2), x); store<i32>(S + (<usize>j << 2), c);
    }
    const at = o * <usize>keep;
    for (let i = 0; i < K; i++) {
      store<f32>(outVal + ((at + <usize>i) << 2), load<f32>(V + (<usize>i << 2)));
      store<i32>(outSlot + ((at + <usize>i) << 2), load<i32>(S + (<usize>i << 2)));
    }
    store<i32>(outCount + (o << 2), K);
  }
}

@inline function swapVS(V: usize, S: usize, a: i32, b: i32): void {
  const pa = <usize>a << 2, pb = <usize>b << 2;
  const v = load<f32>(V + pa), s = load<i32>(S + pa);
  store<f32>(V + pa, load<f32>(V + pb)); store<i32>(S + pa, load<i32>(S + pb));
  store<f32>(V + pb, v); store<i32>(S + pb, s);
}

/** Index (a, b or c) of the median of three entries by (value, column). */
@inline function pick3(V: usize, S: usize, a: i32, b: i32, c: i32): i32 {
  const va = load<f32>(V + (<usize>a << 2)), sa = load<i32>(S + (<usize>a << 2));
  const vb = load<f32>(V + (<usize>b << 2)), sb = load<i32>(S + (<usize>b << 2));
  const vc = load<f32>(V + (<usize>c << 2)), sc = load<i32>(S + (<usize>c << 2));
  if (lessVS(va, sa, vb, sb)) {
    if (lessVS(vb, sb, vc, sc)) return b;
    return lessVS(va, sa, vc, sc) ? c : a;
  }
  if (lessVS(va, sa, vc, sc)) return a;
  return lessVS(vb, sb, vc, sc) ? c : b;
}
