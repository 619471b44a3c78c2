// MMR — multi-model retraining (DESIGN §3.3). Given K ≥ 2 models (model 0 = "A", the reference;
// models 1.. = "B", "C", …; same or different architectures) and their tasks:
//
//   1. pairing   cut every Dense/Conv2D kernel (K×N) into blocks of blockRows × blockCols logical weights (default:
//                a whole tile, tileRows × tileCols), quantize (each model's own per-layer scale), encode to cell
//                levels and price B-block → A-block with blockCostMatrix (mode 'expected', expectedCostTable(cfg),
//                no negation: a tie must be the *same* integers). Layer matching first: every B layer is paired with
//                at most one A layer by a linear assignment on aggregated costs (a layer pair costs the optimal block
//                assignment within it plus, for every B block left without a partner, a price above any block cost,
//                so that the most blocks get paired, then the cheapest); only blocks of identical shape can pair
//                (edge blocks with edge blocks of the same shape). Then blocks are assigned within paired layers.
//                Each model k ≥ 1 is paired with model 0.
//   2. ties      pairs are ranked by expected cycles per weight (cheapest first; ties → lower cost, then order), and
//                the first `share` of each B model's blocks (or weights, shareUnit) are tied; alternatively the
//                largest share level whose joint retraining keeps every model's validation accuracy within maxDrop
//                points of its baseline. Layers named in `exclude` are never tied. Ties are groups: an A block plus every B block tied to it (K models: a
//                block may be shared by any subset containing model 0).
//   3. scales    one fixed weight scale per group of layers joined by ties: max|w| over them / (2^(wb−1) − 1)
//                (× scaleMargin), own max|w| for the other layers. Tied blocks then hold identical integers iff
//                their float weights quantize alike; the scales are saved in model.json
//                (userDefinedMetadata.ha3m.weightScales) so that import → quantizeModel reproduces the integers.
//   4. training  joint QAT with alternating batches (train.ts round robin). Fake quantization with the fixed scales
//                (clip to ±qmax·scale), straight-through: the model kernels always hold quantize(master); the
//                optimizer updates the kernels, afterStep moves the float master by that update and re-quantizes.
//                Phase 1 adds λ(t)·Σ_tied Σ_other ((W_k[block] − W_m[block]) / scale)² (in LSB², on the quantized
//                weights; λ grows exponentially or linearly to lambdaMax). Then exact equalization (every tied group's
//                masters set to their mean), and phase 2 fine-tunes with the projection to the group mean after
//                every optimizer step (half the learning rate). At the end the tied blocks quantize to identical integers (checked; an error
//                otherwise).
//
//   const r = await mergeModels([{ name: 'mnist', model: a, train, val, test }, { name: 'fashion', model: b, … }],
//                               cfg, { share: 0.9 });
//   await saveMergedModel(a, 'out/A', r.weightScales[0]);
//
// Models with BatchNormalization are refused (the mapper folds BN into the kernel, so the imported integers would
// differ from the trained ones; fold BN into the kernels first, see fold.ts). Models are modified in place.
import * as tf from '@tensorflow/tfjs';
import type { HardwareConfig } from '../hardware/config.js';
import { cellsPerWeight, tileCols, tileRows } from '../hardware/derived.js';
import { encodeLevels } from '../hardware/encode.js';
import { quantizeWeights, weightScale } from '../hardware/quantize.js';
import { blockCostMatrix } from '../matching/cost.js';
import { linearAssignment } from '../matching/assignment.js';
import { expectedCostTable } from '../programming/cost-table.js';
import { init } from '../wasm/index.js';
import { crossbarKernels, type CrossbarKernel } from './qat.js';
import { evaluateAccuracy, train, type StepContext } from './train.js';
import type { Dataset } from './data/datasets.js';
import path from 'node:path';
import { saveModel, writeFileAtomic } from './checkpoint.js';

/** A rectangle of logical weights in a layer's K×N matrix. */
export interface BlockRect { srcRow: number; srcCol: number; rows: number; cols: number }

export interface LayerPair {
  /** Index of the B model (≥ 1); model 0 is A. */
  model: number;
  aLayer: string;
  bLayer: string;
  /** Expected cycles of the paired blocks (sum). */
  cost: number;
  pairedBlocks: number;
  /** B blocks of the layer without a partner of the same shape. */
  unpairedBlocks: number;
}

export interface BlockPair {
  model: number;
  aLayer: string;
  aBlock: BlockRect;
  bLayer: string;
  bBlock: BlockRect;
  /** Expected write-verify cycles to turn the A block's cells into the B block's. */
  cost: number;
  costPerWeight: number;
}

export interface Pairing {
  layerPairs: LayerPair[];
  /** All block pairs, ranked (cheapest per weight first) per model. */
  pairs: BlockPair[];
  /** Blocks / logical weights of each model's crossbar layers. */
  blocks: number[];
  weights: number[];
  blockRows: number;
  blockCols: number;
}

export interface TieMember { model: number; layer: string; block: BlockRect }
/** Blocks that must hold identical integers. members[0] is model 0's block. */
export interface TieGroup { members: TieMember[]; cost: number }

export interface PairingOptions {
  /** Logical rows of a block (default tileRows; must divide it). */
  blockRows?: number;
  /** Logical columns of a block (default tileCols; must divide it). */
  blockCols?: number;
}

export interface MmrTask {
  name: string;
  model: tf.LayersModel;
  train: Dataset;
  val: Dataset;
  /** Accuracies before/after are measured here (default: val). */
  test?: Dataset;
}

export interface MmrProgress { phase: 'pairing' | 'penalty' | 'finetune' | 'evaluate'; trial: number; trials: number; share: number; done: number; total: number; loss?: number }

export interface MmrOptions extends PairingOptions {
  /** Fraction (0..1) of each B model's blocks (or weights) to tie. Default 0.5 unless maxDrop is given. */
  share?: number;
  /** Accuracy budget in percentage points: try shareLevels ascending, keep the largest within budget. */
  maxDrop?: number;
  /** Share levels tried with maxDrop (default 0.25, 0.5, 0.75, 0.9). */
  shareLevels?: number[];
  /** What `share` counts: blocks (default) or logical weights. */
  shareUnit?: 'blocks' | 'weights';
  /** Layer names never tied (e.g. the task-specific output layer); share still counts all blocks. */
  exclude?: string[];
  /** Epochs of the penalty phase (default 1) and of the tied fine-tune (default 2). */
  epochs?: number;
  finetuneEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Final λ of the equality penalty, per LSB² (default 1e-2). */
  lambdaMax?: number;
  /** exp: λ·(e^{5p} − 1)/(e^5 − 1); linear: λ·p (p = training progress 0..1). Default exp. */
  lambdaSchedule?: 'exp' | 'linear';
  /** Multiply the shared scales by this (> 0; > 1 leaves head-room against clipping). Default 1. */
  scaleMargin?: number;
  seed?: number;
  /** Cap batches per task per epoch (quick runs). */
  maxBatchesPerEpoch?: number;
  onProgress?: (p: MmrProgress) => void;
  log?: (msg: string) => void;
}

export interface Accuracies { float: number; quantized: number }
export interface TiedFraction { blocks: number; blockFraction: number; weights: number; weightFraction: number; cells: number; cellFraction: number }

export interface MmrTrial { share: number; valBefore: number[]; valAfter: number[]; passed: boolean; seconds: number }

export interface MmrResult {
  share: number;
  shareUnit: 'blocks' | 'weights';
  maxDrop?: number;
  trials: MmrTrial[];
  pairing: Pairing;
  ties: TieGroup[];
  /** Per model: layer name → fixed weight scale (save with saveMergedModel). */
  weightScales: Array<Record<string, number>>;
  /** Per model, on its test set (or val): before (own per-layer scales) and after MMR (fixed scales). */
  accuracy: Array<{ task: string; before: Accuracies; after: Accuracies }>;
  tied: TiedFraction[];
  seconds: number;
}

// ---------------------------------------------------------------------------------------------------------------
// blocks and pairing

interface LayerInfo { name: string; rows: number; cols: number; blocks: BlockRect[]; levels: Uint8Array[]; ints: Int32Array }

function checkDivides(what: string, v: number, tile: number): void {
  if (!Number.isInteger(v) || v < 1 || tile % v !== 0) throw new Error(`${what} ${v} must be a positive integer dividing the tile (${tile}); use a divisor of ${tile}`);
}

/** Block grid of a K×N matrix: row blocks outer, edge blocks smaller. */
export function layerBlockRects(rows: number, cols: number, blockRows: number, blockCols: number): BlockRect[] {
  const out: BlockRect[] = [];
  for (let r = 0; r < rows; r += blockRows) {
    for (let c = 0; c < cols; c += blockCols) out.push({ srcRow: r, srcCol: c, rows: Math.min(blockRows, rows - r), cols: Math.min(blockCols, cols - c) });
  }
  return out;
}

/** Row-major integers of one block. */
export function blockOf(ints: ArrayLike<number>, layerCols: number, b: BlockRect): Int32Array {
  const out = new Int32Array(b.rows * b.cols);
  for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.cols; j++) out[i * b.cols + j] = ints[(b.srcRow + i) * layerCols + b.srcCol + j]!;
  return out;
}

function blockGeometry(cfg: HardwareConfig, o: PairingOptions): { br: number; bc: number } {
  const tr = tileRows(cfg), tc = tileCols(cfg);
  const br = o.blockRows ?? tr, bc = o.blockCols ?? tc;
  checkDivides('blockRows', br, tr);
  checkDivides('blockCols', bc, tc);
  return { br, bc };
}

function layerInfos(model: tf.LayersModel, cfg: HardwareConfig, br: number, bc: number): LayerInfo[] {
  return crossbarKernels(model).map((k) => {
    const q = quantizeWeights(k.variable.read().dataSync(), k.rows, k.cols, { weights: { ...cfg.weights, scale: 'layer' } }, `${k.layer.name} kernel`);
    const blocks = layerBlockRects(k.rows, k.cols, br, bc);
    return { name: k.layer.name, rows: k.rows, cols: k.cols, blocks, ints: q.ints, levels: blocks.map((b) => encodeLevels(blockOf(q.ints, k.cols, b), b.rows, b.cols, cfg)) };
  });
}

const shapeKey = (b: BlockRect): string => `${b.rows}x${b.cols}`;

interface InnerMatch { cost: number; matched: Array<{ b: number; a: number; cost: number }>; unmatched: number }

/** Price of a B block left without a partner in layer matching: above any real block cost, so that layer pairing
 *  first maximizes the paired blocks, then minimizes their cost. */
const UNPAIRED = 1e12;

/** Optimal assignment of lb's blocks to la's blocks (same shape only). */
function matchLayers(la: LayerInfo, lb: LayerInfo, table: Float32Array, L: number, cpw: number): InnerMatch | null {
  const groups = new Map<string, { a: number[]; b: number[] }>();
  lb.blocks.forEach((blk, i) => { const k = shapeKey(blk); if (!groups.has(k)) groups.set(k, { a: [], b: [] }); groups.get(k)!.b.push(i); });
  la.blocks.forEach((blk, i) => groups.get(shapeKey(blk))?.a.push(i));
  const matched: InnerMatch['matched'] = [];
  for (const [, g] of groups) {
    if (!g.a.length || !g.b.length) continue;
    const b0 = lb.blocks[g.b[0]!]!;
    const cpb = b0.rows * b0.cols * cpw;
    const bl = new Uint8Array(g.b.length * cpb), sl = new Uint8Array(g.a.length * cpb);
    g.b.forEach((bi, i) => bl.set(lb.levels[bi]!, i * cpb));
    g.a.forEach((ai, i) => sl.set(la.levels[ai]!, i * cpb));
    const { cost } = blockCostMatrix(bl, g.b.length, sl, g.a.length, cpb, { mode: 'expected', table, levels: L });
    const asg = linearAssignment(cost, g.b.length, g.a.length);
    asg.rowToCol.forEach((c, r) => { if (c >= 0) matched.push({ b: g.b[r]!, a: g.a[c]!, cost: cost[r * g.a.length + c]! }); });
  }
  if (!matched.length) return null;
  return { cost: matched.reduce((s, m) => s + m.cost, 0), matched, unmatched: lb.blocks.length - matched.length };
}

/**
 * Pairs every model k ≥ 1 with model 0: layers first (assignment on aggregated block costs), then blocks within
 * paired layers. Needs the wasm module (initialized here). Pairs are ranked cheapest per weight first.
 */
export async function pairModels(models: tf.LayersModel[], cfg: HardwareConfig, o: PairingOptions = {}): Promise<Pairing> {
  if (models.length < 2) throw new Error(`MMR needs at least two models, got ${models.length}`);
  await init();
  const { br, bc } = blockGeometry(cfg, o);
  const t = expectedCostTable(cfg);
  const L = t.levels, cpw = cellsPerWeight(cfg);
  const infos = models.map((m) => layerInfos(m, cfg, br, bc));
  const layerPairs: LayerPair[] = [];
  const pairs: BlockPair[] = [];
  for (let k = 1; k < models.length; k++) {
    const A = infos[0]!, B = infos[k]!;
    const inner: Array<Array<InnerMatch | null>> = B.map((lb) => A.map((la) => matchLayers(la, lb, t.mean, L, cpw)));
    // rows: B layers; columns: A layers + one "unpaired" column per B layer
    const nA = A.length, nB = B.length, nc = nA + nB;
    const cost = new Float64Array(nB * nc).fill(Infinity);
    B.forEach((lb, i) => {
      A.forEach((_, j) => { const m = inner[i]![j]; if (m) cost[i * nc + j] = m.cost + m.unmatched * UNPAIRED; });
      cost[i * nc + nA + i] = lb.blocks.length * UNPAIRED;
    });
    const asg = linearAssignment(cost, nB, nc);
    const ranked: BlockPair[] = [];
    asg.rowToCol.forEach((j, i) => {
      if (j < 0 || j >= nA) return;
      const m = inner[i]![j]!, la = A[j]!, lb = B[i]!;
      layerPairs.push({ model: k, aLayer: la.name, bLayer: lb.name, cost: m.cost, pairedBlocks: m.matched.length, unpairedBlocks: m.unmatched });
      for (const x of m.matched) {
        const bb = lb.blocks[x.b]!;
        ranked.push({ model: k, aLayer: la.name, aBlock: la.blocks[x.a]!, bLayer: lb.name, bBlock: bb, cost: x.cost, costPerWeight: x.cost / (bb.rows * bb.cols) });
      }
    });
    ranked.sort((p, q) => p.costPerWeight - q.costPerWeight || p.cost - q.cost);
    pairs.push(...ranked);
  }
  return {
    layerPairs, pairs, blockRows: br, blockCols: bc,
    blocks: infos.map((ls) => ls.reduce((s, l) => s + l.blocks.length, 0)),
    weights: infos.map((ls) => ls.reduce((s, l) => s + l.rows * l.cols, 0)),
  };
}

export function checkShare(share: number, what = 'share'): void {
  if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1) {
    throw new Error(`${what} must be a number in [0, 1] (the fraction of the other model's blocks to tie), got ${share}`);
  }
}

/**
 * The tie groups for a share: for each model k ≥ 1, its ranked pairs are taken until `share` of its blocks (or
 * weights) are tied. Groups are keyed by model 0's block.
 */
export function chooseTies(p: Pairing, share: number, unit: 'blocks' | 'weights' = 'blocks', exclude: readonly string[] = []): TieGroup[] {
  checkShare(share);
  const skip = new Set(exclude);
  const groups = new Map<string, TieGroup>();
  const order: string[] = [];
  const models = [...new Set(p.pairs.map((x) => x.model))].sort((a, b) => a - b);
  for (const k of models) {
    const total = unit === 'blocks' ? p.blocks[k]! : p.weights[k]!;
    const target = share * total;
    let taken = 0;
    for (const x of p.pairs) {
      if (x.model !== k || skip.has(x.aLayer) || skip.has(x.bLayer)) continue;
      const size = unit === 'blocks' ? 1 : x.bBlock.rows * x.bBlock.cols;
      // blocks: round to the nearest count; weights: stop before overshooting by more than half a block
      if (taken + size / 2 > target + 1e-9) break;
      taken += size;
      const key = `${x.aLayer}@${x.aBlock.srcRow},${x.aBlock.srcCol}`;
      let g = groups.get(key);
      if (!g) { g = { members: [{ model: 0, layer: x.aLayer, block: x.aBlock }], cost: 0 }; groups.set(key, g); order.push(key); }
      g.members.push({ model: k, layer: x.bLayer, block: x.bBlock });
      g.cost += x.cost;
    }
  }
  return order.map((k) => groups.get(k)!);
}

/** Tied blocks / weights / cells of each model. */
export function tiedFractions(p: Pairing, ties: TieGroup[], nModels: number, cfg: HardwareConfig): TiedFraction[] {
  const cpw = cellsPerWeight(cfg);
  return Array.from({ length: nModels }, (_, k) => {
    let blocks = 0, weights = 0;
    for (const g of ties) for (const m of g.members) if (m.model === k) { blocks++; weights += m.block.rows * m.block.cols; }
    return { blocks, blockFraction: blocks / p.blocks[k]!, weights, weightFraction: weights / p.weights[k]!, cells: weights * cpw, cellFraction: weights / p.weights[k]! };
  });
}

/**
 * Fixed scales: every group of layers joined by a tie shares max|w| / qmax (× margin); other crossbar layers get
 * their own. Returns one record per model.
 */
export function sharedScales(models: tf.LayersModel[], ties: TieGroup[], cfg: HardwareConfig, margin = 1): Array<Record<string, number>> {
  if (!(margin > 0) || !Number.isFinite(margin)) throw new Error(`scaleMargin must be a positive finite number, got ${margin}`);
  const kernels = models.map((m) => crossbarKernels(m));
  const maxAbs = kernels.map((ks) => new Map(ks.map((k) => { const d = k.variable.read().dataSync(); let m = 0; for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]!)); return [k.layer.name, m]; })));
  // union-find over (model, layer)
  const parent = new Map<string, string>();
  const id = (k: number, l: string) => `${k}\u0000${l}`;
  const find = (x: string): string => { let r = x; while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!; parent.set(x, r); return r; };
  kernels.forEach((ks, k) => ks.forEach((kk) => parent.set(id(k, kk.layer.name), id(k, kk.layer.name))));
  for (const g of ties) {
    const r0 = find(id(g.members[0]!.model, g.members[0]!.layer));
    for (const m of g.members.slice(1)) parent.set(find(id(m.model, m.layer)), r0);
  }
  const groupMax = new Map<string, number>();
  kernels.forEach((ks, k) => ks.forEach((kk) => { const r = find(id(k, kk.layer.name)); groupMax.set(r, Math.max(groupMax.get(r) ?? 0, maxAbs[k]!.get(kk.layer.name)!)); }));
  return kernels.map((ks, k) => Object.fromEntries(ks.map((kk) => [kk.layer.name, weightScale(groupMax.get(find(id(k, kk.layer.name)))!, cfg.weights.weightBits) * margin])));
}

// ---------------------------------------------------------------------------------------------------------------
// fixed-scale QAT state shared by all models

interface ModelState { kernels: CrossbarKernel[]; byName: Map<string, number>; masters: Float32Array[]; quant: Float32Array[]; ints: Int32Array[]; scales: number[] }

/** Block-level reference into a model's state. */
interface Ref { model: number; layer: number; block: BlockRect }

class FixedScaleQat {
  readonly st: ModelState[];
  private readonly weightBits: number;
  constructor(models: tf.LayersModel[], scales: Array<Record<string, number>>, weightBits: number) {
    this.weightBits = weightBits;
    this.st = models.map((m, k) => {
      const kernels = crossbarKernels(m);
      return {
        kernels,
        byName: new Map(kernels.map((kk, i) => [kk.layer.name, i])),
        masters: kernels.map((kk) => Float32Array.from(kk.variable.read().dataSync() as Float32Array)),
        quant: kernels.map((kk) => new Float32Array(kk.rows * kk.cols)),
        ints: kernels.map((kk) => new Int32Array(kk.rows * kk.cols)),
        scales: kernels.map((kk) => scales[k]![kk.layer.name]!),
      };
    });
    this.st.forEach((_, k) => this.quantizeModel(k));
  }

  ref(m: TieMember): Ref {
    const layer = this.st[m.model]!.byName.get(m.layer);
    if (layer === undefined) throw new Error(`tie names layer '${m.layer}' of model ${m.model}, which has no such Dense/Conv2D layer`);
    return { model: m.model, layer, block: m.block };
  }

  /** kernel ← quantize(master) with the fixed scale. */
  quantizeLayer(k: number, i: number): void {
    const s = this.st[k]!, kk = s.kernels[i]!;
    const q = quantizeWeights(s.masters[i]!, kk.rows, kk.cols, { weights: { weightBits: this.weightBits, scale: 'layer' } }, `${kk.layer.name} kernel`, s.scales[i]);
    const scale = s.scales[i]!, out = s.quant[i]!;
    for (let p = 0; p < out.length; p++) out[p] = q.ints[p]! * scale;
    s.ints[i]!.set(q.ints);
    const t = tf.tensor(out, kk.variable.shape as number[], 'float32');
    kk.variable.write(t);
    t.dispose();
  }

  quantizeModel(k: number): void { this.st[k]!.kernels.forEach((_, i) => this.quantizeLayer(k, i)); }

  /** STE: the optimizer moved the (quantized) kernel; move the master by the same amount. */
  absorbStep(k: number): void {
    const s = this.st[k]!;
    s.kernels.forEach((kk, i) => {
      const cur = kk.variable.read().dataSync() as Float32Array;
      const m = s.masters[i]!, q = s.quant[i]!;
      for (let p = 0; p < m.length; p++) m[p] = Math.fround(m[p]! + (cur[p]! - q[p]!));
    });
  }

  /** Sets every group's master blocks to their mean; returns the (model, layer) pairs touched. */
  equalize(groups: Ref[][]): Set<string> {
    const touched = new Set<string>();
    for (const g of groups) {
      const { rows, cols } = g[0]!.block;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          let sum = 0;
          for (const m of g) { const kk = this.st[m.model]!.kernels[m.layer]!; sum += this.st[m.model]!.masters[m.layer]![(m.block.srcRow + r) * kk.cols + m.block.srcCol + c]!; }
          const mean = Math.fround(sum / g.length);
          for (const m of g) { const kk = this.st[m.model]!.kernels[m.layer]!; this.st[m.model]!.masters[m.layer]![(m.block.srcRow + r) * kk.cols + m.block.srcCol + c] = mean; }
        }
      }
      for (const m of g) touched.add(`${m.model}:${m.layer}`);
    }
    return touched;
  }
}

/** Number of weights in tied blocks whose integers differ (0 = every tie is exact), with the given scales. */
export function tieMismatches(models: tf.LayersModel[], ties: TieGroup[], scales: Array<Record<string, number>>, cfg: HardwareConfig): number {
  const ints = models.map((m, k) => new Map(crossbarKernels(m).map((kk) => [kk.layer.name, {
    cols: kk.cols,
    ints: quantizeWeights(kk.variable.read().dataSync(), kk.rows, kk.cols, { weights: { weightBits: cfg.weights.weightBits, scale: 'layer' } }, kk.layer.name, scales[k]![kk.layer.name]).ints,
  }])));
  let bad = 0;
  for (const g of ties) {
    const [a, ...rest] = g.members.map((m) => { const l = ints[m.model]!.get(m.layer)!; return blockOf(l.ints, l.cols, m.block); });
    for (const b of rest) for (let i = 0; i < a!.length; i++) if (a![i] !== b[i]) bad++;
  }
  return bad;
}

/** Accuracy with every crossbar kernel quantized (own per-layer max scale, or the given fixed scales); restores the model. */
export function quantizedAccuracy(model: tf.LayersModel, ds: Dataset, weightBits: number, scales?: Record<string, number>): number {
  const ks = crossbarKernels(model);
  const saved = ks.map((k) => k.variable.read().clone());
  try {
    for (const k of ks) {
      const q = quantizeWeights(k.variable.read().dataSync(), k.rows, k.cols, { weights: { weightBits, scale: 'layer' } }, k.layer.name, scales?.[k.layer.name]);
      const v = new Float32Array(q.ints.length);
      for (let i = 0; i < v.length; i++) v[i] = q.ints[i]! * q.scales[0]!;
      const t = tf.tensor(v, k.variable.shape as number[], 'float32');
      k.variable.write(t); t.dispose();
    }
    return evaluateAccuracy(model, ds);
  } finally {
    ks.forEach((k, i) => k.variable.write(saved[i]!));
    saved.forEach((t) => t.dispose());
  }
}

function checkMergeable(tasks: MmrTask[]): void {
  if (tasks.length < 2) throw new Error(`MMR needs at least two models, got ${tasks.length}`);
  const names = new Set<tf.LayersModel>();
  tasks.forEach((t) => {
    if (names.has(t.model)) throw new Error(`task '${t.name}': the same model object is given twice; load each model separately`);
    names.add(t.model);
    const bn = t.model.layers.find((l) => l.getClassName() === 'BatchNormalization');
    if (bn) throw new Error(`task '${t.name}': layer '${bn.name}' is a BatchNormalization; MMR needs models without it (the mapper folds it into the kernel, so tied integers would not survive import) — fold it into the weights first or use a model without BN`);
    const inShape = t.model.inputs[0]!.shape.slice(1);
    if (inShape.join(',') !== t.train.shape.join(',')) {
      throw new Error(`task '${t.name}': the data has input shape [${t.train.shape.join(', ')}] but model '${t.model.name}' expects [${inShape.join(', ')}]; use a model trained for this task`);
    }
    const out = t.model.outputs[0]!.shape;
    if (out[out.length - 1] !== t.train.numClasses) {
      throw new Error(`task '${t.name}': model '${t.model.name}' has ${out[out.length - 1]} outputs but the data has ${t.train.numClasses} classes`);
    }
    if (!crossbarKernels(t.model).length) throw new Error(`task '${t.name}': model '${t.model.name}' has no Dense or Conv2D layer to merge`);
  });
}

/** One joint retraining run from the models' current weights; returns the final (equalized, QAT) state. */
async function retrain(tasks: MmrTask[], ties: TieGroup[], scales: Array<Record<string, number>>, cfg: HardwareConfig, o: MmrOptions, trial: number, trials: number, share: number): Promise<void> {
  const models = tasks.map((t) => t.model);
  const qat = new FixedScaleQat(models, scales, cfg.weights.weightBits);
  const groups = ties.map((g) => g.members.map((m) => qat.ref(m)));
  const lambdaMax = o.lambdaMax ?? 1e-2;
  const schedule = o.lambdaSchedule ?? 'exp';
  if (!(lambdaMax >= 0) || !Number.isFinite(lambdaMax)) throw new Error(`lambdaMax must be a non-negative finite number, got ${lambdaMax}`);
  // per model and layer: count of other members covering each weight (constant), and the tied references
  const partners = models.map(() => new Map<number, Array<{ self: Ref; others: Ref[] }>>());
  for (const g of groups) {
    for (const self of g) {
      const list = partners[self.model]!.get(self.layer) ?? [];
      list.push({ self, others: g.filter((m) => m !== self) });
      partners[self.model]!.set(self.layer, list);
    }
  }
  const counts = models.map((_, k) => new Map([...partners[k]!].map(([layer, list]) => {
    const kk = qat.st[k]!.kernels[layer]!;
    const c = new Float32Array(kk.rows * kk.cols);
    for (const { self, others } of list) for (let r = 0; r < self.block.rows; r++) for (let j = 0; j < self.block.cols; j++) c[(self.block.srcRow + r) * kk.cols + self.block.srcCol + j] = others.length;
    return [layer, tf.keep(tf.tensor2d(c, [kk.rows, kk.cols]))] as const;
  })));
  const lambdaAt = (p: number): number => (schedule === 'linear' ? lambdaMax * p : lambdaMax * (Math.exp(5 * p) - 1) / (Math.exp(5) - 1));
  const penalty = (ctx: StepContext): tf.Scalar | undefined => {
    const k = ctx.task, lam = lambdaAt(ctx.progress);
    if (!(lam > 0) || !partners[k]!.size) return undefined;
    let total: tf.Scalar | undefined;
    let constant = 0;
    for (const [layer, list] of partners[k]!) {
      const kk = qat.st[k]!.kernels[layer]!;
      const s = qat.st[k]!.scales[layer]!;
      const sum = new Float32Array(kk.rows * kk.cols);
      for (const { self, others } of list) {
        for (const m of others) {
          const src = qat.st[m.model]!.quant[m.layer]!, mc = qat.st[m.model]!.kernels[m.layer]!.cols;
          for (let r = 0; r < self.block.rows; r++) {
            for (let j = 0; j < self.block.cols; j++) {
              const v = src[(m.block.srcRow + r) * mc + m.block.srcCol + j]!;
              sum[(self.block.srcRow + r) * kk.cols + self.block.srcCol + j] += v;
              constant += (v * v) / (s * s);
            }
          }
        }
      }
      // Σ_m (w − t_m)² = C·w² − 2·w·S + Σ t_m², in units of the layer's LSB
      const w = tf.reshape(kk.variable.read(), [kk.rows, kk.cols]);
      const term = tf.div(tf.sum(tf.sub(tf.mul(counts[k]!.get(layer)!, tf.square(w)), tf.mul(tf.scalar(2), tf.mul(w, tf.tensor2d(sum, [kk.rows, kk.cols]))))), s * s) as tf.Scalar;
      total = total ? tf.add(total, term) as tf.Scalar : term;
    }
    return total ? tf.mul(lam, tf.add(total, constant)) as tf.Scalar : undefined;
  };
  const common = { batchSize: o.batchSize ?? 64, learningRate: o.learningRate ?? 1e-3, seed: o.seed ?? 1, restoreBest: false, maxBatchesPerEpoch: o.maxBatchesPerEpoch };
  const trainTasks = tasks.map((t) => ({ name: t.name, model: t.model, train: t.train }));
  const progress = (phase: 'penalty' | 'finetune') => (b: { batch: number; batches: number; epoch: number; epochs: number; loss: number }) =>
    o.onProgress?.({ phase, trial, trials, share, done: (b.epoch - 1) * b.batches + b.batch, total: b.epochs * b.batches, loss: b.loss });
  try {
    const epochs = o.epochs ?? 1;
    if (epochs > 0) {
      await train(trainTasks, { ...common, epochs, extraLoss: penalty, afterStep: (ctx) => { qat.absorbStep(ctx.task); qat.quantizeModel(ctx.task); }, onBatch: progress('penalty') });
    }
    // exact equalization, then fine-tune with projection to the group mean after every step
    const touchAll = () => { for (const key of qat.equalize(groups)) { const [k, l] = key.split(':').map(Number); qat.quantizeLayer(k!, l!); } };
    touchAll();
    const fe = o.finetuneEpochs ?? 2;
    if (fe > 0) {
      await train(trainTasks, {
        ...common, seed: common.seed + 7919, epochs: fe, learningRate: common.learningRate / 2,
        afterStep: (ctx) => {
          qat.absorbStep(ctx.task);
          const touched = qat.equalize(groups);
          qat.quantizeModel(ctx.task);
          for (const key of touched) { const [k, l] = key.split(':').map(Number); if (k !== ctx.task) qat.quantizeLayer(k!, l!); }
        },
        onBatch: progress('finetune'),
      });
    }
    models.forEach((_, k) => qat.quantizeModel(k));
  } finally {
    counts.forEach((m) => m.forEach((t) => t.dispose()));
  }
}

/**
 * Runs MMR on K ≥ 2 tasks (model 0 is the reference "A"); the models are retrained in place. See the file comment.
 */
export async function mergeModels(tasks: MmrTask[], cfg: HardwareConfig, o: MmrOptions = {}): Promise<MmrResult> {
  const t0 = performance.now();
  checkMergeable(tasks);
  if (o.share !== undefined && o.maxDrop !== undefined) throw new Error('give either share or maxDrop, not both');
  if (o.share !== undefined) checkShare(o.share);
  if (o.maxDrop !== undefined && (!(o.maxDrop >= 0) || !Number.isFinite(o.maxDrop))) throw new Error(`maxDrop must be a non-negative number of percentage points, got ${o.maxDrop}`);
  const unit = o.shareUnit ?? 'blocks';
  const layerNames = new Set(tasks.flatMap((t) => crossbarKernels(t.model).map((k) => k.layer.name)));
  for (const x of o.exclude ?? []) {
    if (!layerNames.has(x)) throw new Error(`exclude: '${x}' is not a Dense/Conv2D layer of the models (layers: ${[...layerNames].join(', ')})`);
  }
  const log = o.log ?? (() => {});
  const models = tasks.map((t) => t.model);
  const wb = cfg.weights.weightBits;
  const evalSet = (t: MmrTask) => t.test ?? t.val;

  o.onProgress?.({ phase: 'pairing', trial: 0, trials: 0, share: 0, done: 0, total: 1 });
  const pairing = await pairModels(models, cfg, o);
  log(`pairing: ${pairing.layerPairs.map((l) => `${l.bLayer}→${l.aLayer} (${l.pairedBlocks} blocks)`).join(', ')}; ${pairing.pairs.length} block pairs`);
  const before = tasks.map((t) => ({ float: evaluateAccuracy(t.model, evalSet(t)), quantized: quantizedAccuracy(t.model, evalSet(t), wb) }));
  const valBefore = tasks.map((t) => quantizedAccuracy(t.model, t.val, wb));
  const original = models.map((m) => m.getWeights().map((w) => tf.keep(w.clone())));
  const trials: MmrTrial[] = [];
  try {
    const levels = o.maxDrop === undefined ? [o.share ?? 0.5] : [...(o.shareLevels ?? [0.25, 0.5, 0.75, 0.9])].sort((a, b) => a - b);
    levels.forEach((s) => checkShare(s, 'share level'));
    let best: { share: number; weights: tf.Tensor[][]; ties: TieGroup[]; scales: Array<Record<string, number>> } | undefined;
    for (let i = 0; i < levels.length; i++) {
      const share = levels[i]!, ts = performance.now();
      models.forEach((m, k) => m.setWeights(original[k]!));
      const ties = chooseTies(pairing, share, unit, o.exclude);
      const scales = sharedScales(models, ties, cfg, o.scaleMargin ?? 1);
      await retrain(tasks, ties, scales, cfg, o, i + 1, levels.length, share);
      const mism = tieMismatches(models, ties, scales, cfg);
      if (mism) throw new Error(`internal: ${mism} tied weights differ after MMR (share ${share}); please report`);
      const valAfter = tasks.map((t) => evaluateAccuracy(t.model, t.val));
      const passed = o.maxDrop === undefined || valAfter.every((a, k) => (valBefore[k]! - a) * 100 <= o.maxDrop! + 1e-9);
      trials.push({ share, valBefore, valAfter, passed, seconds: (performance.now() - ts) / 1000 });
      log(`share ${share}: ${ties.length} tie groups, validation ${valAfter.map((a, k) => `${tasks[k]!.name} ${(100 * valBefore[k]!).toFixed(2)} → ${(100 * a).toFixed(2)} %`).join(', ')}${o.maxDrop !== undefined ? (passed ? ' (within budget)' : ' (over budget)') : ''}`);
      if (!passed) break;
      best?.weights.flat().forEach((w) => w.dispose());
      best = { share, ties, scales, weights: models.map((m) => m.getWeights().map((w) => tf.keep(w.clone()))) };
    }
    if (!best) {
      // not even the smallest level fits the budget: return the untied models with their own scales
      models.forEach((m, k) => m.setWeights(original[k]!));
      const scales = sharedScales(models, [], cfg);
      best = { share: 0, ties: [], scales, weights: models.map((m) => m.getWeights().map((w) => tf.keep(w.clone()))) };
      log(`no share level within ${o.maxDrop} points; nothing tied`);
    }
    const b = best;
    models.forEach((m, k) => m.setWeights(b.weights[k]!));
    b.weights.flat().forEach((w) => w.dispose());
    o.onProgress?.({ phase: 'evaluate', trial: levels.length, trials: levels.length, share: b.share, done: 0, total: 1 });
    const accuracy = tasks.map((t, k) => ({
      task: t.name, before: before[k]!,
      after: { float: evaluateAccuracy(t.model, evalSet(t)), quantized: quantizedAccuracy(t.model, evalSet(t), wb, b.scales[k]) },
    }));
    return {
      share: b.share, shareUnit: unit, ...(o.maxDrop !== undefined ? { maxDrop: o.maxDrop } : {}), trials, pairing, ties: b.ties,
      weightScales: b.scales, accuracy, tied: tiedFractions(pairing, b.ties, models.length, cfg), seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    original.flat().forEach((w) => w.dispose());
  }
}

/** Saves a merged model with its fixed weight scales in model.json (userDefinedMetadata.ha3m.weightScales). */
export async function saveMergedModel(model: tf.LayersModel, dir: string, weightScales: Record<string, number>, extra: Record<string, string> = {}): Promise<void> {
  setWeightScales(model, weightScales);
  await saveModel(model, dir, extra);
}


/**
 * The `ha3m demo` hook (src/scenario/demo.ts DemoHooks.merge): MMR of two trained models on their task splits;
 * the models are retrained in place, get their weight scales as metadata (so importLayersModel picks them up) and,
 * with `out`, are saved as OUT/A, OUT/B plus OUT/merge.json. tiedFraction = fraction of B's blocks tied.
 */
export async function demoMerge(
  a: { model: tf.LayersModel; task: { name: string; train: Dataset; val: Dataset; test: Dataset } },
  b: { model: tf.LayersModel; task: { name: string; train: Dataset; val: Dataset; test: Dataset } },
  cfg: HardwareConfig,
  o: { share: number; epochs: number; seed: number; out?: string; exclude?: string[]; finetuneEpochs?: number; onProgress?: (p: MmrProgress) => void; log?: (msg: string) => void },
): Promise<{ a: tf.LayersModel; b: tf.LayersModel; tiedFraction: number; result: MmrResult }> {
  const result = await mergeModels([
    { name: a.task.name, model: a.model, train: a.task.train, val: a.task.val, test: a.task.test },
    { name: b.task.name, model: b.model, train: b.task.train, val: b.task.val, test: b.task.test },
  ], cfg, { share: o.share, epochs: o.epochs, finetuneEpochs: o.finetuneEpochs ?? Math.max(1, o.epochs), seed: o.seed, onProgress: o.onProgress, log: o.log, exclude: o.exclude });
  if (o.out) {
    await writeMerged(o.out, [a.model, b.model], result, { names: ['A', 'B'], tasks: [a.task.name, b.task.name] });
  } else {
    [a.model, b.model].forEach((m, k) => setWeightScales(m, result.weightScales[k]!));
  }
  return { a: a.model, b: b.model, tiedFraction: result.tied[1]!.blockFraction, result };
}

/** Puts the fixed weight scales into the model's userDefinedMetadata (ha3m.weightScales), keeping other entries. */
export function setWeightScales(model: tf.LayersModel, weightScales: Record<string, number>): void {
  const prev = (model.getUserDefinedMetadata() ?? {}) as Record<string, unknown>;
  model.setUserDefinedMetadata({ ...prev, ha3m: { ...((prev.ha3m as object | undefined) ?? {}), weightScales } });
}

/** The merge manifest (OUT/merge.json) as `ha3m merge` writes it and src/scenario/load.ts reads it. */
export function mergeManifest(result: MmrResult, o: { names: string[]; tasks: string[]; sources?: string[]; extra?: Record<string, unknown> }): Record<string, unknown> {
  return {
    version: 1,
    models: o.names.map((name, k) => ({ name, path: name, data: o.tasks[k], source: o.sources?.[k] ?? null })),
    share: result.share, shareUnit: result.shareUnit, maxDrop: result.maxDrop ?? null,
    /** Fraction of the last model's (B's) blocks that are tied. */
    tiedFraction: result.tied[result.tied.length - 1]!.blockFraction,
    tiedCellFraction: result.tied[result.tied.length - 1]!.cellFraction,
    blockRows: result.pairing.blockRows, blockCols: result.pairing.blockCols,
    ...o.extra,
    accuracy: result.accuracy, tied: result.tied, trials: result.trials, weightScales: result.weightScales,
    layerPairs: result.pairing.layerPairs, ties: result.ties, seconds: result.seconds,
  };
}

/** Saves every model as OUT/<name> (with its weight scales) and OUT/merge.json, each atomically. */
export async function writeMerged(out: string, models: tf.LayersModel[], result: MmrResult, o: { names: string[]; tasks: string[]; sources?: string[]; extra?: Record<string, unknown> }): Promise<Record<string, unknown>> {
  const manifest = mergeManifest(result, o);
  for (const [k, m] of models.entries()) await saveMergedModel(m, path.join(out, o.names[k]!), result.weightScales[k]!);
  await writeFileAtomic(path.join(out, 'merge.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
