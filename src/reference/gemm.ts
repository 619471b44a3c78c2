// Plain-TS reference of the f32 GEMM kernel (assembly/gemm.ts): C = α·op(A)·op(B) + β·C, row-major, written as the
// textbook triple loop. Sums in f64 (more accurate than the kernel's blocked f32 sums), so tests compare with a
// tolerance that scales with k·Σ|a·b|·2⁻²⁴, not bit-exactly.

export interface RefGemmArgs {
  transA: boolean; transB: boolean; m: number; n: number; k: number; alpha: number;
  a: ArrayLike<number>; lda: number; b: ArrayLike<number>; ldb: number; beta: number; c: Float32Array; ldc: number;
}

/** In place on `c`; β = 0 ignores C's previous contents (NaN included), as BLAS does. */
export function refGemm(g: RefGemmArgs): void {
  const { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc } = g;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * lda + i]! : a[i * lda + p]!;
        const bv = transB ? b[j * ldb + p]! : b[p * ldb + j]!;
        s += av * bv;
      }
      const o = i * ldc + j;
      c[o] = Math.fround(alpha * s + (beta === 0 ? 0 : beta * c[o]!));
    }
  }
}

/** Bound on |kernel − reference| for element (i, j): a few f32 ulps of the sum of |terms| per accumulation step. */
export function refGemmErrorBound(g: RefGemmArgs, i: number, j: number): number {
  const { transA, transB, k, alpha, a, lda, b, ldb, beta, c, ldc } = g;
  let s = 0;
  for (let p = 0; p < k; p++) {
    const av = transA ? a[p * lda + i]! : a[i * lda + p]!;
    const bv = transB ? b[j * ldb + p]! : b[p * ldb + j]!;
    s += Math.abs(av * bv);
  }
  return (k + 4) * 2 ** -23 * (Math.abs(alpha) * s + (beta === 0 ? 0 : Math.abs(beta * c[i * ldc + j]!))) + 1e-30;
}

/** Reference of gemmBiasAct: C[i, j] += bias[j] (if given), then relu when act = 1. */
export function refGemmBiasAct(c: Float32Array, m: number, n: number, ldc: number, bias: ArrayLike<number> | null, act: 0 | 1): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let v = c[i * ldc + j]!;
      if (bias) v = Math.fround(v + bias[j]!);
      if (act === 1 && !(v > 0)) v = v !== v ? v : 0;
      c[i * ldc + j] = v;
    }
  }
}

/** Reference of adamStepF32 (assembly/gemm.ts): the same f32 operations in the same order, so bit-identical. */
export function refAdamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, b1: number, b2: number, c1: number, c2: number, eps: number): void {
  const f = Math.fround;
  lr = f(lr); b1 = f(b1); b2 = f(b2); c1 = f(c1); c2 = f(c2); eps = f(eps);
  const o1 = f(1 - b1), o2 = f(1 - b2), r1 = f(1 / c1), r2 = f(1 / c2);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]!;
    const mi = f(f(b1 * m[i]!) + f(o1 * gi));
    const vi = f(f(b2 * v[i]!) + f(o2 * f(gi * gi)));
    const step = f(f(lr * f(mi * r1)) / f(f(Math.sqrt(f(vi * r2))) + eps));
    m[i] = mi; v[i] = vi; w[i] = f(w[i]! - step);
  }
}

/** The convolution geometry the im2col kernels need (a subset of tfjs' Conv2DInfo). */
export interface ConvGeometry {
  batchSize: number; inHeight: number; inWidth: number; inChannels: number; filterHeight: number; filterWidth: number;
  strideHeight: number; strideWidth: number; outHeight: number; outWidth: number; padInfo: { top: number; left: number };
}

/**
 * Reference of im2colF32 (assembly/gemm.ts). im2col for NHWC on host memory: x [N, H, W, C] → [N·outH·outW, kh·kw·C], column order (ky, kx, c) matching the
 * row-major filter [kh, kw, C, F]. Plain loops: tfjs-wasm's Slice/Concat on 4-D tensors take a slow generic path
 * (a LeNet-5 step spent >1 s in them), while this is a few ms per batch.
 */
export function refIm2col(x: Float32Array, info: ConvGeometry, out?: Float32Array): Float32Array {
  const c = info.inChannels;
  const cols = out ?? new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * c); // `out` must be zeroed (padding stays 0)
  // a plain loop per pixel: subarray()+set() allocates a view per pixel and was most of a ResNet step's im2col time
  forEachWindowPixel(info, (o, px) => { for (let ch = 0; ch < c; ch++) cols[o + ch] = x[px + ch]!; });
  return cols;
}

/** Reference of col2imF32. col2im: the transpose of refIm2col — scatter-adds [N·outH·outW, kh·kw·C] back onto an [N, H, W, C] input. */
export function refCol2im(cols: Float32Array, info: ConvGeometry, out?: Float32Array): Float32Array {
  const c = info.inChannels;
  const x = out ?? new Float32Array(info.batchSize * info.inHeight * info.inWidth * c); // `out` must be zeroed (this adds into it)
  forEachWindowPixel(info, (o, px) => { for (let ch = 0; ch < c; ch++) x[px + ch] += cols[o + ch]!; });
  return x;
}

/**
 * The im2col correspondence, in row order: for every output position's window pixel inside the input, the offset
 * of its C values in the im2col matrix and in the [N, H, W, C] input (pixels in the padding are skipped).
 */
function forEachWindowPixel(info: ConvGeometry, visit: (colOffset: number, pixelOffset: number) => void): void {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, inChannels: c, inHeight: h, inWidth: w, batchSize: n } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const k = kh * kw * c;
  let r = 0;
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r += k) {
        let o = r;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - top + ky;
          if (iy < 0 || iy >= h) { o += kw * c; continue; }
          for (let kx = 0; kx < kw; kx++, o += c) {
            const ix = ox * sw - left + kx;
            if (ix < 0 || ix >= w) continue;
            visit(o, xb + (iy * w + ix) * c);
          }
        }
      }
    }
  }
}

/** The pooling geometry maxPoolGradF32 needs (a subset of tfjs' Pool2DInfo; dilation 1). */
export interface PoolGeometry {
  batchSize: number; inHeight: number; inWidth: number; inChannels: number; effectiveFilterHeight: number; effectiveFilterWidth: number;
  strideHeight: number; strideWidth: number; outHeight: number; outWidth: number; padInfo: { top: number; left: number };
}

/**
 * Reference of maxPoolGradF32: dx of NHWC max pooling; each output's dy goes to the first maximum of its window
 * (strict >, as tfjs' cpu backend picks it; a window of NaN or −∞ passes nothing); a pixel's contributions are summed
 * in f64 in output order and rounded to f32 once, as the cpu backend sums them.
 */
export function refMaxPoolGrad(x: Float32Array, dy: Float32Array, info: PoolGeometry): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight, fw = info.effectiveFilterWidth, top = info.padInfo.top, left = info.padInfo.left;
  const acc = new Float64Array(n * h * w * c);
  let g = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - top), y1 = Math.min(h, oy * sh - top + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - left), x1 = Math.min(w, ox * sw - left + fw);
        for (let ch = 0; ch < c; ch++, g++) {
          let best = -Infinity, at = -1;
          for (let y = y0; y < y1; y++) {
            for (let xx = x0; xx < x1; xx++) {
              const i = ((b * h + y) * w + xx) * c + ch;
              if (x[i]! > best) { best = x[i]!; at = i; }
            }
          }
          if (at >= 0) acc[at] += dy[g]!;
        }
      }
    }
  }
  return Float32Array.from(acc);
}

/** Reference of sumRowsF32: column sums of [rows, cols], row by row with f32 rounding after every add. */
export function refSumRows(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] = Math.fround(out[j]! + x[i * cols + j]!);
  return out;
}
