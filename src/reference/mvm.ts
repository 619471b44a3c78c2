// Plain-TS reference of the ideal crossbar MVM kernels (assembly/mvm.ts), written the straightforward way: literally
// bit-serial over inputs and slice by slice. The analog path's twin is src/reference/analog.ts.

export interface RefMvmShape {
  rows: number;
  nOut: number;
  slices: number;
  signCells: 1 | 2;
  cellBits: number;
  /** Offset removed digitally (offset scheme), 0 for differential. */
  offset: number;
}

/**
 * Ideal mode, literally: Σ_k Σ_s 2^(k + cellBits·s) Σ_i bit_k(x_i)·(L+ − L−) with 1-bit digits, integer arithmetic
 * (BigInt-free: every partial stays well inside 2^53).
 */
export function refMvmIdeal(x: ArrayLike<number>, batch: number, levels: ArrayLike<number>, stride: number,
  shape: RefMvmShape, inputBits: number, inputSigned: boolean): Float64Array {
  const { rows, nOut, slices, signCells, cellBits, offset } = shape;
  const cpw = slices * signCells;
  const magBits = inputSigned ? inputBits - 1 : inputBits;
  const y = new Float64Array(batch * nOut);
  for (let b = 0; b < batch; b++) {
    let xsum = 0;
    for (let i = 0; i < rows; i++) xsum += x[b * rows + i]!;
    for (let j = 0; j < nOut; j++) {
      let acc = 0;
      for (let k = 0; k < magBits; k++) {
        for (let s = 0; s < slices; s++) {
          let partial = 0;
          for (let i = 0; i < rows; i++) {
            const xi = x[b * rows + i]!;
            const bit = (Math.abs(xi) >>> k) & 1;
            if (!bit) continue;
            const c = i * stride + j * cpw + s * signCells;
            const d = signCells === 2 ? levels[c]! - levels[c + 1]! : levels[c]!;
            partial += xi < 0 ? -d : d;
          }
          acc += partial * 2 ** (k + cellBits * s);
        }
      }
      y[b * nOut + j] = acc - offset * xsum;
    }
  }
  return y;
}

/** Geometry of a convolution window over HWC images (as src/mapping/types.ts WindowGeometry, without padding's name). */
export interface RefWindow {
  inH: number; inW: number; inC: number; kh: number; kw: number; strideH: number; strideW: number;
  padTop: number; padLeft: number; outH: number; outW: number;
}

/**
 * Twin of assembly/mvm.ts im2colI16: rows [row0, row0 + rows) of im2col patches p0 .. p0 + count − 1 of a batch of
 * HWC integer images, as vectors of kPad (zero padded), written the plain way: element by element.
 */
export function refIm2colInts(x: ArrayLike<number>, g: RefWindow, p0: number, count: number, row0: number, rows: number,
  kPad: number): Int16Array {
  const out = new Int16Array(count * kPad);
  const perImage = g.outH * g.outW, imageSize = g.inH * g.inW * g.inC;
  for (let i = 0; i < count; i++) {
    const p = p0 + i, b = Math.floor(p / perImage), oy = Math.floor((p % perImage) / g.outW), ox = p % g.outW;
    for (let r = row0; r < row0 + rows; r++) {
      const c = r % g.inC, kx = Math.floor(r / g.inC) % g.kw, ky = Math.floor(r / (g.inC * g.kw));
      const iy = oy * g.strideH - g.padTop + ky, ix = ox * g.strideW - g.padLeft + kx;
      if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) out[i * kPad + r - row0] = x[b * imageSize + (iy * g.inW + ix) * g.inC + c]!;
    }
  }
  return out;
}
