// From a quantized model and a placement to the pool's target levels: every placed block encoded at its position,
// the offset scheme's reference column at level 0 in every crossbar used, and NO_TARGET everywhere else. Also the
// per-layer region map, so a programming report can be broken down by layer.
import { encodeLevels } from '../hardware/encode.js';
import { cellsPerWeight } from '../hardware/derived.js';
import type { Placement, PlacedBlock } from '../mapping/placement.js';
import { NO_TARGET } from '../programming/program.js';
import type { QuantizedModel } from './quantized-model.js';

export interface PoolShape { rows: number; cols: number; numCrossbars: number }

/** Weight integers of a block (negated when the block is stored negated). */
export function blockInts(qm: QuantizedModel, b: PlacedBlock): Int32Array {
  const layer = qm.layers[b.layer];
  if (!layer) throw new Error(`placement block refers to layer ${b.layer}, but the model has ${qm.layers.length} crossbar layers`);
  const N = layer.op.cols, src = layer.q.ints;
  const out = new Int32Array(b.rows * b.cols);
  const sign = b.negated ? -1 : 1;
  for (let i = 0; i < b.rows; i++) {
    for (let j = 0; j < b.cols; j++) out[i * b.cols + j] = sign * src[(b.srcRow + i) * N + b.srcCol + j]! || 0;
  }
  return out;
}

/** Index of a block's top-left cell in the pool's cell arrays. */
export function blockStart(pool: PoolShape, b: PlacedBlock, cpw: number): number {
  return (b.crossbar * pool.rows + b.rowOffset) * pool.cols + b.colOffset * cpw;
}

export interface ModelTargets {
  /** One level per pool cell; NO_TARGET for cells this model does not use. */
  targets: Uint8Array;
  /** Region id per cell: the crossbar layer index; reference columns get id = number of layers; −1 elsewhere. */
  regions: Int32Array;
}

export function placementTargets(qm: QuantizedModel, placement: Placement, pool: PoolShape): ModelTargets {
  const cfg = qm.config, cpw = cellsPerWeight(cfg);
  const n = pool.numCrossbars * pool.rows * pool.cols;
  const targets = new Uint8Array(n).fill(NO_TARGET);
  const regions = new Int32Array(n).fill(-1);
  for (const b of placement.blocks) {
    if (b.crossbar >= pool.numCrossbars) {
      throw new Error(`placement puts layer ${b.layer} on crossbar ${b.crossbar} but the pool has ${pool.numCrossbars}; use a bigger pool or XAMM`);
    }
    const levels = encodeLevels(blockInts(qm, b), b.rows, b.cols, cfg);
    const start = blockStart(pool, b, cpw), w = b.cols * cpw;
    for (let i = 0; i < b.rows; i++) {
      const at = start + i * pool.cols;
      targets.set(levels.subarray(i * w, (i + 1) * w), at);
      regions.fill(b.layer, at, at + w);
    }
  }
  if (cfg.cells.sign === 'offset') {
    for (const xb of placement.crossbarIds) {
      for (let r = 0; r < pool.rows; r++) {
        const at = (xb * pool.rows + r) * pool.cols + pool.cols - 1;
        targets[at] = 0;
        regions[at] = qm.layers.length;
      }
    }
  }
  return { targets, regions };
}
