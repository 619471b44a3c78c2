// Weight integers ⇄ cell levels (DESIGN §2). A logical K × N block of weight integers becomes K × (N·cpw) cell
// levels, physical column j·cpw + s·signCells + k for logical column j, slice s (least significant first), sign
// cell k (differential: 0 = positive, 1 = negative). Differential: |W| is sliced onto the cell of W's sign, the
// other cell of the pair stays at level 0. Offset: U = W + 2^(weightBits−1) ≥ 1 is sliced onto one cell per slice;
// the crossbar's reference column (level 0) cancels gMin and the offset is removed digitally.
import type { HardwareConfig } from './config.js';
import { cellsPerWeight, magnitudeSlices, maxLevel, maxWeightInt, signCells, weightOffset } from './derived.js';

type EncodingConfig = Pick<HardwareConfig, 'weights' | 'cells'>;

function checkInts(ints: ArrayLike<number>, rows: number, cols: number, c: EncodingConfig): void {
  if (ints.length !== rows * cols) {
    throw new Error(`encode: ${ints.length} weight integers do not match the shape ${rows} × ${cols}`);
  }
  const qmax = maxWeightInt(c);
  for (let i = 0; i < ints.length; i++) {
    const v = ints[i]!;
    if (!Number.isInteger(v) || v > qmax || v < -qmax) {
      throw new Error(`encode: weight integer ${v} at row ${Math.floor(i / cols)}, column ${i % cols} is outside ` +
        `±${qmax} (weightBits = ${c.weights.weightBits}); quantize with quantizeWeights() first`);
    }
  }
}

/** Encodes a row-major rows × cols block of weight integers into rows × (cols·cpw) levels (row-major). */
export function encodeLevels(ints: ArrayLike<number>, rows: number, cols: number, c: EncodingConfig): Uint8Array {
  checkInts(ints, rows, cols, c);
  const slices = magnitudeSlices(c), sc = signCells(c), cpw = cellsPerWeight(c);
  const bits = c.cells.cellBits, mask = (1 << bits) - 1, off = weightOffset(c);
  const physCols = cols * cpw;
  const out = new Uint8Array(rows * physCols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const w = ints[i * cols + j]!;
      const base = i * physCols + j * cpw;
      if (sc === 2) {
        const m = Math.abs(w), k = w < 0 ? 1 : 0;
        for (let s = 0; s < slices; s++) out[base + s * 2 + k] = (m >>> (bits * s)) & mask;
      } else {
        const u = w + off;
        for (let s = 0; s < slices; s++) out[base + s] = (u >>> (bits * s)) & mask;
      }
    }
  }
  return out;
}

/**
 * Decodes levels back to integers: Σ_s 2^(cellBits·s)·(L+ − L−) (differential) or Σ_s 2^(cellBits·s)·L − offset.
 * `stride` is the number of cells per physical row (default cols·cpw) so a block inside a crossbar decodes in place.
 */
export function decodeLevels(levels: ArrayLike<number>, rows: number, cols: number, c: EncodingConfig, stride?: number, start = 0): Int32Array {
  const slices = magnitudeSlices(c), sc = signCells(c), cpw = cellsPerWeight(c);
  const bits = c.cells.cellBits, off = weightOffset(c);
  const rowStride = stride ?? cols * cpw;
  if (start + (rows - 1) * rowStride + cols * cpw > levels.length) {
    throw new Error(`decode: ${levels.length} levels are too few for ${rows} × ${cols} weights of ${cpw} cells (stride ${rowStride})`);
  }
  const out = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const base = start + i * rowStride + j * cpw;
      let w = 0;
      for (let s = slices - 1; s >= 0; s--) {
        let d = levels[base + s * sc]!;
        if (sc === 2) d -= levels[base + s * 2 + 1]!;
        w = w * (1 << bits) + d;
      }
      out[i * cols + j] = w - off;
    }
  }
  return out;
}

/** Checks that every level is a valid level index for the config. */
export function checkLevels(levels: ArrayLike<number>, c: Pick<HardwareConfig, 'cells'>, what = 'levels'): void {
  const top = maxLevel(c);
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (!Number.isInteger(l) || l < 0 || l > top) {
      throw new Error(`${what}[${i}] = ${l} is not a level of a ${c.cells.cellBits}-bit cell (0..${top})`);
    }
  }
}
