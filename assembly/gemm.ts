// Single-precision GEMM for training (DESIGN §5): C = α·op(A)·op(B) + β·C, row-major, op = identity or transpose,
// so the backward pass (xᵀ·dy, dy·Wᵀ) needs no explicit Transpose. Flat function over pointers; the host owns all
// memory and passes a workspace of gemmWorkFloats() floats for the packed panels.
//
// Structure (the classic blocked GEMM): the K dimension is cut in blocks of KC, N in blocks of NC and M in blocks of
// MC. For each (NC, KC) block, op(B) is packed into NR-wide column panels (k-major, zero-padded); for each MC block,
// op(A) is packed into MR-high row panels (k-major, zero-padded). Packing absorbs the transposes, so the MR×NR
// micro-kernel always streams two contiguous panels: per k it loads NR/4 vectors of B, broadcasts MR scalars of A
// and accumulates MR·NR/4 f32x4 registers (f32x4.mul + f32x4.add; no relaxed-SIMD FMA, so results are the same on
// every engine). Edge tiles go through a small scratch tile. The summation order over k is sequential within a
// KC block, blocks added in order — results differ from a naive dot product only by f32 rounding.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 96;
const NC: i32 = 512;

/** Floats of workspace gemmF32 needs (packed A block + packed B block + one edge tile). */
export function gemmWorkFloats(): i32 {
  return MC * KC + KC * NC + MR * NR;
}

// Stores the transpose of the 4×4 block whose rows are x0..x3: column q (lane q of every row) goes to dst + q·stride.
@inline function storeTransposed4(x0: v128, x1: v128, x2: v128, x3: v128, dst: usize, stride: usize): void {
  const lo01 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const hi01 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
}

// Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into MR-row panels: ap[panel][k][r]. A(i, k) = a[i*rs + k*cs].
// Full panels move 4 floats at a time: transposed A (cs ≠ 1, rs = 1) has a panel's 4 rows side by side in memory, so
// one vector per k; plain A (cs = 1) is read as 4×4 blocks and transposed in registers. Pure data movement: the
// packed panels, hence the results, are the same as the scalar loop's.
function packA(a: usize, rs: i32, cs: i32, i0: i32, mc: i32, p0: i32, kc: i32, ap: usize): void {
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    const panel = ap + (<usize>(ip * kc) << 2);
    if (rows == MR && rs == 1) {
      let src = a + (<usize>(i0 + ip + p0 * cs) << 2);
      const step = <usize>cs << 2;
      for (let k = 0; k < kc; k++) { v128.store(panel + (<usize>k << 4), v128.load(src)); src += step; }
      continue;
    }
    if (rows == MR && cs == 1) {
      const row0 = a + (<usize>((i0 + ip) * rs + p0) << 2), step = <usize>rs << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2;
        storeTransposed4(v128.load(row0 + o), v128.load(row0 + step + o), v128.load(row0 + 2 * step + o), v128.load(row0 + 3 * step + o),
          panel + (<usize>(k * MR) << 2), <usize>(MR << 2));
      }
      for (; k < kc; k++) {
        for (let r = 0; r < MR; r++) store<f32>(panel + (<usize>(k * MR + r) << 2), load<f32>(row0 + <usize>r * step + (<usize>k << 2)));
      }
      continue;
    }
    if (rows < MR) memory.fill(panel, 0, <usize>(MR * kc) << 2);
    for (let r = 0; r < rows; r++) {
      let src = a + (<usize>((i0 + ip + r) * rs + p0 * cs) << 2);
      let dst = panel + (<usize>r << 2);
      const step = <usize>cs << 2;
      for (let k = 0; k < kc; k++) {
        store<f32>(dst, load<f32>(src));
        src += step;
        dst += <usize>(MR << 2);
      }
    }
  }
}

// Packs rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) into NR-column panels: bp[panel][k][c]. B(k, j) = b[k*rs + j*cs].
function packB(b: usize, rs: i32, cs: i32, p0: i32, kc: i32, j0: i32, nc: i32, bp: usize): void {
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = min(NR, nc - jp);
    const panel = bp + (<usize>(jp * kc) << 2);
    if (cols == NR && cs == 1) {
      let src = b + (<usize>(p0 * rs + j0 + jp) << 2);
      let dst = panel;
      const step = <usize>rs << 2;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += <usize>(NR << 2);
      }
      continue;
    }
    if (cols == NR && rs == 1) {
      // transposed B: each of the panel's 8 columns is contiguous over k; two 4×4 blocks per 4 k, transposed in registers
      const col0 = b + (<usize>(p0 + (j0 + jp) * cs) << 2), step = <usize>cs << 2;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>k << 2, dst = panel + (<usize>(k * NR) << 2);
        storeTransposed4(v128.load(col0 + o), v128.load(col0 + step + o), v128.load(col0 + 2 * step + o), v128.load(col0 + 3 * step + o),
          dst, <usize>(NR << 2));
        storeTransposed4(v128.load(col0 + 4 * step + o), v128.load(col0 + 5 * step + o), v128.load(col0 + 6 * step + o), v128.load(col0 + 7 * step + o),
          dst + 16, <usize>(NR << 2));
      }
      for (; k < kc; k++) {
        for (let c = 0; c < NR; c++) store<f32>(panel + (<usize>(k * NR + c) << 2), load<f32>(col0 + <usize>c * step + (<usize>k << 2)));
      }
      continue;
    }
    if (cols < NR) memory.fill(panel, 0, <usize>(NR * kc) << 2);
    for (let c = 0; c < cols; c++) {
      let src = b + (<usize>(p0 * rs + (j0 + jp + c) * cs) << 2);
      let dst = panel + (<usize>c << 2);
      const step = <usize>rs << 2;
      for (let k = 0; k < kc; k++) {
        store<f32>(dst, load<f32>(src));
        src += step;
        dst += <usize>(NR << 2);
      }
    }
  }
}

// out = α·acc + β·out (β = 0: out is not read, so garbage/NaN in C is ignored, as BLAS does).
@inline function storeRow(out: usize, acc0: v128, acc1: v128, alpha: v128, beta: f32): void {
  let r0 = f32x4.mul(acc0, alpha), r1 = f32x4.mul(acc1, alpha);
  if (beta != 0) {
    const vb = f32x4.splat(beta);
    if (beta == 1) {
      r0 = f32x4.add(r0, v128.load(out));
      r1 = f32x4.add(r1, v128.load(out, 16));
    } else {
      r0 = f32x4.add(r0, f32x4.mul(vb, v128.load(out)));
      r1 = f32x4.add(r1, f32x4.mul(vb, v128.load(out, 16)));
    }
  }
  v128.store(out, r0);
  v128.store(out, r1, 16);
}

// MR×NR micro-kernel over packed panels; writes into C (full tile) or into `tile` (edge; ldc = NR, β = 0).
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = ap, pb = bp;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    const a1 = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    const a2 = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    const a3 = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    pa += <usize>(MR << 2);
    pb += <usize>(NR << 2);
  }
  const va = f32x4.splat(alpha);
  const row = <usize>ldc << 2;
  storeRow(c, c00, c01, va, beta);
  storeRow(c + row, c10, c11, va, beta);
  storeRow(c + 2 * row, c20, c21, va, beta);
  storeRow(c + 3 * row, c30, c31, va, beta);
}

/**
 * C (m×n, row stride ldc) = α·op(A)·op(B) + β·C. op(A) is m×k: A is m×k (lda ≥ k) or, with transA, k×m (lda ≥ m);
 * op(B) is k×n: B is k×n (ldb ≥ n) or, with transB, n×k (ldb ≥ k). `work` holds gemmWorkFloats() floats, 16-byte
 * aligned, not overlapping A, B or C. With β = 0, C is write-only.
 */
export function gemmF32(
  transA: bool, transB: bool, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    for (let i = 0; i < m; i++) {
      const row = c + (<usize>(i * ldc) << 2);
      for (let j = 0; j < n; j++) {
        const p = row + (<usize>j << 2);
        store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
      }
    }
    return;
  }
  const ars = transA ? 1 : lda, acs = transA ? lda : 1;
  const brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
  const ap = work;
  const bp = work + (<usize>(MC * KC) << 2);
  const tile = bp + (<usize>(KC * NC) << 2);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      const bEff: f32 = p0 == 0 ? beta : 1;
      packB(b, brs, bcs, p0, kc, j0, nc, bp);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA(a, ars, acs, i0, mc, p0, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bpanel = bp + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const apanel = ap + (<usize>(ir * kc) << 2);
            const cij = c + (<usize>((i0 + ir) * ldc + j0 + jr) << 2);
            if (mr == MR && nr == NR) {
              micro(kc, apanel, bpanel, cij, ldc, alpha, bEff);
            } else {
              micro(kc, apanel, bpanel, tile, NR, 1, 0);
              for (let r = 0; r < mr; r++) {
                for (let q = 0; q < nr; q++) {
                  const p = cij + (<usize>(r * ldc + q) << 2);
                  const v = alpha * load<f32>(tile + (<usize>(r * NR + q) << 2));
                  store<f32>(p, bEff == 0 ? v : v + bEff * load<f32>(p));
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Epilogue for fused layers: C[i, j] += bias[j] (bias = 0: none), then the activation (0 = linear, 1 = relu).
 */
export function gemmBiasAct(c: usize, m: i32, n: i32, ldc: i32, bias: usize, act: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < m; i++) {
    const row = c + (<usize>(i * ldc) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = row + (<usize>j << 2);
      let v = v128.load(p);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
      if (act == 1) v = f32x4.max(v, zero);
      v128.store(p, v);
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2);
      let v = load<f32>(p);
      if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
      if (act == 1) v = max<f32>(v, 0);
      store<f32>(p, v);
    }
  }
}

/**
 * One Adam step over n floats, in place on w, m, v (the optimizer update of train.ts, fused; lives here with the
 * other training kernels): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; w −= lr·(m·r1) / (√(v·r2) + ε), where
 * r1 = 1/c1, r2 = 1/c2 (rounded to f32 once), c1 = 1 − β1^t and c2 = 1 − β2^t — tf.train.adam divides by c1 and c2,
 * which differs only in f32 rounding; the two reciprocals halve the divisions, which bounded this loop. All f32,
 * every operation correctly rounded (SIMD and tail alike).
 */
export function adamStepF32(w: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, c1: f32, c2: f32, eps: f32): void {
  const r1: f32 = 1 / c1, r2: f32 = 1 / c2;
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vo1 = f32x4.splat(1 - b1), vo2 = f32x4.splat(1 - b2);
  const vr1 = f32x4.splat(r1), vr2 = f32x4.splat(r2), veps = f32x4.splat(eps), vlr = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vo1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vo2, f32x4.mul(gi, gi)));
    const step = f32x4.div(f32x4.mul(vlr, f32x4.mul(mi, vr1)), f32x4.add(f32x4.sqrt(f32x4.mul(vi, vr2)), veps));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(w + o, f32x4.sub(v128.load(w + o), step));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = b1 * load<f32>(m + o) + (1 - b1) * gi;
    const vi = b2 * load<f32>(v + o) + (1 - b2) * (gi * gi);
    const step = (lr * (mi * r1)) / (sqrt<f32>(vi * r2) + eps);
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(w + o, load<f32>(w + o) - step);
  }
}

/**
 * im2col for NHWC convolutions: x [n, h, w, c] → cols [n·oh·ow, kh·kw·c], column order (ky, kx, ch) matching a
 * row-major filter [kh, kw, c, f]. Writes every element (zeros where the window hangs over the padding).
 */
export function im2colF32(x: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32,
  oh: i32, ow: i32, cols: usize): void {
  const run = <usize>c << 2;
  let dst = cols;
  for (let b = 0; b < n; b++) {
    const xb = x + (<usize>(b * h * w * c) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - top + ky;
          if (iy < 0 || iy >= h) { memory.fill(dst, 0, run * <usize>kw); dst += run * <usize>kw; continue; }
          const ix0 = ox * sw - left;
          if (ix0 >= 0 && ix0 + kw <= w) {
            // the window row lies inside x: its kw·c values are contiguous there (one run, not kw runs of c — c1 of
            // LeNet has c = 1, where per-pixel runs made im2col cost 3× its GEMM)
            copyRun(dst, xb + (<usize>((iy * w + ix0) * c) << 2), kw * c);
            dst += run * <usize>kw;
            continue;
          }
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx;
            if (ix < 0 || ix >= w) memory.fill(dst, 0, run);
            else copyRun(dst, xb + (<usize>((iy * w + ix) * c) << 2), c);
            dst += run;
          }
        }
      }
    }
  }
}

/**
 * dx of max pooling, NHWC: each output's dy goes to the first maximum of its window (row-major window order, strict >:
 * the cpu backend's rule; a window of NaN or −∞ passes nothing), windows clipped to the input (padding never wins).
 * When windows overlap (stride < window), a pixel's contributions are summed in f64 in output order and rounded to
 * f32 once, as the cpu backend sums them; `acc` is then an f64 scratch of n·h·w·c (unused otherwise: pass 0).
 */
export function maxPoolGradF32(x: usize, dy: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, fh: i32, fw: i32, sh: i32, sw: i32,
  top: i32, left: i32, oh: i32, ow: i32, acc: usize): void {
  const count = <usize>(n * h * w * c), overlap = sh < fh || sw < fw;
  if (overlap) memory.fill(acc, 0, count << 3);
  else memory.fill(dx, 0, count << 2);
  let g = dy;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = max(0, oy * sh - top), y1 = min(h, oy * sh - top + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = max(0, ox * sw - left), x1 = min(w, ox * sw - left + fw);
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity as f32, at: i32 = -1;
          for (let y = y0; y < y1; y++) {
            const rowStart = ((b * h + y) * w + x0) * c + ch, rowEnd = rowStart + (x1 - x0) * c;
            for (let i = rowStart; i < rowEnd; i += c) {
              const v = load<f32>(x + (<usize>i << 2));
              const take = v > best; // selects, not a branch: on data the comparison is a coin flip
              best = select<f32>(v, best, take);
              at = select<i32>(i, at, take);
            }
          }
          if (at >= 0) {
            if (overlap) {
              const d = acc + (<usize>at << 3);
              store<f64>(d, load<f64>(d) + <f64>load<f32>(g));
            } else {
              const d = dx + (<usize>at << 2); // one window per pixel: 0 + dy (so −0 becomes +0, as the cpu sum does)
              store<f32>(d, load<f32>(d) + load<f32>(g));
            }
          }
          g += 4;
        }
      }
    }
  }
  if (overlap) for (let i: usize = 0; i < count; i++) store<f32>(dx + (i << 2), <f32>load<f64>(acc + (i << 3)));
}

/** col2im, the transpose of im2colF32: x [n, h, w, c] = Σ of cols entries scattered back (x is overwritten). */
export function col2imF32(cols: usize, n: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32, sh: i32, sw: i32, top: i32, left: i32,
  oh: i32, ow: i32, x: usize): void {
  const run = <usize>c << 2;
  memory.fill(x, 0, <usize>(n * h * w * c) << 2);
  let src = cols;
  for (let b = 0; b < n; b++) {
    const xb = x + (<usize>(b * h * w * c) << 2);
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - top + ky;
          if (iy < 0 || iy >= h) { src += run * <usize>kw; continue; }
          const ix0 = ox * sw - left;
          if (ix0 >= 0 && ix0 + kw <= w) {
            // contiguous in x (see im2colF32): one run; each x value is still added once per kx, in the same order
            addRun(xb + (<usize>((iy * w + ix0) * c) << 2), src, kw * c);
            src += run * <usize>kw;
            continue;
          }
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx;
            if (ix >= 0 && ix < w) addRun(xb + (<usize>((iy * w + ix) * c) << 2), src, c);
            src += run;
          }
        }
      }
    }
  }
}

@inline function copyRun(dst: usize, src: usize, c: i32): void {
  let i = 0;
  for (; i + 4 <= c; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < c; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline function addRun(dst: usize, src: usize, c: i32): void {
  let i = 0;
  for (; i + 4 <= c; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < c; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** Column sums of a row-major [rows, cols] matrix: out[j] = Σ_i x[i·cols + j], added row by row in f32 (bias and
 *  BatchNorm gradients: NHWC reduced over N, H, W). */
export function sumRowsF32(x: usize, rows: i32, cols: i32, out: usize): void {
  memory.fill(out, 0, <usize>cols << 2);
  for (let i = 0; i < rows; i++) addRun(out, x + (<usize>(i * cols) << 2), cols);
}
