// Block cost matrices for BLM (DESIGN §3.2): price turning every candidate slot's present cell levels into every
// incoming block's levels.
//
// Every mode is Σ_cells W[slotLevel][blockLevel] for an L × L weight table W (expected cycles, mismatch = [f ≠ t],
// L1 = |f − t|), i.e. Σ_{f,t} W[f][t]·count(f, t) where count(f, t) = #cells with slot level f and block level t.
// The counts come from one-hot bit planes: plane t of an entity has bit c set when cell c is at level t (255 = a
// cell the block does not use is in no plane), so count(f, t) = popcount(slotPlane_f & blockPlane_t), done 128
// cells at a time with 64-bit and + popcnt. Because every slot cell is at exactly one level, the last slot
// level is eliminated: count(L−1, t) = total_b(t) − Σ_{f<L−1} count(f, t), so the host passes
//   blockConst[b] = Σ_t W[L−1][t]·total_b(t)   and codes (f < L−1, t) with weight W[f][t] − W[L−1][t] ≠ 0.
// A block that uses every cell also has Σ_t count(f, t) = slotTotal_s(f), so its last level goes too: codes
// (f, t < L−1) plus a per-slot constant slotConst[s] (src/reference/cost.ts: costDecomposition; used when it
// leaves fewer codes, e.g. 9 instead of 12 for expected cycles at L = 4). The kernel computes
// out[b·ns + s] = f32((blockConst[b] [+ slotConst[s]]) + Σ_k weight_k·count(f_k, t_k)) in f64, in code order
// (the TS reference does exactly the same and is bit-identical).
//
// Layout: an entity's planes are contiguous, plane t at t·planeBytes (planeBytes % 16 == 0); cell c is bit (c & 7)
// of byte c >> 3, so the two cells of a differential pair (2k, 2k+1) are adjacent bits of one byte.

export const COST_KERNELS_VERSION: i32 = 2;

/**
 * cells (u8, count × cellStride, cellStride % 16 == 0, padding cells = 255) → one-hot planes
 * (count × levels × planeBytes, planeBytes = cellStride / 8) and per-plane popcounts totals (i32, count × levels).
 * negate != 0 prices the entity stored negated: cell i takes the level of cell i ^ 1 (differential pair swapped).
 */
export function costPackPlanes(
  cells: usize, count: i32, cellStride: i32, levels: i32, negate: i32, planes: usize, planeBytes: i32, totals: usize,
): void {
  const stride = <usize>cellStride, pb = <usize>planeBytes, L = <usize>levels;
  for (let e: usize = 0; e < <usize>count; e++) {
    const src = cells + e * stride;
    const dst = planes + e * L * pb;
    const tot = totals + ((e * L) << 2);
    for (let t: usize = 0; t < L; t++) store<i32>(tot + (t << 2), 0);
    for (let c: usize = 0; c < stride; c += 16) {
      let x = v128.load(src + c);
      if (negate) x = i8x16.shuffle(x, x, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
      for (let t: usize = 0; t < L; t++) {
        const bits = i8x16.bitmask(i8x16.eq(x, i8x16.splat(<i8>t)));
        store<u16>(dst + t * pb + (c >> 3), <u16>bits);
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
 * out[b·ns + s] (f32) = f32((blockConst[b] [+ slotConst[s] when slotConst != 0]) + Σ_k weights[k] ·
 * popcount(slot_s plane codes[2k] & block_b plane codes[2k+1])), summed in f64 in k order. Planes as made by costPackPlanes (levels planes per entity).
 * Blocks are taken four at a time (register blocking: each slot word is loaded once for four blocks), the rest
 * one at a time.
 */
export function costMatrix(
  blockPlanes: usize, nb: i32, slotPlanes: usize, ns: i32, levels: i32, planeBytes: i32,
  codes: usize, weights: usize, nCodes: i32, blockConst: usize, slotConst: usize, out: usize,
): void {
  const pb = <usize>planeBytes, L = <usize>levels;
  const entity = L * pb;
  const nbu = <usize>nb, nsu = <usize>ns, nc = <usize>nCodes;
  let b: usize = 0;
  for (; b + 4 <= nbu; b += 4) {
    const bp0 = blockPlanes + b * entity;
    const bp1 = bp0 + entity, bp2 = bp1 + entity, bp3 = bp2 + entity;
    const k0 = load<f64>(blockConst + (b << 3)), k1 = load<f64>(blockConst + (b << 3), 8);
    const k2 = load<f64>(blockConst + (b << 3), 16), k3 = load<f64>(blockConst + (b << 3), 24);
    const row = out + ((b * nsu) << 2);
    for (let s: usize = 0; s < nsu; s++) {
      const sp = slotPlanes + s * entity;
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
      store<f32>(row + (s << 2), <f32>a0);
      store<f32>(row + ((nsu + s) << 2), <f32>a1);
      store<f32>(row + ((2 * nsu + s) << 2), <f32>a2);
      store<f32>(row + ((3 * nsu + s) << 2), <f32>a3);
    }
  }
  for (; b < nbu; b++) {
    const bp = blockPlanes + b * entity;
    const base = load<f64>(blockConst + (b << 3));
    const row = out + ((b * nsu) << 2);
    for (let s: usize = 0; s < nsu; s++) {
      const sp = slotPlanes + s * entity;
      let acc = base;
      if (slotConst) acc += load<f64>(slotConst + (s << 3));
      for (let k: usize = 0; k < nc; k++) {
        const f = <usize>load<i32>(codes + (k << 3));
        const t = <usize>load<i32>(codes + (k << 3), 4);
        const n = andCount(sp + f * pb, bp + t * pb, pb);
        acc += load<f64>(weights + (k << 3)) * <f64>n;
      }
      store<f32>(row + (s << 2), <f32>acc);
    }
  }
}
