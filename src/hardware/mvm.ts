// Crossbar MVM ops: validate in TS, then call the wasm kernels (assembly/mvm.ts). Two levels, after CrossSim's core
// hierarchy: a CrossbarBlock is one programmed rectangle of cells (a tile, or a block placed by XAMM/BLM) with its
// ideal and analog MVM; a TiledCore splits a K × N weight matrix over crossbars and adds the partial sums digitally.
import { arena, type Arena, type WasmArray, wasm, WasmRng, StreamPurpose, streamId } from '../wasm/index.js';
import type { HardwareConfig } from './config.js';
import {
  cellsPerWeight, levelConductanceUS, levelSpacingUS, magnitudeSlices, maxLevel, maxWeightInt, signCells,
  tileCols, tileRows, weightOffset,
} from './derived.js';
import { encodeLevels } from './encode.js';
import { maxInputInt } from './quantize.js';

interface MvmKernels {
  composeWeightsI16(levels: number, stride: number, rows: number, nOut: number, slices: number, signCells: number,
    cellBits: number, offset: number, wt: number, kPad: number): void;
  composeWeightsI32(levels: number, stride: number, rows: number, nOut: number, slices: number, signCells: number,
    cellBits: number, offset: number, wt: number, kPad: number): void;
  mvmIdealI16(x: number, wt: number, batch: number, kPad: number, nOut: number, y: number): void;
  mvmIdealI32(x: number, wt: number, batch: number, kPad: number, nOut: number, y: number): void;
  firstOutOfRange(ptr: number, n: number, lo: number, hi: number): number;
  packInputsI16(src: number, batch: number, rows: number, dst: number, kPad: number): void;
  packInputsI32(src: number, batch: number, rows: number, dst: number, kPad: number): void;
  readNoiseVariance(g: number, stride: number, rows: number, cols: number, relative: number, absolute: number,
    out: number, outStride: number): void;
  mvmAnalog(x: number, batch: number, rows: number, g: number, stride: number, sig2: number, gRef: number,
    sig2Ref: number, nOut: number, slices: number, signCells: number, cellBits: number, dG: number, inputBits: number,
    dacBits: number, inputSigned: number, adcStep: number, adcHalf: number, adcPerDigit: number, offset: number,
    rng: number, work: number, y: number): void;
}
const k = (): MvmKernels => wasm() as unknown as MvmKernels;

export type MvmConfig = Pick<HardwareConfig, 'weights' | 'cells' | 'io' | 'device' | 'crossbar'>;

/** Largest |effective weight| any level pattern can compose to (bounds the integer accumulators). */
function composedBound(c: MvmConfig): number {
  const span = 2 ** (c.cells.cellBits * magnitudeSlices(c)) - 1;
  return Math.max(span - weightOffset(c), weightOffset(c));
}

function inputError(v: number, index: number, c: Pick<HardwareConfig, 'io'>, what: string): Error {
  const qmax = maxInputInt(c), lo = c.io.inputSigned ? -qmax : 0;
  return new Error(`${what}[${index}] = ${v} is not a ${c.io.inputBits}-bit ${c.io.inputSigned ? 'signed' : 'unsigned'} ` +
    `input integer (${lo}..${qmax}); quantize inputs with quantizeInputs() first`);
}

function checkBatch(x: ArrayLike<number>, batch: number, rows: number, what: string): void {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`${what}: batch must be a positive integer, got ${batch}`);
  if (x.length !== batch * rows) {
    throw new Error(`${what}: ${x.length} values do not match batch ${batch} × ${rows} rows (= ${batch * rows}); ` +
      'each input vector needs one value per crossbar row');
  }
}

/** Validates input integers in plain TS (shape, integrality, range). */
export function checkInputInts(x: ArrayLike<number>, batch: number, rows: number, c: Pick<HardwareConfig, 'io'>, what = 'inputs'): void {
  checkBatch(x, batch, rows, what);
  const qmax = maxInputInt(c), lo = c.io.inputSigned ? -qmax : 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isInteger(v) || v < lo || v > qmax) throw inputError(v, i, c, what);
  }
}

/**
 * Copies inputs into wasm memory as i32 and validates them there (an Int32Array is integral by type, so only its
 * range needs checking, which the kernel does at memory speed).
 */
export function stageInputs(a: Arena, x: ArrayLike<number>, batch: number, rows: number, c: Pick<HardwareConfig, 'io'>, what = 'inputs'): WasmArray<'i32'> {
  if (!(x instanceof Int32Array)) {
    checkInputInts(x, batch, rows, c, what);
    return a.from('i32', x);
  }
  checkBatch(x, batch, rows, what);
  const staged = a.from('i32', x);
  const qmax = maxInputInt(c), lo = c.io.inputSigned ? -qmax : 0;
  const bad = k().firstOutOfRange(staged.ptr, x.length, lo, qmax);
  if (bad >= 0) throw inputError(x[bad]!, bad, c, what);
  return staged;
}

/** ADC step per slice and the largest code, following the config's range policy (DESIGN §2). */
export function adcSteps(c: MvmConfig, blockRows: number, ranges?: ArrayLike<number> | null): { steps: Float64Array; half: number } {
  const slices = magnitudeSlices(c);
  const half = 2 ** (c.io.adcBits - 1) - 1;
  const levelsHalfRange = 2 ** c.io.adcBits - 2;
  const steps = new Float64Array(slices);
  const magBits = c.io.inputSigned ? c.io.inputBits - 1 : c.io.inputBits;
  const maxDigit = Math.min(2 ** c.io.dacBits - 1, 2 ** magBits - 1);
  const maxInputVal = c.io.adcPerInputBit ? maxDigit : 2 ** magBits - 1;
  for (let s = 0; s < slices; s++) {
    let H: number;
    if (c.io.adcRange === 'granular') {
      steps[s] = 1;
      continue;
    } else if (c.io.adcRange === 'calibrated') {
      const given = ranges ?? c.io.adcRanges;
      if (!given) throw new Error('io.adcRange is "calibrated" but no ranges were given or calibrated; call calibrateAdc() on sample inputs or set io.adcRanges');
      H = given[s]!;
    } else {
      H = blockRows * maxLevel(c) * maxInputVal;
    }
    if (levelsHalfRange <= 0) {
      // a 1-bit ADC only tells the sign: one level at ±H
      steps[s] = H;
    } else {
      steps[s] = (2 * H) / levelsHalfRange;
    }
  }
  return { steps, half: Math.max(half, 1) };
}

/** A kernel result out of wasm memory: copied into `out` (a caller's reused buffer) or into a fresh array. */
function resultInto<T extends Int32Array | Float64Array>(view: T, out: T | undefined): T {
  if (!out) return view.slice() as T;
  if (out.length < view.length) throw new Error(`MVM output buffer holds ${out.length} values, fewer than the ${view.length} results`);
  out.set(view);
  return out.subarray(0, view.length) as T;
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
export interface BlockGeometry {
  /** Logical (= physical) rows. */
  rows: number;
  /** Logical columns (weights). */
  nOut: number;
  /** Cells per physical row of the array the block lives in (≥ nOut·cpw). */
  stride: number;
}

function checkGeometry(c: MvmConfig, g: BlockGeometry, length: number, what: string): void {
  const cpw = cellsPerWeight(c);
  if (!Number.isInteger(g.rows) || !Number.isInteger(g.nOut) || g.rows < 1 || g.nOut < 1) {
    throw new Error(`${what}: block of ${g.rows} × ${g.nOut} weights is invalid`);
  }
  if (g.stride < g.nOut * cpw) throw new Error(`${what}: stride ${g.stride} is smaller than the block's ${g.nOut * cpw} physical columns`);
  if ((g.rows - 1) * g.stride + g.nOut * cpw > length) {
    throw new Error(`${what}: ${length} cells are too few for ${g.rows} rows × ${g.nOut * cpw} columns at stride ${g.stride}`);
  }
}

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

/**
 * Analog view of a block: conductances (µS, f32) in wasm memory at `g.ptr` with the block geometry, plus the read
 * noise variances precomputed once per programmed state.
 */
export class AnalogBlock {
  private readonly sig2: WasmArray<'f32'> | null;
  private readonly sig2Ref: WasmArray<'f32'> | null;

  constructor(readonly config: MvmConfig, readonly conductances: WasmArray<'f32'>, readonly geometry: BlockGeometry,
    readonly reference: WasmArray<'f32'> | null = null, owner: Arena = arena, readonly offsetElements = 0) {
    checkGeometry(config, geometry, conductances.length - offsetElements, 'AnalogBlock');
    if (config.cells.sign === 'offset' && !reference) {
      throw new Error('AnalogBlock: the offset scheme needs the reference column conductances (one per row)');
    }
    if (reference && reference.length < (geometry.rows - 1) * geometry.stride + 1) {
      throw new Error(`AnalogBlock: reference column has ${reference.length} cells, fewer than the block needs`);
    }
    const { relative, absoluteUS } = config.device.readNoise;
    const physCols = geometry.nOut * cellsPerWeight(config);
    if (relative > 0 || absoluteUS > 0) {
      this.sig2 = owner.alloc('f32', geometry.rows * geometry.stride);
      k().readNoiseVariance(this.gPtr, geometry.stride, geometry.rows, physCols, relative, absoluteUS, this.sig2.ptr, geometry.stride);
      if (reference) {
        this.sig2Ref = owner.alloc('f32', geometry.rows * geometry.stride);
        k().readNoiseVariance(reference.ptr, geometry.stride, geometry.rows, 1, relative, absoluteUS, this.sig2Ref.ptr, geometry.stride);
      } else {
        this.sig2Ref = null;
      }
    } else {
      this.sig2 = null;
      this.sig2Ref = null;
    }
  }

  private get gPtr(): number { return this.conductances.ptr + this.offsetElements * 4; }

  /**
   * Analog MVM of batch × rows input integers; result in integer-equivalent units (f64, batch × nOut), into `out`
   * (≥ batch·nOut long) when given.
   */
  mvm(x: ArrayLike<number>, batch: number, rng: WasmRng, adcRanges?: ArrayLike<number> | null, scratch: Arena = arena,
    out?: Float64Array): Float64Array {
    const c = this.config, g = this.geometry;
    const { steps, half } = adcSteps(c, g.rows, adcRanges);
    const slices = magnitudeSlices(c), cpw = cellsPerWeight(c);
    return scratch.scoped((a) => {
      const xs = stageInputs(a, x, batch, g.rows, c);
      const st = a.from('f64', steps);
      const work = a.alloc('u8', 8 * g.nOut * cpw + 16 + 8 * g.nOut * slices + 8 * g.rows, false);
      const y = a.alloc('f64', batch * g.nOut, false);
      k().mvmAnalog(xs.ptr, batch, g.rows, this.gPtr, g.stride, this.sig2?.ptr ?? 0, this.reference?.ptr ?? 0,
        this.sig2Ref?.ptr ?? 0, g.nOut, slices, signCells(c), c.cells.cellBits, levelSpacingUS(c), c.io.inputBits,
        c.io.dacBits, c.io.inputSigned ? 1 : 0, st.ptr, half, c.io.adcPerInputBit ? 1 : 0, weightOffset(c), rng.ptr,
        work.ptr, y.ptr);
      return resultInto(y.view, out);
    });
  }
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
  /** Cell levels, rows × cols·cpw (row-major, compact). */
  levels: Uint8Array;
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
        const analog = new AnalogBlock(config, conductances, geom, reference, owner);
        this.tiles.push({ row0: r0, rows, col0: c0, cols, levels, ideal, conductances, reference, analog });
      }
    }
  }

  get crossbars(): number { return this.tiles.length; }

  /** Replaces a tile's conductances (e.g. with the pool state after programming) and refreshes its noise model. */
  setConductances(tile: number, g: ArrayLike<number>): void {
    const t = this.tiles[tile];
    if (!t) throw new Error(`TiledCore.setConductances: no tile ${tile} (there are ${this.tiles.length})`);
    t.conductances.set(g);
    t.analog = new AnalogBlock(this.config, t.conductances, t.analog.geometry, t.reference, this.owner);
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
