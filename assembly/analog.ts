// Analog crossbar MVM (DESIGN §2, §2.2), GEMM-shaped: per input digit plane X_k (one DAC digit of every input of a
// vector), the column values of every (logical column, weight slice) come from one product X_k · D over the block's
// rows, where D holds per slice and logical column the differential value of the two cells of a pair (offset scheme:
// the cell minus the reference column). The product runs over the plane's active rows only (a zero digit adds
// nothing); each read then gets read noise and one ADC conversion per (slice, digit), all four lanes at a time.
// The host (src/hardware/analog.ts) validates everything; the TS twin is src/reference/analog.ts, which performs the
// same f32/f64 operations in the same order, so results are bit-identical.
//
// Prepared block (analogPrepare, once per programmed state), P = nOut·slices columns, column p = j·slices + s,
// padded to PP = a multiple of 16 (padding columns are zero and never reach an output):
//   exact (int path): every cell sits exactly at its level's conductance: D[i, p] = L+ − L− (offset: L) as i16 —
//     the column values are then exact integers, computed in i16 lanes.
//   f32 path: D[i, p] = f32(f32(g+ − g−)·invDG) (offset: f32(f32(g − gRef_i)·invDG)), in level units.
//   read noise "pair": V[i, p] = f32(f32(s+² + s−²)·invDG²) (offset: f32(s²·invDG²), VR[i] = f32(sRef²·invDG²)),
//     s = f32(relative·g + absolute): the variance of a pair's summed per-device Gaussians, drawn once per pair
//     per read (exactly the distribution of unrectified per-device Gaussian noise).
//   read noise "device" (and "proportional", s = relative·g): GP, GN, SP, SN [i, p] = f32(g·invDG), f32(s·invDG) of
//     the positive and negative device (offset: GN unused, GR[i], SR[i] of the reference cell); every device of an
//     active row draws its own noise per read and is rectified at 0 conductance, as CrossSim does.
//
// Normal deviates: four xoshiro128** lanes (seeded from the block's stream: lane l, word w = the (4l + w)-th u32 of
// rngNextU32) give u32s four at a time; deviate = T[u >>> 20] of the 4096-entry unit-variance normal table
// (bin-centre quantiles, |z| ≤ 3.5; src/programming/tables.ts normalTable). Draws are taken in requests of a
// multiple of four: request m covers deviates [4q, 4q + 4) = lanes 0..3 of step q.
import { rngNextU32 } from './rng';

// parameter block (f64), see src/hardware/analog.ts ANALOG_PARAM
const A_ROWS = 0, A_NOUT = 1, A_SLICES = 2, A_CELLBITS = 3, A_PP = 4, A_EXACT = 5, A_NOISE = 6, A_OFFSET_SCHEME = 7;
const A_INPUTBITS = 8, A_DACBITS = 9, A_SIGNED = 10, A_HALF = 11, A_ADC = 12, A_PERDIGIT = 13, A_OFFSET = 14;
const A_XSTRIDE = 15, A_RUN8 = 16, A_ACC32 = 17, A_STEP0 = 18; // then one f64 step per slice

export const NOISE_NONE: i32 = 0;
export const NOISE_PAIR: i32 = 1;
export const NOISE_DEVICE: i32 = 2;

@inline function prm(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function prmI(p: usize, i: i32): i32 { return <i32>load<f64>(p + (<usize>i << 3)); }

// ---------------------------------------------------------------------------------------------------------------
// Preparation
// ---------------------------------------------------------------------------------------------------------------

/**
 * 1 when every used cell (and the offset scheme's reference cell of every row) holds exactly its level's conductance
 * f32(gMin + level·dG), else 0.
 */
export function analogIsExact(levels: usize, g: usize, stride: i32, rows: i32, physCols: i32, gRef: usize,
  gMin: f64, dG: f64): i32 {
  for (let i = 0; i < rows; i++) {
    const r = <usize>(i * stride);
    for (let c = 0; c < physCols; c++) {
      const want = <f32>(gMin + <f64>load<u8>(levels + r + <usize>c) * dG);
      if (load<f32>(g + ((r + <usize>c) << 2)) != want) return 0;
    }
    if (gRef != 0 && load<f32>(gRef + (r << 2)) != <f32>gMin) return 0;
  }
  return 1;
}

/** D as i8 (exact path): out rows × PP, zero padded. */
export function analogPrepareInt(levels: usize, stride: i32, rows: i32, nOut: i32, slices: i32, signCells: i32,
  pp: i32, out: usize): void {
  const cpw = slices * signCells;
  memory.fill(out, 0, <usize>(rows * pp));
  for (let i = 0; i < rows; i++) {
    const src = levels + <usize>(i * stride), dst = out + <usize>(i * pp);
    for (let j = 0; j < nOut; j++) {
      for (let s = 0; s < slices; s++) {
        const c = src + <usize>(j * cpw + s * signCells);
        let d = <i32>load<u8>(c);
        if (signCells == 2) d -= <i32>load<u8>(c, 1);
        store<i8>(dst + <usize>(j * slices + s), <i8>d);
      }
    }
  }
}

@inline function sigmaOf(g: f32, relative: f32, absolute: f32): f32 { return relative * g + absolute; }

/**
 * f32-path matrices. noise: NOISE_NONE → D only; NOISE_PAIR → D and V (and VR); NOISE_DEVICE → GP, GN, SP, SN (and
 * GR, SR); see the header. Each output is rows × PP (zero padded); the reference-row outputs have `rows` entries.
 */
export function analogPrepareF32(g: usize, stride: i32, rows: i32, nOut: i32, slices: i32, signCells: i32, pp: i32,
  gRef: usize, invDG: f32, relative: f32, absolute: f32, noise: i32,
  d: usize, v: usize, gp: usize, gn: usize, sp: usize, sn: usize, vr: usize, gr: usize, sr: usize): void {
  const cpw = slices * signCells;
  const invDG2: f32 = invDG * invDG;
  const bytes = <usize>(rows * pp) << 2;
  if (noise == NOISE_DEVICE) {
    memory.fill(gp, 0, bytes); memory.fill(sp, 0, bytes);
    if (signCells == 2) { memory.fill(gn, 0, bytes); memory.fill(sn, 0, bytes); }
  } else {
    memory.fill(d, 0, bytes);
    if (noise == NOISE_PAIR) memory.fill(v, 0, bytes);
  }
  for (let i = 0; i < rows; i++) {
    const src = g + (<usize>(i * stride) << 2);
    const rowOff = <usize>(i * pp) << 2;
    const ref: f32 = gRef != 0 ? load<f32>(gRef + (<usize>(i * stride) << 2)) : 0;
    const sRef = sigmaOf(ref, relative, absolute);
    if (gRef != 0) {
      if (noise == NOISE_PAIR) store<f32>(vr + (<usize>i << 2), (sRef * sRef) * invDG2);
      if (noise == NOISE_DEVICE) {
        store<f32>(gr + (<usize>i << 2), ref * invDG);
        store<f32>(sr + (<usize>i << 2), sRef * invDG);
      }
    }
    for (let j = 0; j < nOut; j++) {
      for (let s = 0; s < slices; s++) {
        const c = src + (<usize>(j * cpw + s * signCells) << 2);
        const o = rowOff + (<usize>(j * slices + s) << 2);
        const g0 = load<f32>(c);
        const g1: f32 = signCells == 2 ? load<f32>(c, 4) : ref;
        const s0 = sigmaOf(g0, relative, absolute), s1 = sigmaOf(g1, relative, absolute);
        if (noise == NOISE_DEVICE) {
          store<f32>(gp + o, g0 * invDG);
          store<f32>(sp + o, s0 * invDG);
          if (signCells == 2) {
            store<f32>(gn + o, g1 * invDG);
            store<f32>(sn + o, s1 * invDG);
          }
        } else {
          store<f32>(d + o, (g0 - g1) * invDG);
          if (noise == NOISE_PAIR) {
            const var0: f32 = s0 * s0;
            store<f32>(v + o, (signCells == 2 ? var0 + s1 * s1 : var0) * invDG2);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Normal deviates, four lanes
// ---------------------------------------------------------------------------------------------------------------

/** Seeds the four lane states (s0..s3 as four v128 at `lanes`) from the scalar stream. */
export function normal4Seed(rng: usize, lanes: usize): void {
  for (let l = 0; l < 4; l++) {
    let any: u32 = 0;
    for (let w = 0; w < 4; w++) {
      const u = rngNextU32(rng);
      any |= u;
      store<u32>(lanes + (<usize>(w * 16 + l * 4)), u);
    }
    if (any == 0) store<u32>(lanes + <usize>(l * 4), 1);
  }
}

/** Writes n (a multiple of 4) deviates to out (f32), advancing the lane states. table: 4096 f32. */
export function normal4Fill(lanes: usize, table: usize, out: usize, n: i32): void {
  let s0 = v128.load(lanes), s1 = v128.load(lanes, 16), s2 = v128.load(lanes, 32), s3 = v128.load(lanes, 48);
  for (let q = 0; q < n; q += 4) {
    // xoshiro128**: result = rotl(s1·5, 7)·9 (×5 and ×9 as shift + add)
    const m5 = i32x4.add(i32x4.shl(s1, 2), s1);
    const r7 = v128.or(i32x4.shl(m5, 7), i32x4.shr_u(m5, 25));
    const res = i32x4.add(i32x4.shl(r7, 3), r7);
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const idx = i32x4.shl(i32x4.shr_u(res, 20), 2);
    let nv = f32x4.splat(load<f32>(table + <usize>i32x4.extract_lane(idx, 0)));
    nv = f32x4.replace_lane(nv, 1, load<f32>(table + <usize>i32x4.extract_lane(idx, 1)));
    nv = f32x4.replace_lane(nv, 2, load<f32>(table + <usize>i32x4.extract_lane(idx, 2)));
    nv = f32x4.replace_lane(nv, 3, load<f32>(table + <usize>i32x4.extract_lane(idx, 3)));
    v128.store(out + (<usize>q << 2), nv);
  }
  v128.store(lanes, s0); v128.store(lanes, s1, 16); v128.store(lanes, s2, 32); v128.store(lanes, s3, 48);
}

// ---------------------------------------------------------------------------------------------------------------
// Products over the active rows of a digit plane. Columns 16 at a time with the sums in registers; every lane sees
// the same sequence of adds (active rows in row order) as the scalar reference. PP is a multiple of 16.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Unit digits on the exact path: cur[p] = Σ_{rows with digit +1} D[i, p] − Σ_{rows with digit −1} D[i, p], exact
 * integers, over the plane's bit masks (act: its active rows, neg: the vector's negative rows; nw words). Sums run
 * in i8 lanes (16 columns per add) for at most `run` rows at a time (|partial| ≤ 127), then are widened into i16
 * partials (the host guarantees the total fits); 64 columns per pass over the rows.
 */
function productInt8(dm: usize, pp: i32, act: usize, neg: usize, nw: i32, run: i32, part: usize, cur: usize): void {
  const rowBytes = <usize>pp;
  for (let c = 0; c < pp; c += 64) {
    const nv = min(4, (pp - c) >> 4);
    memory.fill(part, 0, 128);
    for (let sgn = 0; sgn < 2; sgn++) {
      let s0 = i8x16.splat(0), s1 = i8x16.splat(0), s2 = i8x16.splat(0), s3 = i8x16.splat(0);
      let cnt = 0;
      for (let w = 0; w < nw; w++) {
        const nm = load<u64>(neg + (<usize>w << 3));
        let m = load<u64>(act + (<usize>w << 3)) & (sgn == 0 ? ~nm : nm);
        const rowBase = dm + <usize>(w << 6) * rowBytes + <usize>c;
        while (m != 0) {
          const p = rowBase + <usize>ctz(m) * rowBytes;
          m &= m - 1;
          s0 = i8x16.add(s0, v128.load(p));
          if (nv > 1) s1 = i8x16.add(s1, v128.load(p, 16));
          if (nv > 2) s2 = i8x16.add(s2, v128.load(p, 32));
          if (nv > 3) s3 = i8x16.add(s3, v128.load(p, 48));
          if (++cnt == run) {
            widenInto(part, s0, sgn); widenInto(part + 32, s1, sgn); widenInto(part + 64, s2, sgn); widenInto(part + 96, s3, sgn);
            s0 = i8x16.splat(0); s1 = i8x16.splat(0); s2 = i8x16.splat(0); s3 = i8x16.splat(0);
            cnt = 0;
          }
        }
      }
      widenInto(part, s0, sgn); widenInto(part + 32, s1, sgn); widenInto(part + 64, s2, sgn); widenInto(part + 96, s3, sgn);
    }
    for (let v = 0; v < nv; v++) {
      const src = part + (<usize>v << 5), o = cur + (<usize>(c + (v << 4)) << 2);
      const lo = v128.load(src), hi = v128.load(src, 16);
      v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)));
      v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), 16);
      v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), 32);
      v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), 48);
    }
  }
}

@inline function widenInto(part: usize, s: v128, sgn: i32): void {
  const lo = i16x8.extend_low_i8x16_s(s), hi = i16x8.extend_high_i8x16_s(s);
  if (sgn == 0) {
    v128.store(part, i16x8.add(v128.load(part), lo)); v128.store(part, i16x8.add(v128.load(part, 16), hi), 16);
  } else {
    v128.store(part, i16x8.sub(v128.load(part), lo)); v128.store(part, i16x8.sub(v128.load(part, 16), hi), 16);
  }
}

/** Multi-valued digits on the exact path: cur[p] = Σ_a v_a·D[i_a, p] in i16 lanes (the host guarantees no overflow). */
function productInt16(dm: usize, pp: i32, idx: usize, val: usize, n: i32, cur: usize): void {
  const rowBytes = <usize>pp;
  for (let c = 0; c < pp; c += 16) {
    let a0 = i16x8.splat(0), a1 = i16x8.splat(0);
    for (let a = 0; a < n; a++) {
      const p = dm + <usize>load<i32>(idx + (<usize>a << 2)) * rowBytes + <usize>c;
      const vv = i16x8.splat(<i16>load<i32>(val + (<usize>a << 2)));
      const d = v128.load(p);
      a0 = i16x8.add(a0, i16x8.mul(vv, i16x8.extend_low_i8x16_s(d)));
      a1 = i16x8.add(a1, i16x8.mul(vv, i16x8.extend_high_i8x16_s(d)));
    }
    const o = cur + (<usize>c << 2);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(a0)));
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(a0)), 16);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(a1)), 32);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(a1)), 48);
  }
}

/**
 * cur[p] = Σ_a f32(v_a·D[i_a, p]) in f32; with V ≠ 0 also vars[p] = Σ_a f32(v_a²·V[i_a, p]), in one pass. plus:
 * every v_a = +1 (the products are exact and skipped); unitMag: every |v_a| = 1 (so are the variance weights).
 */
function productF32(dm: usize, vm: usize, pp: i32, idx: usize, val: usize, n: i32, plus: bool, unitMag: bool, cur: usize, vars: usize): void {
  const rowBytes = <usize>pp << 2;
  for (let c = 0; c < pp; c += 16) {
    const co = <usize>c << 2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let a = 0; a < n; a++) {
      const off = <usize>load<i32>(idx + (<usize>a << 2)) * rowBytes + co;
      const p = dm + off;
      const fv = <f32>load<i32>(val + (<usize>a << 2));
      if (plus) {
        a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
      } else {
        const vv = f32x4.splat(fv);
        a0 = f32x4.add(a0, f32x4.mul(vv, v128.load(p))); a1 = f32x4.add(a1, f32x4.mul(vv, v128.load(p, 16)));
        a2 = f32x4.add(a2, f32x4.mul(vv, v128.load(p, 32))); a3 = f32x4.add(a3, f32x4.mul(vv, v128.load(p, 48)));
      }
      if (vm != 0) {
        const q = vm + off;
        if (unitMag) {
          s0 = f32x4.add(s0, v128.load(q)); s1 = f32x4.add(s1, v128.load(q, 16));
          s2 = f32x4.add(s2, v128.load(q, 32)); s3 = f32x4.add(s3, v128.load(q, 48));
        } else {
          const v2 = f32x4.splat(fv * fv);
          s0 = f32x4.add(s0, f32x4.mul(v2, v128.load(q))); s1 = f32x4.add(s1, f32x4.mul(v2, v128.load(q, 16)));
          s2 = f32x4.add(s2, f32x4.mul(v2, v128.load(q, 32))); s3 = f32x4.add(s3, f32x4.mul(v2, v128.load(q, 48)));
        }
      }
    }
    v128.store(cur + co, a0); v128.store(cur + co, a1, 16); v128.store(cur + co, a2, 32); v128.store(cur + co, a3, 48);
    if (vm != 0) {
      v128.store(vars + co, s0); v128.store(vars + co, s1, 16); v128.store(vars + co, s2, 32); v128.store(vars + co, s3, 48);
    }
  }
}

/**
 * Per-device noise: for each active row a (in order), deviates for its positive devices (PP) then its negative
 * devices (PP) (offset scheme: PP for the cells, then 4 of which the first is the reference cell's), and
 * cur[p] += f32(v_a·f32(max(0, GP + SP·n+) − max(0, GN + SN·n−))) (offset: the reference cell for GN).
 */
function productDevice(gp: usize, gn: usize, sp: usize, sn: usize, gr: usize, sr: usize, pp: i32, idx: usize,
  val: usize, n: i32, lanes: usize, table: usize, nbuf: usize, cur: usize): void {
  const rowBytes = <usize>pp << 2;
  const zero = f32x4.splat(0);
  memory.fill(cur, 0, <usize>pp << 2);
  const offsetScheme = gr != 0;
  for (let a = 0; a < n; a++) {
    const i = load<i32>(idx + (<usize>a << 2));
    const v = f32x4.splat(<f32>load<i32>(val + (<usize>a << 2)));
    const off = <usize>i * rowBytes;
    normal4Fill(lanes, table, nbuf, offsetScheme ? pp + 4 : 2 * pp);
    let refv = zero;
    if (offsetScheme) {
      const gRow = load<f32>(gr + (<usize>i << 2)), sRow = load<f32>(sr + (<usize>i << 2));
      const r = max<f32>(0, gRow + sRow * load<f32>(nbuf + (<usize>pp << 2)));
      refv = f32x4.splat(r);
    }
    for (let c = 0; c < pp; c += 4) {
      const co = <usize>c << 2;
      const pos = f32x4.max(zero, f32x4.add(v128.load(gp + off + co), f32x4.mul(v128.load(sp + off + co), v128.load(nbuf + co))));
      let neg = refv;
      if (!offsetScheme) {
        const nn = v128.load(nbuf + (<usize>pp << 2) + co);
        neg = f32x4.max(zero, f32x4.add(v128.load(gn + off + co), f32x4.mul(v128.load(sn + off + co), nn)));
      }
      const dv = f32x4.mul(v, f32x4.sub(pos, neg));
      v128.store(cur + co, f32x4.add(v128.load(cur + co), dv));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The MVM
// ---------------------------------------------------------------------------------------------------------------

/** Scratch bytes analogMvm needs for a block of `rows` rows and PP columns. */
export function analogWorkBytes(rows: i32, pp: i32): i32 {
  // alignment 16, lanes 64, cur/vars/steps f32 PP each, acc f64 PP, idx/val/pos/neg 4 × rows i32, i16 partials
  // 128, digit masks (≤ 17 × words of 64 rows) + flags, deviates 2·PP + 4 f32
  return 16 + 64 + 3 * 4 * pp + 8 * pp + 16 * rows + 128 + 8 + 17 * 8 * ((rows + 63) >> 6) + 4 * 16 + 16 + 4 * (2 * pp + 4);
}

/**
 * Bit masks of a vector's active rows per digit plane (digits × nw u64 words, row i = bit i % 64 of word i / 64),
 * then the mask of its negative rows (word digits·nw + w); bigs[k] ≠ 0 when some digit of plane k exceeds 1.
 */
function digitMasks(xrow: usize, wide: i32, rows: i32, nw: i32, digits: i32, dacBits: i32, masks: usize, bigs: usize): void {
  memory.fill(masks, 0, <usize>((digits + 1) * nw) << 3);
  memory.fill(bigs, 0, <usize>digits << 2);
  const mask = (1 << dacBits) - 1;
  let i = 0;
  if (!wide) {
    // eight rows at a time; rows past the block's end (up to the next multiple of 8) are not read
    const vmask = i16x8.splat(<i16>mask), one = i16x8.splat(1), zero = i16x8.splat(0);
    for (; i + 8 <= rows; i += 8) {
      const v = v128.load(xrow + (<usize>i << 1));
      const mag = i16x8.abs(v);
      const word = masks + (<usize>(i >> 6) << 3), sh = <u64>(i & 63);
      store<u64>(word + (<usize>(digits * nw) << 3), load<u64>(word + (<usize>(digits * nw) << 3)) | (<u64>i16x8.bitmask(v) << sh));
      for (let k = 0; k < digits; k++) {
        const d = v128.and(i16x8.shr_u(mag, k * dacBits), vmask);
        const on = <u64>i16x8.bitmask(i16x8.ne(d, zero));
        const wk = word + (<usize>(k * nw) << 3);
        store<u64>(wk, load<u64>(wk) | (on << sh));
        if (dacBits > 1 && i16x8.bitmask(i16x8.gt_s(d, one)) != 0) store<i32>(bigs + (<usize>k << 2), 1);
      }
    }
  }
  for (; i < rows; i++) {
    const xi: i32 = wide ? load<i32>(xrow + (<usize>i << 2)) : <i32>load<i16>(xrow + (<usize>i << 1));
    const mag = xi < 0 ? -xi : xi;
    const word = masks + (<usize>(i >> 6) << 3), bit = <u64>1 << <u64>(i & 63);
    if (xi < 0) store<u64>(word + (<usize>(digits * nw) << 3), load<u64>(word + (<usize>(digits * nw) << 3)) | bit);
    for (let k = 0; k < digits; k++) {
      const d = (mag >> (k * dacBits)) & mask;
      if (d != 0) { const wk = word + (<usize>(k * nw) << 3); store<u64>(wk, load<u64>(wk) | bit); }
      if (d > 1) store<i32>(bigs + (<usize>k << 2), 1);
    }
  }
}

@inline function roundHalfEvenF64(q: f64): f64 {
  let r = Math.floor(q + 0.5);
  if (r - q == 0.5 && Math.floor(r * 0.5) * 2.0 != r) r -= 1.0;
  return r;
}

/**
 * x: inputs (i16 when `wide` is 0, else i32), batch vectors of A_XSTRIDE elements, the block's rows first.
 * mats: D (int path i16 or f32), V, GP, GN, SP, SN, VR, GR, SR pointers (0 when unused) — see the header.
 * table: the 4096-entry normal table (f32). y: f64 batch × nOut (integer-equivalent units).
 */
export function analogMvm(prm_: usize, x: usize, wide: i32, batch: i32, mats: usize, rng: usize, table: usize,
  work: usize, y: usize): void {
  const rows = prmI(prm_, A_ROWS), nOut = prmI(prm_, A_NOUT), slices = prmI(prm_, A_SLICES);
  const cellBits = prmI(prm_, A_CELLBITS), pp = prmI(prm_, A_PP), exact = prmI(prm_, A_EXACT) != 0;
  const noise = prmI(prm_, A_NOISE), offsetScheme = prmI(prm_, A_OFFSET_SCHEME) != 0;
  const inputBits = prmI(prm_, A_INPUTBITS), dacBits = prmI(prm_, A_DACBITS), signed = prmI(prm_, A_SIGNED) != 0;
  const half = <f32>prm(prm_, A_HALF), adc = prmI(prm_, A_ADC) != 0, perDigit = prmI(prm_, A_PERDIGIT) != 0;
  const offset = prm(prm_, A_OFFSET), xStride = prmI(prm_, A_XSTRIDE);
  const dm = load<usize>(mats, 0), vm = load<usize>(mats, 4), gp = load<usize>(mats, 8), gn = load<usize>(mats, 12);
  const sp = load<usize>(mats, 16), sn = load<usize>(mats, 20), vr = load<usize>(mats, 24), gr = load<usize>(mats, 28);
  const sr = load<usize>(mats, 32);
  // scratch
  const lanes = (work + 15) & ~(<usize>15);
  const cur = lanes + 64, vars = cur + (<usize>pp << 2), steps = vars + (<usize>pp << 2);
  const acc = steps + (<usize>pp << 2), idx = acc + (<usize>pp << 3), val = idx + (<usize>rows << 2);
  const part = val + (<usize>rows << 2);
  const magBits0 = prmI(prm_, A_SIGNED) != 0 ? prmI(prm_, A_INPUTBITS) - 1 : prmI(prm_, A_INPUTBITS);
  const nw = (rows + 63) >> 6, digits0 = (magBits0 + prmI(prm_, A_DACBITS) - 1) / prmI(prm_, A_DACBITS);
  const masks = (part + 128 + 7) & ~(<usize>7), bigs = masks + (<usize>((digits0 + 1) * nw) << 3);
  const nbuf = (bigs + (<usize>digits0 << 2) + 15) & ~(<usize>15);
  const run = prmI(prm_, A_RUN8), acc32 = prmI(prm_, A_ACC32) != 0;
  normal4Seed(rng, lanes);
  const P = nOut * slices;
  for (let p = 0; p < pp; p++) store<f32>(steps + (<usize>p << 2), p < P ? <f32>prm(prm_, A_STEP0 + p % slices) : 1);
  const magBits = signed ? inputBits - 1 : inputBits;
  const digits = (magBits + dacBits - 1) / dacBits;
  const mask = (1 << dacBits) - 1;
  const noiseDraws = pp + (offsetScheme ? 4 : 0);
  const lo = f32x4.splat(-half), hi = f32x4.splat(half);
  for (let b = 0; b < batch; b++) {
    const xrow = x + (<usize>(b * xStride) << (wide ? 2 : 1));
    memory.fill(acc, 0, <usize>pp << 3);
    digitMasks(xrow, wide, rows, nw, digits, dacBits, masks, bigs);
    for (let k = 0; k < digits; k++) {
      // the active rows of this digit plane: count them; list them in row order when a product walks a list
      const big = load<i32>(bigs + (<usize>k << 2));
      const actK = masks + (<usize>(k * nw) << 3), negM = masks + (<usize>(digits * nw) << 3);
      const viaMasks = exact && noise == NOISE_NONE && big == 0 && run > 0;
      let n = 0, nNeg = 0;
      for (let w = 0; w < nw; w++) {
        const negw = load<u64>(negM + (<usize>w << 3));
        let m = load<u64>(actK + (<usize>w << 3));
        nNeg += <i32>popcnt(m & negw);
        if (viaMasks) { n += <i32>popcnt(m); continue; }
        const base = w << 6;
        while (m != 0) {
          const i = base + <i32>ctz(m);
          m &= m - 1;
          let d: i32 = 1;
          if (dacBits > 1) {
            const xi: i32 = wide ? load<i32>(xrow + (<usize>i << 2)) : <i32>load<i16>(xrow + (<usize>i << 1));
            d = ((xi < 0 ? -xi : xi) >> (k * dacBits)) & mask;
          }
          store<i32>(idx + (<usize>n << 2), i);
          store<i32>(val + (<usize>n << 2), <i32>((negw >> <u64>(i - base)) & 1) ? -d : d);
          n++;
        }
      }
      if (n == 0) continue; // no current flows: every column reads 0, no read happens
      const unitMag = big == 0, plus = unitMag && nNeg == 0;
      let refNoise: f32 = 0;
      if (noise == NOISE_DEVICE) {
        productDevice(gp, gn, sp, sn, gr, sr, pp, idx, val, n, lanes, table, nbuf, cur);
      } else {
        const pairVm = noise == NOISE_PAIR ? vm : 0;
        if (exact) {
          if (unitMag && run > 0) productInt8(dm, pp, actK, negM, nw, run, part, cur);
          else productInt16(dm, pp, idx, val, n, cur);
          if (pairVm != 0) sumVariances(pairVm, pp, idx, val, n, unitMag, vars);
        } else {
          productF32(dm, pairVm, pp, idx, val, n, plus, unitMag, cur, vars);
        }
      }
      if (noise == NOISE_PAIR) {
        normal4Fill(lanes, table, nbuf, noiseDraws);
        if (offsetScheme) {
          let rv: f32 = 0;
          for (let a = 0; a < n; a++) {
            const fv = <f32>load<i32>(val + (<usize>a << 2));
            rv += (fv * fv) * load<f32>(vr + (<usize>load<i32>(idx + (<usize>a << 2)) << 2));
          }
          refNoise = <f32>Math.sqrt(<f64>rv) * load<f32>(nbuf + (<usize>pp << 2));
        }
      }
      const dw = f64x2.splat(<f64>(1 << (k * dacBits)));
      const rn = f32x4.splat(refNoise);
      for (let p = 0; p < pp; p += 4) {
        const po = <usize>p << 2;
        let iv = v128.load(cur + po);
        if (noise == NOISE_PAIR) {
          iv = f32x4.add(iv, f32x4.mul(f32x4.sqrt(v128.load(vars + po)), v128.load(nbuf + po)));
          if (offsetScheme) iv = f32x4.sub(iv, rn);
        }
        if (adc && perDigit) {
          iv = f32x4.min(hi, f32x4.max(lo, f32x4.nearest(f32x4.div(iv, v128.load(steps + po)))));
        }
        if (acc32) {
          // integer codes whose digit-weighted sum fits i32 (the host checked): exact, like the f64 sums
          const a0 = acc + po;
          v128.store(a0, i32x4.add(v128.load(a0), i32x4.shl(i32x4.trunc_sat_f32x4_s(iv), k * dacBits)));
        } else {
          const a0 = acc + (<usize>p << 3);
          v128.store(a0, f64x2.add(v128.load(a0), f64x2.mul(f64x2.promote_low_f32x4(iv), dw)));
          const hiHalf = v128.shuffle<u32>(iv, iv, 2, 3, 0, 1);
          v128.store(a0, f64x2.add(v128.load(a0, 16), f64x2.mul(f64x2.promote_low_f32x4(hiHalf), dw)), 16);
        }
      }
    }
    // shift-and-add over slices, de-offset
    let xsum: f64 = 0;
    if (offset != 0) {
      for (let i = 0; i < rows; i++) {
        xsum += wide ? <f64>load<i32>(xrow + (<usize>i << 2)) : <f64>load<i16>(xrow + (<usize>i << 1));
      }
    }
    const yrow = y + (<usize>(b * nOut) << 3);
    for (let j = 0; j < nOut; j++) {
      let yj: f64 = 0;
      for (let s = 0; s < slices; s++) {
        const a: f64 = acc32 ? <f64>load<i32>(acc + (<usize>(j * slices + s) << 2)) : load<f64>(acc + (<usize>(j * slices + s) << 3));
        const step = prm(prm_, A_STEP0 + s);
        const unitW = <f64>(1 << (s * cellBits));
        if (!adc) yj += a * unitW;
        else if (perDigit) yj += a * (step * unitW);
        else {
          let q = roundHalfEvenF64(a / step);
          if (q > <f64>half) q = <f64>half;
          if (q < -<f64>half) q = -<f64>half;
          yj += q * step * unitW;
        }
      }
      store<f64>(yrow + (<usize>j << 3), yj - offset * xsum);
    }
  }
}

/** vars[p] = Σ_a f32(f32(v_a²)·V[i_a, p]) (unit digits: Σ_a V[i_a, p]), for the exact path. */
function sumVariances(vm: usize, pp: i32, idx: usize, val: usize, n: i32, unit: bool, vars: usize): void {
  const rowBytes = <usize>pp << 2;
  for (let c = 0; c < pp; c += 4) {
    let s = f32x4.splat(0);
    for (let a = 0; a < n; a++) {
      const q = vm + <usize>load<i32>(idx + (<usize>a << 2)) * rowBytes + (<usize>c << 2);
      if (unit) s = f32x4.add(s, v128.load(q));
      else {
        const fv = <f32>load<i32>(val + (<usize>a << 2));
        s = f32x4.add(s, f32x4.mul(f32x4.splat(fv * fv), v128.load(q)));
      }
    }
    v128.store(vars + (<usize>c << 2), s);
  }
}
