// Crossbar MVM ops: validate in TS, then call the wasm kernels (assembly/mvm.ts). Two levels, after CrossSim's core
// hierarchy: a CrossbarBlock is one programmed rectangle of cells (a tile, or a block placed by XAMM/BLM) with its
// ideal and analog MVM; a TiledCore splits a K × N weight matrix over crossbars and adds the partial sums digitally.
import { arena, type Arena, type WasmArray, wasmKernels, WasmRng, StreamPurpose, streamId } from '../wasm/index.js';
import type { HardwareConfig } from './config.js';
import {
  cellsPerWeight, levelConductanceUS, levelSpacingUS, magnitudeSlices, maxLevel, maxWeightInt, signCells,
  tileCols, tileRows, weightOffset,
} from './derived.js';
import { encodeLevels } from './encode.js';
import { maxInputInt } from './quantize.js';
import {
  AnalogBlock, checkGeometry, checkInputInts, resultInto, stageInputs, type BlockGeometry, type MvmConfig,
} from './analog.js';

export {
  AnalogBlock, adcSteps, checkInputInts, granularCorrection, intPathAllowed, noiseSetup, stageInputs,
  type BlockGeometry, type MvmConfig,
} from './analog.js';

const k = () => wasmKernels('mvmIdeal');

/** Largest |effective weight| any level pattern can compose to (bounds the integer accumulators). */
function composedBound(c: MvmConfig): number {
  const span = 2 ** (c.cells.cellBits * magnitudeSlices(c)) - 1;
  return Math.max(span - weightOffset(c), weightOffset(c));
}

/** Precomputed transposed integer weights of a block, for the ideal path. */
export class IdealWeights {
  constructor(readonly wt: WasmArray<'i16'> | WasmArray<'i32'>, readonly rows: number, readonly nOut: number,
    readonly kPad: number, readonly wide: boolean, readonly config: MvmConfig) {}

  /** y = x·W (exact integers) for x of batch × rows input integers; into `out` (≥ batch·nOut long) when given. */
  mvm(x: ArrayLike<number>, batch: number, scratch: Arena = arena, out?: Int32Array): Int32Array {
    return scratch.scoped((a) => {
      const staged = stageInputs(a, x, batch, this.rows, this.config);
      const y = a.alloc('i32', batch * this.nOut, false);
      if (this.wide) {
        const xs = a.alloc('i32', batch * this.kPad, false);
        k().packInputsI32(staged.ptr, batch, this.rows, xs.ptr, this.kPad);
        k().mvmIdealI32(xs.ptr, this.wt.ptr, batch, this.kPad, this.nOut, y.ptr);
      } else {
        const xs = a.alloc('i16', batch * this.kPad, false);
        k().packInputsI16(staged.ptr, batch, this.rows, xs.ptr, this.kPad);
        k().mvmIdealI16(xs.ptr, this.wt.ptr, batch, this.kPad, this.nOut, y.ptr);
      }
      return resultInto(y.view, out);
    });
  }
}

/** Geometry of a block of cells inside a larger row-major array. */
/** Whether the ideal path's composed weights or inputs overflow i16 lanes (then it runs on i32; the config decides). */
export function idealNeedsI32(c: MvmConfig): boolean {
  return composedBound(c) > 32767 || maxInputInt(c) > 32767;
}

/** Builds the ideal-path weights of a block from its levels (u8, in wasm memory or a JS array copied in). */
export function composeIdeal(c: MvmConfig, levels: WasmArray<'u8'> | Uint8Array, g: BlockGeometry, owner: Arena = arena): IdealWeights {
  checkGeometry(c, g, levels.length, 'composeIdeal');
  const wbound = composedBound(c);
  const wide = idealNeedsI32(c);
  if (g.rows * wbound * maxInputInt(c) > 2 ** 31 - 1) {
    throw new Error(`ideal MVM: ${g.rows} rows × inputs up to ${maxInputInt(c)} × weights up to ${wbound} could overflow 32-bit ` +
      'accumulators; use fewer crossbar rows, fewer input bits or fewer weight bits');
  }
  const kPad = Math.ceil(g.rows / 8) * 8;
  const wt = wide ? owner.alloc('i32', g.nOut * kPad) : owner.alloc('i16', g.nOut * kPad);
  const run = (ptr: number) => {
    const fn = wide ? k().composeWeightsI32 : k().composeWeightsI16;
    fn(ptr, g.stride, g.rows, g.nOut, magnitudeSlices(c), signCells(c), c.cells.cellBits, weightOffset(c), wt.ptr, kPad);
  };
  if (levels instanceof Uint8Array) {
    arena.scoped((a) => run(a.from('u8', levels).ptr));
  } else {
    run(levels.ptr);
  }
  return new IdealWeights(wt, g.rows, g.nOut, kPad, wide, c);
}

/** A block of levels with sample input integers for ADC calibration. */
export interface CalibrationBlock {
  levels: Uint8Array;
  geometry: BlockGeometry;
  /** count × rows input integers. */
  inputs: Int32Array;
  count: number;
}

/**
 * Calibrates one ADC half range per weight slice (DESIGN §2: shared by all input bits and all tiles): the largest
 * |slice value| any block produces on the sample inputs, per input digit (or of the digit-accumulated value when
 * io.adcPerInputBit is false), in level units. Computed exactly with the ideal kernel: a slice's matrix is the
 * block with every other slice zeroed, an input digit plane is the inputs' digit d.
 */
export function calibrateAdcRanges(c: MvmConfig, blocks: readonly CalibrationBlock[]): Float64Array {
  const slices = magnitudeSlices(c), sc = signCells(c), cpw = cellsPerWeight(c);
  const magBits = c.io.inputSigned ? c.io.inputBits - 1 : c.io.inputBits;
  const dac = c.io.dacBits, digits = Math.ceil(magBits / dac), mask = 2 ** dac - 1;
  const H = new Float64Array(slices);
  for (const blk of blocks) {
    const g = blk.geometry;
    checkGeometry(c, g, blk.levels.length, 'calibrateAdcRanges');
    checkInputInts(blk.inputs, blk.count, g.rows, c, 'calibration inputs');
    const kPad = Math.ceil(g.rows / 8) * 8, M = blk.count;
    // mark/release rather than arena.scoped: a closure per block would be re-optimized by V8 on every call
    const a = arena, mark = a.mark();
    try {
      const planes = a.alloc('i16', digits * M * kPad);
      const pv = planes.view;
      const inputs = blk.inputs, rows = g.rows;
      // input integers are < 2^31 (checkInputInts), so the digit shift is exact in int32
      for (let d = 0; d < digits; d++) {
        const shift = d * dac;
        for (let m = 0; m < M; m++) {
          const src = m * rows, dst = (d * M + m) * kPad;
          for (let i = 0; i < rows; i++) {
            const v = inputs[src + i]!;
            const dv = ((v < 0 ? -v : v) >>> shift) & mask;
            pv[dst + i] = v < 0 ? -dv : dv;
          }
        }
      }
      const one = a.alloc('u8', blk.levels.length, false);
      const wt = a.alloc('i16', g.nOut * kPad, false);
      const y = a.alloc('i32', M * g.nOut, false);
      const acc = new Float64Array(M * g.nOut);
      for (let s = 0; s < slices; s++) {
        const lv = one.view;
        lv.fill(0);
        for (let i = 0; i < g.rows; i++) {
          for (let j = 0; j < g.nOut; j++) {
            for (let k2 = 0; k2 < sc; k2++) {
              const at = i * g.stride + j * cpw + s * sc + k2;
              lv[at] = blk.levels[at]!;
            }
          }
        }
        k().composeWeightsI16(one.ptr, g.stride, g.rows, g.nOut, slices, sc, c.cells.cellBits, 0, wt.ptr, kPad);
        const unit = 2 ** (s * c.cells.cellBits);
        acc.fill(0);
        for (let d = 0; d < digits; d++) {
          k().mvmIdealI16(planes.ptr + d * M * kPad * 2, wt.ptr, M, kPad, g.nOut, y.ptr);
          const yv = y.view;
          for (let t = 0; t < yv.length; t++) {
            const v = yv[t]! / unit;
            if (c.io.adcPerInputBit) { if (Math.abs(v) > H[s]!) H[s] = Math.abs(v); } else acc[t] = acc[t]! + v * 2 ** (d * dac);
          }
        }
        if (!c.io.adcPerInputBit) for (let t = 0; t < acc.length; t++) if (Math.abs(acc[t]!) > H[s]!) H[s] = Math.abs(acc[t]!);
      }
    } finally {
      a.release(mark);
    }
  }
  for (let s = 0; s < slices; s++) if (!(H[s]! > 0)) H[s] = 1;
  return H;
}

/** Conductances a level pattern would have on a perfectly programmed device (µS). */
export function idealConductances(c: Pick<HardwareConfig, 'cells' | 'device'>, levels: ArrayLike<number>): Float32Array {
  const out = new Float32Array(levels.length);
  for (let i = 0; i < levels.length; i++) out[i] = levelConductanceUS(c, levels[i]!);
  return out;
}

export interface CoreTile {
  /** First logical row / column of the matrix this tile holds, and its size. */
  row0: number; rows: number; col0: number; cols: number;
  /** Cell levels, rows × cols·cpw (row-major, compact), and their copy in wasm memory (the analog exact path). */
  levels: Uint8Array;
  levelsW: WasmArray<'u8'>;
  ideal: IdealWeights;
  /** Conductances in wasm memory (same layout as levels) and the analog view over them. */
  conductances: WasmArray<'f32'>;
  reference: WasmArray<'f32'> | null;
  analog: AnalogBlock;
}

/**
 * A K × N integer weight matrix split over crossbar tiles (tileRows × tileCols logical weights each); partial sums
 * of the tiles are added digitally. Conductances start at the ideal level values and can be replaced with what a
 * programming simulation left (setConductances).
 */
export class TiledCore {
  readonly tiles: CoreTile[] = [];
  private analogCalls = 0;
  adcRanges: Float64Array | null = null;

  constructor(readonly config: MvmConfig, readonly ints: Int32Array, readonly K: number, readonly N: number, readonly owner: Arena = arena) {
    if (ints.length !== K * N) throw new Error(`TiledCore: ${ints.length} weights do not match ${K} × ${N}`);
    const tr = tileRows(config), tc = tileCols(config), cpw = cellsPerWeight(config);
    const needed = Math.ceil(K / tr) * Math.ceil(N / tc);
    const pool = config.crossbar.numCrossbars;
    if (pool !== null && needed > pool) {
      throw new Error(`a ${K} × ${N} matrix needs ${needed} crossbars of ${tr} × ${tc} weights but the pool has ${pool}; ` +
        'raise crossbar.numCrossbars or use larger crossbars');
    }
    for (let r0 = 0; r0 < K; r0 += tr) {
      for (let c0 = 0; c0 < N; c0 += tc) {
        const rows = Math.min(tr, K - r0), cols = Math.min(tc, N - c0);
        const sub = new Int32Array(rows * cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sub[i * cols + j] = ints[(r0 + i) * N + c0 + j]!;
        const levels = encodeLevels(sub, rows, cols, config);
        const geom = { rows, nOut: cols, stride: cols * cpw };
        const ideal = composeIdeal(config, levels, geom, owner);
        const conductances = owner.from('f32', idealConductances(config, levels));
        const reference = config.cells.sign === 'offset'
          ? owner.from('f32', idealConductances(config, stridedZeros(rows, geom.stride))) : null;
        const levelsW = owner.from('u8', levels);
        const analog = new AnalogBlock(config, conductances, geom, reference, owner, 0, levelsW);
        this.tiles.push({ row0: r0, rows, col0: c0, cols, levels, levelsW, ideal, conductances, reference, analog });
      }
    }
  }

  get crossbars(): number { return this.tiles.length; }

  /** Replaces a tile's conductances (e.g. with the pool state after programming) and refreshes its noise model. */
  setConductances(tile: number, g: ArrayLike<number>): void {
    const t = this.tiles[tile];
    if (!t) throw new Error(`TiledCore.setConductances: no tile ${tile} (there are ${this.tiles.length})`);
    t.conductances.set(g);
    t.analog = new AnalogBlock(this.config, t.conductances, t.analog.geometry, t.reference, this.owner, 0, t.levelsW);
  }

  /** Exact integer x·W, adding tile partial sums digitally. */
  mvmIdeal(x: ArrayLike<number>, batch: number): Int32Array {
    checkInputInts(x, batch, this.K, this.config);
    const y = new Int32Array(batch * this.N);
    for (const t of this.tiles) {
      const part = t.ideal.mvm(sliceColumns(x, batch, this.K, t.row0, t.rows), batch);
      for (let b = 0; b < batch; b++) for (let j = 0; j < t.cols; j++) y[b * this.N + t.col0 + j]! += part[b * t.cols + j]!;
    }
    return y;
  }

  /**
   * Analog x·W. Each tile draws read noise from its own stream (seed, tile, call counter), so results do not depend
   * on tile order and the same seed reproduces them exactly. With io.adcRange = "calibrated" and no ranges given or
   * calibrated yet (calibrateAdc), the ranges are calibrated on this first batch.
   */
  mvmAnalog(x: ArrayLike<number>, batch: number, seed: number): Float64Array {
    checkInputInts(x, batch, this.K, this.config);
    // a calibrated ADC with no ranges yet is calibrated on the first batch it converts
    if (this.config.io.adcRange === 'calibrated' && this.config.io.adcRanges === null && !this.adcRanges) this.calibrateAdc(x, batch);
    const call = this.analogCalls++;
    const y = new Float64Array(batch * this.N);
    this.tiles.forEach((t, ti) => {
      arena.scoped((a) => {
        const rng = new WasmRng(seed, streamId(StreamPurpose.readNoise, ti, call), a);
        const part = t.analog.mvm(sliceColumns(x, batch, this.K, t.row0, t.rows), batch, rng, this.adcRanges, a);
        for (let b = 0; b < batch; b++) for (let j = 0; j < t.cols; j++) y[b * this.N + t.col0 + j]! += part[b * t.cols + j]!;
      });
    });
    return y;
  }

  /** Restarts the analog call counter (so a repeated experiment with the same seed draws the same noise). */
  resetNoise(): void { this.analogCalls = 0; }

  /**
   * Calibrates one ADC half range per slice on sample inputs: the largest |slice value| any tile produces for any
   * digit (or accumulated value), from the ideal levels. Shared by all input bits and all tiles (DESIGN §2).
   */
  calibrateAdc(x: ArrayLike<number>, batch: number): Float64Array {
    checkInputInts(x, batch, this.K, this.config);
    const cpw = cellsPerWeight(this.config);
    this.adcRanges = calibrateAdcRanges(this.config, this.tiles.map((t) => ({
      levels: t.levels, geometry: { rows: t.rows, nOut: t.cols, stride: t.cols * cpw },
      inputs: sliceColumns(x, batch, this.K, t.row0, t.rows), count: batch,
    })));
    return this.adcRanges;
  }
}

function stridedZeros(rows: number, stride: number): Uint8Array {
  return new Uint8Array(rows * stride);
}

/** Columns [from, from+count) of a batch × width row-major array. */
function sliceColumns(x: ArrayLike<number>, batch: number, width: number, from: number, count: number): Int32Array {
  const out = new Int32Array(batch * count);
  for (let b = 0; b < batch; b++) for (let i = 0; i < count; i++) out[b * count + i] = x[b * width + from + i]!;
  return out;
}

/** Integer reference: y = x·W for row-major x (batch × K) and W (K × N). */
export function integerMatmul(x: ArrayLike<number>, batch: number, w: ArrayLike<number>, K: number, N: number): Float64Array {
  const y = new Float64Array(batch * N);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < K; i++) {
      const xi = x[b * K + i]!;
      if (xi === 0) continue;
      for (let j = 0; j < N; j++) y[b * N + j]! += xi * w[i * N + j]!;
    }
  }
  return y;
}

export { maxWeightInt };
