// Plain-TS twin of assembly/mvm.ts maxPool2dF32: max pooling of a batch of HWC images, element by element.

/** The fields of a pooling window geometry the kernel reads (src/mapping/types.ts WindowGeometry has them). */
export interface RefPoolGeometry {
  inH: number; inW: number; inC: number; kh: number; kw: number; strideH: number; strideW: number;
  padTop: number; padLeft: number; outH: number; outW: number;
}

/**
 * Each output is the max over its window's cells inside the input in row-major window order, with
 * `if (v > acc) acc = v` from −∞ (an empty window gives −∞, NaN never wins, the first of equal ±0 stays).
 */
export function refMaxPool2d(x: Float32Array, batch: number, g: RefPoolGeometry): Float32Array {
  const { inH, inW, inC: C, outH, outW } = g;
  const out = new Float32Array(batch * outH * outW * C);
  for (let b = 0; b < batch; b++) {
    const xOff = b * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * g.strideH - g.padTop;
      const yLo = Math.max(y0, 0), yHi = Math.min(y0 + g.kh, inH);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * g.strideW - g.padLeft;
        const xLo = Math.max(x0, 0), xHi = Math.min(x0 + g.kw, inW);
        const dst = ((b * outH + oy) * outW + ox) * C;
        for (let c = 0; c < C; c++) {
          let acc = -Infinity;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const v = x[xOff + (iy * inW + ix) * C + c]!;
              if (v > acc) acc = v;
            }
          }
          out[dst + c] = acc;
        }
      }
    }
  }
  return out;
}
