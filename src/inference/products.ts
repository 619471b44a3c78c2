// Products of one crossbar layer, block by block, following the placement (DESIGN §2.2, §3.2 routing): each block
// takes input rows srcRow.. of its layer, sits at (crossbar, rowOffset, colOffset) in the pool, and adds its outputs
// into columns srcCol.. (negated when the block is stored negated).
//
// The packed path keeps a layer in wasm memory: its input is quantized once (before im2col: quantized 0 is the
// padding's 0), every block's im2col patches are packed into i16 vectors, and the ideal or analog kernel reads them
// there; ideal mode also de-scales and adds bias and ReLU in wasm. The general path (inputs as i32 in JS) serves
// inputs wider than i16 and non-finite inputs (where it names the bad value).
import type { CrossbarPool } from '../hardware/pool.js';
import { AnalogBlock, composeIdeal, idealNeedsI32, type IdealWeights } from '../hardware/mvm.js';
import { cellsPerWeight } from '../hardware/derived.js';
import { encodeLevels } from '../hardware/encode.js';
import type { PlacedBlock } from '../mapping/placement.js';
import { arena, StreamPurpose, streamId, wasmKernels, WasmRng, type Arena } from '../wasm/index.js';
import type { WindowGeometry } from '../mapping/types.js';
import { descale, descaleFactors, type QuantizedLayer, type QuantizedModel } from './quantized-model.js';
import { maxInputInt, quantizeInputs } from '../hardware/quantize.js';
import { applyActivation } from '../mapping/hostops.js';
import { blockInts, blockStart } from './targets.js';

/** Input vectors per kernel call: bounds scratch memory for large conv batches. */
export const CHUNK_VECTORS = 8192;

export type CrossbarMode = 'ideal' | 'analog';

/** What a layer product needs from its engine. */
export interface ProductContext {
  readonly qm: QuantizedModel;
  readonly pool: CrossbarPool | null;
  readonly seed: number;
  blocks(layer: QuantizedLayer): readonly PlacedBlock[];
  /** Index of a block in the placement (its read-noise stream). */
  blockIndex(b: PlacedBlock): number;
  adcRanges(layer: QuantizedLayer): Float64Array | null;
}

const k = () => wasmKernels('inferenceIdeal', 'mvmIdeal');

const DENSE = (K: number): WindowGeometry =>
  ({ inH: 1, inW: 1, inC: K, kh: 1, kw: 1, strideH: 1, strideW: 1, padding: 'valid', padTop: 0, padLeft: 0, outH: 1, outW: 1 });

/** A block's ideal-path weights: from the levels the pool holds, or (no pool) straight from the encoder. */
export function composeBlock(ctx: ProductContext, layer: QuantizedLayer, b: PlacedBlock, owner: Arena): IdealWeights {
  const cfg = layer.config, cpw = cellsPerWeight(cfg), pool = ctx.pool;
  if (pool) {
    const levels = pool.levels().sub(blockStart(pool, b, cpw), (b.rows - 1) * pool.cols + b.cols * cpw);
    return composeIdeal(cfg, levels, { rows: b.rows, nOut: b.cols, stride: pool.cols }, owner);
  }
  return composeIdeal(cfg, encodeLevels(blockInts(ctx.qm, b), b.rows, b.cols, cfg), { rows: b.rows, nOut: b.cols, stride: b.cols * cpw }, owner);
}

/** The analog view of a placed block over the pool's cells (prepared in `owner`), and its read-noise generator. */
export function analogBlockOf(ctx: ProductContext, layer: QuantizedLayer, b: PlacedBlock, call: number, owner: Arena): { block: AnalogBlock; rng: WasmRng } {
  const p = ctx.pool;
  if (!p) throw new Error('analog inference needs the programmed pool: pass the CrossbarPool that holds the model');
  const cfg = layer.config, cpw = cellsPerWeight(cfg);
  const start = blockStart(p, b, cpw), span = (b.rows - 1) * p.cols + b.cols * cpw;
  const ref = cfg.cells.sign === 'offset'
    ? p.conductances().sub((b.crossbar * p.rows + b.rowOffset) * p.cols + p.cols - 1, (b.rows - 1) * p.cols + 1) : null;
  const block = new AnalogBlock(cfg, p.conductances().sub(start, span), { rows: b.rows, nOut: b.cols, stride: p.cols }, ref,
    owner, 0, p.levels().sub(start, span));
  return { block, rng: new WasmRng(ctx.seed, streamId(StreamPurpose.readNoise, ctx.blockIndex(b), call), owner) };
}

/**
 * The packed path: x is M × K row vectors (conv null), or the batch of input images of a Conv2D layer (M = batch).
 * With epilogue, bias and activation are applied. Null when the inputs or (ideal) the composed weights need 32-bit
 * lanes, or an input is not finite: then the general path decides.
 */
export function packedProduct(ctx: ProductContext, layer: QuantizedLayer, x: Float32Array, M: number, conv: WindowGeometry | null,
  epilogue: boolean, mode: CrossbarMode, call: number): Float32Array | null {
  const K = layer.op.rows, N = layer.op.cols, cfg = layer.config;
  const g = conv ?? DENSE(K);
  const P = M * g.outH * g.outW; // patches (= product rows)
  if (maxInputInt(cfg) > 32767 || (mode === 'ideal' && idealNeedsI32(cfg))) return null;
  const blocks = ctx.blocks(layer);
  const mark = arena.mark();
  try {
    const xf = arena.from('f32', x), xq = arena.alloc('i16', x.length + 8); // + 8: im2colI16's slack
    const bad = k().quantizeInputsI16(xf.ptr, x.length, 1 / layer.inputRange, cfg.io.inputSigned ? -1 : 0, maxInputInt(cfg), xq.ptr);
    // a non-finite input: the general path decides (it quantizes only the patches, so a value no window reads is fine)
    if (bad >= 0) return null;
    const acc = arena.alloc('f64', P * N); // zeroed
    const chunk = Math.min(CHUNK_VECTORS, P);
    const ranges = mode === 'analog' ? ctx.adcRanges(layer) : null;
    for (const b of blocks) {
      const inner = arena.mark();
      const ideal = mode === 'ideal' ? composeBlock(ctx, layer, b, arena) : null;
      const analog = mode === 'analog' ? analogBlockOf(ctx, layer, b, call, arena) : null;
      const kPad = ideal ? ideal.kPad : Math.ceil(b.rows / 8) * 8;
      const xs = arena.alloc('i16', chunk * kPad + 8, false);
      const y = ideal ? arena.alloc('i32', chunk * b.cols, false) : arena.alloc('f64', chunk * b.cols, false);
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const count = Math.min(chunk, P - p0);
        k().im2colI16(xq.ptr, g.inH, g.inW, g.inC, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW,
          p0, count, b.srcRow, b.rows, xs.ptr, kPad);
        if (ideal) {
          k().mvmIdealI16(xs.ptr, ideal.wt.ptr, count, kPad, b.cols, y.ptr);
          k().addBlockProduct(y.ptr, count, b.cols, acc.ptr, N, p0, b.srcCol, b.negated ? -1 : 1);
        } else {
          analog!.block.run(arena, xs.ptr, false, kPad, count, analog!.rng, ranges, y.ptr);
          addAnalogProduct(y.view as Float64Array, count, b, acc.view, N, p0);
        }
      }
      arena.release(inner);
    }
    const act = layer.op.activation, fused = epilogue && (act === 'relu' || act === 'linear');
    const factors = arena.from('f64', descaleFactors(layer)), out = arena.alloc('f32', P * N, false);
    const bias = epilogue ? arena.from('f32', layer.op.bias) : null;
    k().descaleBiasF32(acc.ptr, P, N, factors.ptr, bias ? bias.ptr : 0, fused && act === 'relu' ? 1 : 0, out.ptr);
    const yOut = out.view.slice();
    if (epilogue && !fused) applyActivation(act, yOut, N);
    return yOut;
  } finally {
    arena.release(mark);
  }
}

/** acc[(p0 + m)·N + srcCol + j] += ±y[m·cols + j], in the order the general path adds them. */
function addAnalogProduct(y: Float64Array, count: number, b: PlacedBlock, acc: Float64Array, N: number, p0: number): void {
  const sign = b.negated ? -1 : 1;
  for (let m = 0; m < count; m++) {
    const yo = (p0 + m) * N + b.srcCol, po = m * b.cols;
    for (let j = 0; j < b.cols; j++) acc[yo + j] += sign * y[po + j]!;
  }
}

/** Reused across layers and batches: an evaluation otherwise allocates (and the GC reclaims) hundreds of MB per pass. */
export class GeneralBuffers {
  xi = new Int32Array(0);
  yInt = new Float64Array(0);
  gather = new Int32Array(0);
  partIdeal = new Int32Array(0);
  partAnalog = new Float64Array(0);
}

/** The general path: M × K row vectors quantized to i32 in JS, each block's inputs gathered and run through its kernel. */
export function generalProduct(ctx: ProductContext, bufs: GeneralBuffers, layer: QuantizedLayer, x: Float32Array, M: number,
  mode: CrossbarMode, call: number): Float32Array {
  if (bufs.xi.length < x.length) bufs.xi = new Int32Array(x.length);
  const xi = quantizeInputs(x, layer.inputRange, layer.config, `inputs of layer ${layer.op.name}`, bufs.xi);
  if (bufs.yInt.length < M * layer.op.cols) bufs.yInt = new Float64Array(M * layer.op.cols);
  const yInt = bufs.yInt.subarray(0, M * layer.op.cols).fill(0);
  for (const b of ctx.blocks(layer)) {
    const mark = arena.mark();
    try {
      blockProduct(ctx, bufs, layer, b, xi, M, yInt, mode, call);
    } finally {
      arena.release(mark);
    }
  }
  return descale(layer, yInt, M);
}

function blockProduct(ctx: ProductContext, bufs: GeneralBuffers, layer: QuantizedLayer, b: PlacedBlock, xi: Int32Array,
  M: number, yInt: Float64Array, mode: CrossbarMode, call: number): void {
  const K = layer.op.rows, N = layer.op.cols;
  const sign = b.negated ? -1 : 1;
  const a = arena;
  const ideal = mode === 'ideal' ? composeBlock(ctx, layer, b, a) : null;
  const analog = mode === 'analog' ? analogBlockOf(ctx, layer, b, call, a) : null;
  const ranges = analog ? ctx.adcRanges(layer) : null;
  const whole = b.srcRow === 0 && b.rows === K; // the block takes every input row: no gather needed
  const chunk = Math.min(CHUNK_VECTORS, M);
  if (!whole && bufs.gather.length < chunk * b.rows) bufs.gather = new Int32Array(chunk * b.rows);
  if (ideal && bufs.partIdeal.length < chunk * b.cols) bufs.partIdeal = new Int32Array(chunk * b.cols);
  if (!ideal && bufs.partAnalog.length < chunk * b.cols) bufs.partAnalog = new Float64Array(chunk * b.cols);
  for (let m0 = 0; m0 < M; m0 += CHUNK_VECTORS) {
    const count = Math.min(CHUNK_VECTORS, M - m0);
    let xs: Int32Array;
    if (whole) {
      xs = xi.subarray(m0 * K, (m0 + count) * K);
    } else {
      xs = bufs.gather.subarray(0, count * b.rows);
      for (let m = 0; m < count; m++) {
        const from = (m0 + m) * K + b.srcRow;
        xs.set(xi.subarray(from, from + b.rows), m * b.rows);
      }
    }
    const part: ArrayLike<number> = ideal ? ideal.mvm(xs, count, a, bufs.partIdeal)
      : analog!.block.mvm(xs, count, analog!.rng, ranges, a, bufs.partAnalog);
    for (let m = 0; m < count; m++) {
      const yo = (m0 + m) * N + b.srcCol, po = m * b.cols;
      for (let j = 0; j < b.cols; j++) yInt[yo + j] += sign * part[po + j]!;
    }
  }
}
