// Calibrated ADC ranges of a layer (DESIGN §2: one half range per weight slice, shared by all input bits and all
// tiles), calibrated once on the layer's calibration sample over its placed blocks' intended levels.
import { calibrateAdcRanges, type CalibrationBlock } from '../hardware/mvm.js';
import { cellsPerWeight } from '../hardware/derived.js';
import { encodeLevels } from '../hardware/encode.js';
import type { PlacedBlock } from '../mapping/placement.js';
import type { QuantizedLayer, QuantizedModel } from './quantized-model.js';
import { blockInts } from './targets.js';

// the ranges depend only on the layer and how it is cut into blocks, not on where the blocks sit: engines of the
// same quantized model (one per switch and strategy) share them
const sharedAdcRanges = new WeakMap<QuantizedLayer, Map<string, Float64Array>>();

/**
 * ADC half ranges of a layer cut into `blocks`: null unless io.adcRange is "calibrated" without fixed io.adcRanges
 * (and the ADC is on).
 */
export function layerAdcRanges(qm: QuantizedModel, layer: QuantizedLayer, blocks: readonly PlacedBlock[]): Float64Array | null {
  const cfg = layer.config;
  if (cfg.io.adcBits === 0 || cfg.io.adcRange !== 'calibrated' || cfg.io.adcRanges !== null) return null;
  const cut = blocks.map((b) => `${b.srcRow},${b.rows},${b.srcCol},${b.cols},${b.negated ? 1 : 0}`).join(';');
  let shared = sharedAdcRanges.get(layer);
  if (!shared) { shared = new Map(); sharedAdcRanges.set(layer, shared); }
  const known = shared.get(cut);
  if (known) return known;
  const cpw = cellsPerWeight(cfg), cal = layer.calibration, K = layer.op.rows;
  const calib: CalibrationBlock[] = blocks.map((b) => {
    const inputs = new Int32Array(cal.count * b.rows);
    for (let m = 0; m < cal.count; m++) inputs.set(cal.inputs.subarray(m * K + b.srcRow, m * K + b.srcRow + b.rows), m * b.rows);
    return {
      levels: encodeLevels(blockInts(qm, b), b.rows, b.cols, cfg),
      geometry: { rows: b.rows, nOut: b.cols, stride: b.cols * cpw }, inputs, count: cal.count,
    };
  });
  const r = calibrateAdcRanges(cfg, calib);
  shared.set(cut, r);
  return r;
}
