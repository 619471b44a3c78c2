// Analog crossbar MVM host side (DESIGN §2, §2.2): ADC ranges and steps from the config, and AnalogBlock, the analog
// view of one programmed rectangle of cells, which prepares the block once (assembly/analog.ts analogPrepare*) and
// runs the GEMM-shaped kernel per batch. Validation happens here; the kernel trusts its arguments.
import { arena, type Arena, type WasmArray, wasmKernels, type WasmRng } from '../wasm/index.js';
import type { HardwareConfig } from './config.js';
import { cellsPerWeight, levelSpacingUS, magnitudeSlices, maxLevel, signCells, weightOffset } from './derived.js';
import { maxInputInt } from './quantize.js';
import { normalTable } from '../wasm/index.js';

export type MvmConfig = Pick<HardwareConfig, 'weights' | 'cells' | 'io' | 'device' | 'crossbar'>;

/** A block of cells inside a row-major array. */
export interface BlockGeometry {
  /** Logical rows (inputs) and logical columns (outputs) of the block. */
  rows: number;
  nOut: number;
  /** Cells per physical row of the array the block lives in (≥ nOut·cpw). */
  stride: number;
}

export function checkGeometry(c: MvmConfig, g: BlockGeometry, length: number, what: string): void {
  const cpw = cellsPerWeight(c);
  if (!Number.isInteger(g.rows) || !Number.isInteger(g.nOut) || g.rows < 1 || g.nOut < 1) {
    throw new Error(`${what}: block of ${g.rows} × ${g.nOut} weights is invalid`);
  }
  if (g.stride < g.nOut * cpw) throw new Error(`${what}: stride ${g.stride} is smaller than the block's ${g.nOut * cpw} physical columns`);
  if ((g.rows - 1) * g.stride + g.nOut * cpw > length) {
    throw new Error(`${what}: ${length} cells are too few for ${g.rows} rows × ${g.nOut * cpw} columns at stride ${g.stride}`);
  }
}

/**
 * CrossSim's input correction of the GRANULAR range, 2^n/(2^n − 1) for n-bit unsigned inputs (2^(n−1)/(2^(n−1) − 1)
 * signed): its ADC step is one level unit times this factor.
 */
export function granularCorrection(c: Pick<HardwareConfig, 'io'>): number {
  const n = c.io.inputSigned ? c.io.inputBits - 1 : c.io.inputBits;
  return 2 ** n / (2 ** n - 1);
}

/**
 * ADC step per slice (level units × digit units) and the largest code, following the config's range policy
 * (DESIGN §2): 2^adcBits − 1 levels symmetric around 0 with step 2H/(2^adcBits − 2). `max`: H = rows × top level ×
 * largest digit; `calibrated`: H per slice, given or calibrated; `granular`: CrossSim's GRANULAR, step =
 * granularCorrection level units. adcBits = 0: no ADC (steps are 0).
 */
export function adcSteps(c: MvmConfig, blockRows: number, ranges?: ArrayLike<number> | null): { steps: Float64Array; half: number } {
  const slices = magnitudeSlices(c);
  const steps = new Float64Array(slices);
  if (c.io.adcBits === 0) return { steps, half: 0 };
  const half = 2 ** (c.io.adcBits - 1) - 1;
  const levelsHalfRange = 2 ** c.io.adcBits - 2;
  const magBits = c.io.inputSigned ? c.io.inputBits - 1 : c.io.inputBits;
  const maxDigit = Math.min(2 ** c.io.dacBits - 1, 2 ** magBits - 1);
  const maxInputVal = c.io.adcPerInputBit ? maxDigit : 2 ** magBits - 1;
  for (let s = 0; s < slices; s++) {
    let H: number;
    if (c.io.adcRange === 'granular') {
      steps[s] = granularCorrection(c);
      continue;
    } else if (c.io.adcRange === 'calibrated') {
      const given = ranges ?? c.io.adcRanges;
      if (!given) throw new Error('io.adcRange is "calibrated" but no ranges were given or calibrated; call calibrateAdc() on sample inputs or set io.adcRanges');
      H = given[s]!;
    } else {
      H = blockRows * maxLevel(c) * maxInputVal;
    }
    // a 1-bit ADC only tells the sign: one level at ±H
    steps[s] = levelsHalfRange <= 0 ? H : (2 * H) / levelsHalfRange;
  }
  return { steps, half: Math.max(half, 1) };
}

export const NOISE_CODE = { none: 0, pair: 1, device: 2 } as const;
const PARAM_STEP0 = 18;

const k = () => wasmKernels('mvmAnalog', 'mvmIdeal');

/** The kernel's read-noise model and per-device σ parameters for a config (proportional: σ = relative·G). */
export function noiseSetup(c: MvmConfig): { noise: keyof typeof NOISE_CODE; relative: number; absolute: number } {
  const { relative, absoluteUS } = c.device.readNoise;
  const model = c.device.readNoise.model;
  const absolute = model === 'proportional' ? 0 : absoluteUS;
  if (relative === 0 && absolute === 0) return { noise: 'none', relative: 0, absolute: 0 };
  return { noise: model === 'pair' ? 'pair' : 'device', relative, absolute };
}

/** Whether the exact (integer) path's i16 column sums cannot overflow for this block height. */
export function intPathAllowed(c: MvmConfig, rows: number): boolean {
  const magBits = c.io.inputSigned ? c.io.inputBits - 1 : c.io.inputBits;
  const maxDigit = Math.min(2 ** c.io.dacBits - 1, 2 ** magBits - 1);
  return rows * maxLevel(c) * maxDigit <= 32767;
}

/** Rows the exact path may sum in i8 lanes before widening: |partial| ≤ 127 with unit digits; 0 = not at all. */
function int8Run(c: MvmConfig): number {
  return Math.floor(127 / maxLevel(c));
}

/** Whether per-digit ADC codes, weighted by their digit and summed over digits, stay within i32. */
function codesFitI32(c: MvmConfig, half: number): boolean {
  const magBits = c.io.inputSigned ? c.io.inputBits - 1 : c.io.inputBits;
  return c.io.adcBits > 0 && c.io.adcPerInputBit && half * (2 ** magBits - 1) <= 2 ** 31 - 1;
}

const paddedColumns = (nOut: number, slices: number): number => Math.ceil((nOut * slices) / 16) * 16;

/**
 * Analog view of a block: conductances (µS, f32) in wasm memory with the block geometry (the block's first cell at
 * `offsetElements`), the levels the cells are meant to hold (for the exact path; null = never exact), and for the
 * offset scheme the reference column (row i's reference cell at index i·stride). Prepared once per programmed state.
 */
export class AnalogBlock {
  readonly exact: boolean;
  readonly pp: number;
  private readonly mats: WasmArray<'u32'>;
  private readonly noise: keyof typeof NOISE_CODE;

  constructor(readonly config: MvmConfig, readonly conductances: WasmArray<'f32'>, readonly geometry: BlockGeometry,
    readonly reference: WasmArray<'f32'> | null = null, owner: Arena = arena, readonly offsetElements = 0,
    levels: WasmArray<'u8'> | null = null) {
    const g = geometry, c = config;
    checkGeometry(c, g, conductances.length - offsetElements, 'AnalogBlock');
    if (levels) checkGeometry(c, g, levels.length, 'AnalogBlock levels');
    if (c.cells.sign === 'offset' && !reference) {
      throw new Error('AnalogBlock: the offset scheme needs the reference column conductances (one per row)');
    }
    if (reference && reference.length < (g.rows - 1) * g.stride + 1) {
      throw new Error(`AnalogBlock: reference column has ${reference.length} cells, fewer than the block needs`);
    }
    const slices = magnitudeSlices(c), sc = signCells(c), pp = paddedColumns(g.nOut, slices);
    const dG = levelSpacingUS(c), gPtr = conductances.ptr + offsetElements * 4, refPtr = reference?.ptr ?? 0;
    const setup = noiseSetup(c);
    this.noise = setup.noise;
    this.pp = pp;
    this.exact = setup.noise !== 'device' && levels !== null && intPathAllowed(c, g.rows) &&
      k().analogIsExact(levels.ptr, gPtr, g.stride, g.rows, g.nOut * cellsPerWeight(c), refPtr, c.device.gMinUS, dG) === 1;
    const n = g.rows * pp;
    const ptrs = new Array<number>(9).fill(0);
    const f32 = () => owner.alloc('f32', n, false).ptr;
    if (this.exact) {
      const d = owner.alloc('i8', n, false);
      k().analogPrepareInt(levels!.ptr, g.stride, g.rows, g.nOut, slices, sc, pp, d.ptr);
      ptrs[0] = d.ptr;
    }
    const pair = setup.noise === 'pair', device = setup.noise === 'device';
    if (!this.exact && !device) ptrs[0] = f32();
    if (pair) ptrs[1] = f32();
    if (device) { ptrs[2] = f32(); ptrs[3] = sc === 2 ? f32() : 0; ptrs[4] = f32(); ptrs[5] = sc === 2 ? f32() : 0; }
    if (refPtr && pair) ptrs[6] = owner.alloc('f32', g.rows, false).ptr;
    if (refPtr && device) { ptrs[7] = owner.alloc('f32', g.rows, false).ptr; ptrs[8] = owner.alloc('f32', g.rows, false).ptr; }
    if (!this.exact || pair) {
      // the exact path still needs V; its D from analogPrepareInt stays (analogPrepareF32 writes D only when asked)
      const dPtr = this.exact ? owner.alloc('f32', n, false).ptr : ptrs[0]!;
      k().analogPrepareF32(gPtr, g.stride, g.rows, g.nOut, slices, sc, pp, refPtr, Math.fround(1 / dG), setup.relative,
        setup.absolute, NOISE_CODE[setup.noise], dPtr, ptrs[1]!, ptrs[2]!, ptrs[3]!, ptrs[4]!, ptrs[5]!, ptrs[6]!, ptrs[7]!, ptrs[8]!);
    }
    this.mats = owner.from('u32', ptrs);
  }

  /**
   * Analog MVM of batch × rows input integers; result in integer-equivalent units (f64, batch × nOut), into `out`
   * (≥ batch·nOut long) when given.
   */
  mvm(x: ArrayLike<number>, batch: number, rng: WasmRng, adcRanges?: ArrayLike<number> | null, scratch: Arena = arena,
    out?: Float64Array): Float64Array {
    const g = this.geometry;
    return scratch.scoped((a) => {
      const xs = stageInputs(a, x, batch, g.rows, this.config);
      const y = a.alloc('f64', batch * g.nOut, false);
      if (maxInputInt(this.config) <= 32767) {
        // i16 lanes read eight rows at a time
        const kPad = Math.ceil(g.rows / 8) * 8, x16 = a.alloc('i16', batch * kPad, false);
        k().packInputsI16(xs.ptr, batch, g.rows, x16.ptr, kPad);
        this.run(a, x16.ptr, false, kPad, batch, rng, adcRanges ?? null, y.ptr);
      } else {
        this.run(a, xs.ptr, true, g.rows, batch, rng, adcRanges ?? null, y.ptr);
      }
      return resultInto(y.view, out);
    });
  }

  /**
   * The kernel on inputs already in wasm memory: batch vectors of xStride values (i32 when wide, else i16), the
   * block's rows first; y receives batch × nOut f64.
   */
  run(a: Arena, xPtr: number, wide: boolean, xStride: number, batch: number, rng: WasmRng, adcRanges: ArrayLike<number> | null, yPtr: number): void {
    const c = this.config, g = this.geometry;
    const { steps, half } = adcSteps(c, g.rows, adcRanges);
    const prm = new Float64Array(PARAM_STEP0 + steps.length);
    prm.set([g.rows, g.nOut, magnitudeSlices(c), c.cells.cellBits, this.pp, this.exact ? 1 : 0, NOISE_CODE[this.noise],
      c.cells.sign === 'offset' ? 1 : 0, c.io.inputBits, c.io.dacBits, c.io.inputSigned ? 1 : 0, half,
      c.io.adcBits > 0 ? 1 : 0, c.io.adcPerInputBit ? 1 : 0, weightOffset(c), xStride, int8Run(c), codesFitI32(c, half) ? 1 : 0]);
    prm.set(steps, PARAM_STEP0);
    const mark = a.mark();
    try {
      const p = a.from('f64', prm), table = normalTableIn(a);
      const work = a.alloc('u8', k().analogWorkBytes(g.rows, this.pp), false);
      k().analogMvm(p.ptr, xPtr, wide ? 1 : 0, batch, this.mats.ptr, rng.ptr, table, work.ptr, yPtr);
    } finally {
      a.release(mark);
    }
  }
}

function normalTableIn(a: Arena): number {
  return a.from('f32', normalTable()).ptr;
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

/** A kernel result out of wasm memory: copied into `out` (a caller's reused buffer) or into a fresh array. */
export function resultInto<T extends Int32Array | Float64Array>(view: T, out: T | undefined): T {
  if (!out) return view.slice() as T;
  if (out.length < view.length) throw new Error(`MVM output buffer holds ${out.length} values, fewer than the ${view.length} results`);
  out.set(view);
  return out.subarray(0, view.length) as T;
}
