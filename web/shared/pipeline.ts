// The engine's pipeline on models that need no TF.js: seeded dense-chain models built directly as ImportedModels,
// then quantize → map → program a pool → infer (ideal / analog) → switch to a second model in place. Shared by the
// fingerprint (Node = browser) and the page's worker, so both run exactly this code.
import { arena, WasmRng, streamId, StreamPurpose } from '../../src/wasm/index.js';
import type { HardwareConfig } from '../../src/hardware/config.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { mapModel } from '../../src/mapping/map.js';
import { layerMatrices, type Placement } from '../../src/mapping/placement.js';
import type { CrossbarOp, ImportedModel } from '../../src/mapping/types.js';
import { quantizeModel, type QuantizedModel } from '../../src/inference/quantized-model.js';
import { programModel, type ModelProgramResult } from '../../src/inference/program-model.js';
import { CrossbarEngine } from '../../src/inference/engine.js';
import { switchModel, type SimulatedSwitch, type StrategyName, type SwitchOptions } from '../../src/scenario/index.js';

/** Seeded normal draws (wasm PRNG), as f32. */
function normals(seed: number, stream: number, n: number, scale: number): Float32Array {
  const v = arena.scoped((a) => new WasmRng(seed, stream, a).normal(n));
  return Float32Array.from(v, (x) => Math.fround(x * scale));
}

/**
 * A dense chain sizes[0] → sizes[1] → … with ReLU between layers (linear output), He-scaled seeded weights and
 * small biases. `variant` selects an independent weight draw (model A, model B, …).
 */
export function syntheticDenseModel(name: string, sizes: readonly number[], seed: number, variant = 0): ImportedModel {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`syntheticDenseModel: sizes must be at least two positive integers, got [${sizes.join(', ')}]`);
  }
  const ops: CrossbarOp[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const rows = sizes[l]!, cols = sizes[l + 1]!;
    const last = l + 2 === sizes.length;
    ops.push({
      kind: 'dense', name: `dense${l + 1}`, inputs: [l - 1], outShape: [cols], layer: l, rows, cols,
      weights: normals(seed, streamId(StreamPurpose.misc, 100 + variant, 2 * l), rows * cols, Math.sqrt(2 / rows)),
      bias: normals(seed, streamId(StreamPurpose.misc, 100 + variant, 2 * l + 1), cols, 0.05),
      activation: last ? 'linear' : 'relu', folded: [],
    });
  }
  return { name, inputShape: [sizes[0]!], ops, output: ops.length - 1 };
}

/** batch × size seeded inputs in [0, 1). */
export function syntheticInputs(n: number, size: number, seed: number, variant = 0): Float32Array {
  const v = arena.scoped((a) => new WasmRng(seed, streamId(StreamPurpose.misc, 200 + variant), a).uniform(n * size));
  return Float32Array.from(v);
}

export interface Deployment {
  qm: QuantizedModel;
  placement: Placement;
  pool: CrossbarPool;
  program: ModelProgramResult;
  engine: CrossbarEngine;
}

/**
 * Quantizes `model` (calibrated on `calib`), maps it (baseline or XAMM) and programs it into `pool` (a fresh pool
 * sized for the placement when none is given). Returns everything needed to infer and to switch.
 */
export function deploy(model: ImportedModel, cfg: HardwareConfig, calib: Float32Array, calibBatch: number,
  opts: { xamm?: boolean; pool?: CrossbarPool; placement?: Placement; seed?: number; onProgress?: (done: number, total: number) => void } = {}): Deployment {
  const qm = quantizeModel(model, cfg, calib, calibBatch);
  const placement = opts.placement ?? mapModel(layerMatrices(model), cfg, { xamm: opts.xamm ?? false });
  const pool = opts.pool ?? new CrossbarPool(cfg, { numCrossbars: placement.crossbars, seed: opts.seed ?? 0 });
  const program = programModel(qm, placement, pool, { perCell: true, onProgress: opts.onProgress });
  const engine = new CrossbarEngine(qm, placement, pool, { seed: opts.seed ?? 0 });
  return { qm, placement, pool, program, engine };
}

/** The pool after a switch: model B resident under the strategy's placement, with its engine. */
export interface Switched { result: SimulatedSwitch; qm: QuantizedModel; engine: CrossbarEngine }

/**
 * Switches the pool `from` holds to `model` with src/scenario/switch.ts (full / diff / blm), B quantized and
 * calibrated on `calib`. The pool is modified; the returned engine reads B through the new placement.
 */
export function switchTo(from: Deployment, model: ImportedModel, calib: Float32Array, calibBatch: number,
  { strategy, ...opts }: Omit<SwitchOptions, 'resident' | 'engine'> & { strategy: StrategyName; seed?: number }): Switched {
  const qm = quantizeModel(model, from.qm.config, calib, calibBatch);
  const result = switchModel(from.pool, qm, strategy, { ...opts, resident: from.placement });
  return { result, qm, engine: new CrossbarEngine(qm, result.placement, from.pool, { seed: opts.seed ?? 0 }) };
}
