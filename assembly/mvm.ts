// Crossbar matrix-vector multiply kernels (DESIGN §2, §2.2). Flat functions over pointers; the host validates
// every shape first (src/hardware/mvm.ts) and owns all memory.
//
// Physical layout of a block of cells: row-major, `stride` cells per physical row; logical column j, slice s,
// sign cell k sits at physical column j*cpw + s*signCells + k (cpw = slices*signCells). Differential: k = 0
// positive, 1 negative. Offset: one cell per slice plus a reference column at level 0 given separately.

// ---------------------------------------------------------------------------------------------------------------
// Ideal mode. Shift-and-add over slices with differential subtraction is linear, so it is done once per
// programmed state ("compose"), and shift-and-add over input bits is done by multiplying by the integer input:
// the result is exactly Σ_k Σ_s 2^(k + cellBits·s)·Σ_i bit_k(x_i)·(L+ − L−), in integer arithmetic.
// ---------------------------------------------------------------------------------------------------------------

// levels (u8, rows × stride) → transposed effective integer weights wt (T = i16 or i32, nOut × kPad, zero-padded
// rows). `offset` is subtracted (offset scheme); pass 0 for differential.
@inline function composeWeights<T>(
  levels: usize, stride: i32, rows: i32, nOut: i32, slices: i32, signCells: i32, cellBits: i32, offset: i32,
  wt: usize, kPad: i32,
): void {
  const cpw = slices * signCells;
  const size = <usize>sizeof<T>();
  memory.fill(wt, 0, <usize>(nOut * kPad) * size);
  for (let j = 0; j < nOut; j++) {
    const outRow = wt + <usize>(j * kPad) * size;
    for (let i = 0; i < rows; i++) {
      const cell = levels + <usize>(i * stride + j * cpw);
      let w: i32 = 0;
      for (let s = slices - 1; s >= 0; s--) {
        const base = cell + <usize>(s * signCells);
        let d = <i32>load<u8>(base);
        if (signCells == 2) d -= <i32>load<u8>(base, 1);
        w = (w << cellBits) + d;
      }
      store<T>(outRow + <usize>i * size, <T>(w - offset));
    }
  }
}

export function composeWeightsI16(
  levels: usize, stride: i32, rows: i32, nOut: i32, slices: i32, signCells: i32, cellBits: i32, offset: i32,
  wt: usize, kPad: i32,
): void {
  composeWeights<i16>(levels, stride, rows, nOut, slices, signCells, cellBits, offset, wt, kPad);
}

/** Same as composeWeightsI16 into i32 (for weights that do not fit i16). */
export function composeWeightsI32(
  levels: usize, stride: i32, rows: i32, nOut: i32, slices: i32, signCells: i32, cellBits: i32, offset: i32,
  wt: usize, kPad: i32,
): void {
  composeWeights<i32>(levels, stride, rows, nOut, slices, signCells, cellBits, offset, wt, kPad);
}

/** Index of the first i32 in [ptr, ptr+n) outside [lo, hi], or -1. */
export function firstOutOfRange(ptr: usize, n: i32, lo: i32, hi: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<i32>(ptr + (<usize>i << 2));
    if (v < lo || v > hi) return i;
  }
  return -1;
}

/** batch × rows i32 inputs → batch × kPad i16 (zero padded); the host has range-checked them. */
export function packInputsI16(src: usize, batch: i32, rows: i32, dst: usize, kPad: i32): void {
  memory.fill(dst, 0, <usize>(batch * kPad) << 1);
  for (let b = 0; b < batch; b++) {
    const s = src + (<usize>(b * rows) << 2), d = dst + (<usize>(b * kPad) << 1);
    for (let i = 0; i < rows; i++) store<i16>(d + (<usize>i << 1), <i16>load<i32>(s + (<usize>i << 2)));
  }
}

/** batch × rows i32 inputs → batch × kPad i32 (zero padded). */
export function packInputsI32(src: usize, batch: i32, rows: i32, dst: usize, kPad: i32): void {
  memory.fill(dst, 0, <usize>(batch * kPad) << 2);
  for (let b = 0; b < batch; b++) {
    memory.copy(dst + (<usize>(b * kPad) << 2), src + (<usize>(b * rows) << 2), <usize>rows << 2);
  }
}

@inline function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * y[b, j] = Σ_i x[b, i]·wt[j, i] with x (i16, batch × kPad), wt (i16, nOut × kPad), y (i32, batch × nOut).
 * kPad is a multiple of 8. Blocked 2 inputs × 4 outputs so every loaded vector is used several times.
 */
export function mvmIdealI16(x: usize, wt: usize, batch: i32, kPad: i32, nOut: i32, y: usize): void {
  const rowBytes = <usize>kPad << 1;
  let b = 0;
  for (; b + 2 <= batch; b += 2) {
    const x0 = x + <usize>b * rowBytes;
    const x1 = x0 + rowBytes;
    const y0 = y + (<usize>(b * nOut) << 2);
    const y1 = y0 + (<usize>nOut << 2);
    let j = 0;
    for (; j + 4 <= nOut; j += 4) {
      const w0 = wt + <usize>j * rowBytes;
      const w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
      let a00 = i32x4.splat(0), a01 = i32x4.splat(0), a02 = i32x4.splat(0), a03 = i32x4.splat(0);
      let a10 = i32x4.splat(0), a11 = i32x4.splat(0), a12 = i32x4.splat(0), a13 = i32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const xv0 = v128.load(x0 + o), xv1 = v128.load(x1 + o);
        const wv0 = v128.load(w0 + o), wv1 = v128.load(w1 + o), wv2 = v128.load(w2 + o), wv3 = v128.load(w3 + o);
        a00 = i32x4.add(a00, i32x4.dot_i16x8_s(xv0, wv0));
        a01 = i32x4.add(a01, i32x4.dot_i16x8_s(xv0, wv1));
        a02 = i32x4.add(a02, i32x4.dot_i16x8_s(xv0, wv2));
        a03 = i32x4.add(a03, i32x4.dot_i16x8_s(xv0, wv3));
        a10 = i32x4.add(a10, i32x4.dot_i16x8_s(xv1, wv0));
        a11 = i32x4.add(a11, i32x4.dot_i16x8_s(xv1, wv1));
        a12 = i32x4.add(a12, i32x4.dot_i16x8_s(xv1, wv2));
        a13 = i32x4.add(a13, i32x4.dot_i16x8_s(xv1, wv3));
      }
      const jo = <usize>j << 2;
      store<i32>(y0 + jo, hsum(a00)); store<i32>(y0 + jo, hsum(a01), 4);
      store<i32>(y0 + jo, hsum(a02), 8); store<i32>(y0 + jo, hsum(a03), 12);
      store<i32>(y1 + jo, hsum(a10)); store<i32>(y1 + jo, hsum(a11), 4);
      store<i32>(y1 + jo, hsum(a12), 8); store<i32>(y1 + jo, hsum(a13), 12);
    }
    for (; j < nOut; j++) {
      const w0 = wt + <usize>j * rowBytes;
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const wv = v128.load(w0 + o);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(x0 + o), wv));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(x1 + o), wv));
      }
      store<i32>(y0 + (<usize>j << 2), hsum(a0));
      store<i32>(y1 + (<usize>j << 2), hsum(a1));
    }
  }
  for (; b < batch; b++) {
    const x0 = x + <usize>b * rowBytes;
    const y0 = y + (<usize>(b * nOut) << 2);
    for (let j = 0; j < nOut; j++) {
      const w0 = wt + <usize>j * rowBytes;
      let a0 = i32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(x0 + o), v128.load(w0 + o)));
      store<i32>(y0 + (<usize>j << 2), hsum(a0));
    }
  }
}

/** General path: x (i32, batch × kPad), wt (i32, nOut × kPad), y (i32); kPad a multiple of 4. */
export function mvmIdealI32(x: usize, wt: usize, batch: i32, kPad: i32, nOut: i32, y: usize): void {
  const rowBytes = <usize>kPad << 2;
  for (let b = 0; b < batch; b++) {
    const x0 = x + <usize>b * rowBytes;
    const y0 = y + (<usize>(b * nOut) << 2);
    for (let j = 0; j < nOut; j++) {
      const w0 = wt + <usize>j * rowBytes;
      let a = i32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) a = i32x4.add(a, i32x4.mul(v128.load(x0 + o), v128.load(w0 + o)));
      store<i32>(y0 + (<usize>j << 2), hsum(a));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The ideal path of a whole layer, kept in wasm memory (src/inference/engine.ts): quantize the layer's input once
// (before im2col: quantized 0 is the padding's 0), pack each block's im2col patches into the i16 vectors
// mvmIdealI16 takes, add the block products into the layer's f64 sums, de-scale. Each step is the same arithmetic
// as its TS twin (quantizeInputs, refIm2colInts, the engine's accumulation, descale), so results are identical.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Quantized inputs as i16 (the host has checked they fit): v = x·inv clipped to [lo, 1], q = v·qmax, rounded half to
 * even (src/hardware/quantize.ts quantizeInputs). Returns the index of the first non-finite input (nothing after it
 * is written), or −1.
 */
export function quantizeInputsI16(x: usize, n: i32, inv: f64, lo: f64, qmax: f64, out: usize): i32 {
  for (let i = 0; i < n; i++) {
    const xi = <f64>load<f32>(x + (<usize>i << 2));
    if (xi - xi != 0) return i; // NaN or ±Infinity
    let v = xi * inv;
    v = v < lo ? lo : v > 1 ? 1 : v;
    store<i16>(out + (<usize>i << 1), <i16><i32>nearest<f64>(v * qmax));
  }
  return -1;
}

/** Copies n i16 values; the runs here are short (kw·inC), where memory.copy's call costs more than the copy. */
@inline function copyI16(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) v128.store(dst + (<usize>i << 1), v128.load(src + (<usize>i << 1)));
  for (; i < n; i++) store<i16>(dst + (<usize>i << 1), load<i16>(src + (<usize>i << 1)));
}

/**
 * Rows [row0, row0 + rows) of im2col patches p0 .. p0 + count − 1 of a batch of HWC i16 images, as i16 vectors of
 * kPad (zero padded) at dst: patch p = (b·outH + oy)·outW + ox, patch row r = (ky·kw + kx)·inC + c holds
 * x[b, iy, ix, c] with iy = oy·strideH − padTop + ky, ix = ox·strideW − padLeft + kx, or 0 outside the image. A
 * dense layer's input is the 1 × 1 image with inC = K and a 1 × 1 kernel. x and dst need 8 values of slack after
 * their ends (short-row fast path).
 */
export function im2colI16(
  x: usize, inH: i32, inW: i32, inC: i32, kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  outH: i32, outW: i32, p0: i32, count: i32, row0: i32, rows: i32, dst: usize, kPad: i32,
): void {
  const imageSize = inH * inW * inC, perImage = outH * outW, rowEnd = row0 + rows, runLen = kw * inC;
  const K = kh * runLen;
  // short window rows (e.g. a first conv layer on one-channel images) take one 8-value store per window row, which
  // may run into the next row's values, written next; the vector's zero tail is one store after the last row. Reads
  // and writes run up to 8 values past x and dst: the host allocates both with that slack. Otherwise zero first and
  // copy each window row's run clipped to the block's rows.
  const short = row0 == 0 && rows == K && runLen <= 8 && kPad - K < 8;
  if (!short) memory.fill(dst, 0, <usize>(count * kPad) << 1);
  const zero = i16x8.splat(0);
  let b = p0 / perImage, oy = (p0 - b * perImage) / outW, ox = p0 - b * perImage - oy * outW;
  for (let i = 0; i < count; i++) {
    const y0 = oy * strideH - padTop, x0 = ox * strideW - padLeft;
    // the window columns inside the image: kx in [kxLo, kxHi)
    const kxLo = x0 < 0 ? -x0 : 0, kxHi = min(kw, inW - x0);
    const out = dst + (<usize>(i * kPad) << 1);
    const img = x + (<usize>(b * imageSize) << 1);
    if (short) {
      for (let ky = 0; ky < kh; ky++) {
        const iy = y0 + ky, o = out + (<usize>(ky * runLen) << 1);
        if (iy < 0 || iy >= inH || kxLo >= kxHi) { v128.store(o, zero); continue; }
        const src = img + (<usize>((iy * inW + x0) * inC) << 1);
        if (kxLo == 0 && kxHi == kw) { v128.store(o, v128.load(src)); continue; }
        v128.store(o, zero);
        copyI16(o + (<usize>(kxLo * inC) << 1), src + (<usize>(kxLo * inC) << 1), (kxHi - kxLo) * inC);
      }
      v128.store(out + (<usize>K << 1), zero);
    } else {
      for (let ky = 0; ky < kh && kxLo < kxHi; ky++) {
        const iy = y0 + ky;
        if (iy < 0 || iy >= inH) continue;
        // this window row's patch rows inside the image, clipped to the block's rows: one contiguous run of x
        const base = ky * runLen;
        const r0 = max(base + kxLo * inC, row0), r1 = min(base + kxHi * inC, rowEnd);
        if (r0 < r1) copyI16(out + (<usize>(r0 - row0) << 1), img + (<usize>((iy * inW + x0) * inC + r0 - base) << 1), r1 - r0);
      }
    }
    if (++ox == outW) { ox = 0; if (++oy == outH) { oy = 0; b++; } }
  }
}

/** acc[(p0 + m)·N + col0 + j] += sign·y[m·cols + j] for m < count, j < cols (a block's product into its layer's sums). */
export function addBlockProduct(y: usize, count: i32, cols: i32, acc: usize, N: i32, p0: i32, col0: i32, sign: f64): void {
  for (let m = 0; m < count; m++) {
    const src = y + (<usize>(m * cols) << 2), dst = acc + (<usize>((p0 + m) * N + col0) << 3);
    for (let j = 0; j < cols; j++) {
      const d = dst + (<usize>j << 3);
      store<f64>(d, load<f64>(d) + sign * <f64>load<i32>(src + (<usize>j << 2)));
    }
  }
}

/**
 * out[m·N + j] = f32(acc[m·N + j]·factor[j]) (src/inference/quantized-model.ts descale, factor = scale·inScale),
 * then, when bias ≠ 0, + bias[j] in f32 (hostops addBias), then with relu ≠ 0, negative values → 0 (applyActivation).
 */
export function descaleBiasF32(acc: usize, M: i32, N: i32, factor: usize, bias: usize, relu: i32, out: usize): void {
  const zero = f32x4.splat(0);
  for (let m = 0; m < M; m++) {
    const a = acc + (<usize>(m * N) << 3), o = out + (<usize>(m * N) << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const lo = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(a + (<usize>j << 3)), v128.load(factor + (<usize>j << 3))));
      const hi = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(a + (<usize>j << 3), 16), v128.load(factor + (<usize>j << 3), 16)));
      let v = v128.shuffle<i64>(lo, hi, 0, 2);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
      if (relu != 0) v = v128.bitselect(zero, v, f32x4.lt(v, zero)); // exactly `if (v < 0) v = 0` (−0 and NaN stay)
      v128.store(o + (<usize>j << 2), v);
    }
    for (; j < N; j++) {
      let v = <f32>(load<f64>(a + (<usize>j << 3)) * load<f64>(factor + (<usize>j << 3)));
      if (bias != 0) v += load<f32>(bias + (<usize>j << 2));
      if (relu != 0 && v < 0) v = 0;
      store<f32>(o + (<usize>j << 2), v);
    }
  }
}

/**
 * Max pooling of a batch of HWC f32 images (src/mapping/hostops.ts pool2d 'max'): each output is the max over its
 * window's cells inside the input, taken in row-major window order with `if (v > acc) acc = v` from −∞ (so NaN
 * never wins and the first of equal ±0 stays), four channels at a time.
 */
export function maxPool2dF32(
  x: usize, batch: i32, inH: i32, inW: i32, C: i32, kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32,
  padLeft: i32, outH: i32, outW: i32, out: usize,
): void {
  const ninf = f32x4.splat(-Infinity);
  for (let b = 0; b < batch; b++) {
    const img = x + (<usize>(b * inH * inW * C) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop;
      const yLo = max(y0, 0), yHi = min(y0 + kh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * strideW - padLeft;
        const xLo = max(x0, 0), xHi = min(x0 + kw, inW);
        const dst = out + (<usize>(((b * outH + oy) * outW + ox) * C) << 2);
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          let acc = ninf;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const v = v128.load(img + (<usize>((iy * inW + ix) * C + c) << 2));
              acc = v128.bitselect(v, acc, f32x4.gt(v, acc));
            }
          }
          v128.store(dst + (<usize>c << 2), acc);
        }
        for (; c < C; c++) {
          let acc: f32 = -Infinity;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const v = load<f32>(img + (<usize>((iy * inW + ix) * C + c) << 2));
              if (v > acc) acc = v;
            }
          }
          store<f32>(dst + (<usize>c << 2), acc);
        }
      }
    }
  }
}
