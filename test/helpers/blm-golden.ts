// Golden BLM results: a grid of small matching problems (dense and conv models, both sign schemes, 2- and 3-bit
// cells, stuck cells, every mode / cost / negation / block size / routing option) and a digest of everything
// blmPlacement returns for each. test/fixtures/blm-golden.json holds the digests the matcher produced before it was
// restructured and sped up; the test recomputes them, so the exact matcher stays bit-identical to it.
//
//   node --import tsx test/helpers/blm-golden.ts --write     # regenerate the fixture (only on purpose)
//
// The pool state is written directly (A's target levels in its baseline mapping, a random state elsewhere where
// asked) rather than programmed, and 'expected' costs use a fixed table, so the digests do not depend on the
// write-verify simulation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initSync, arena } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { resolveHardware } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { tileCols } from '../../src/hardware/derived.js';
import { importLayersModel } from '../../src/mapping/import.js';
import { mapModel } from '../../src/mapping/map.js';
import { quantizeModel, placementTargets, type QuantizedModel } from '../../src/inference/index.js';
import { NO_TARGET } from '../../src/programming/program.js';
import { blmPlacement, type BlmOptions, type BlmResult } from '../../src/matching/index.js';

export const GOLDEN_PATH = new URL('../fixtures/blm-golden.json', import.meta.url);

/** The default device's expected-cost table (2-bit cells) at the time the fixture was made. */
const TABLE4 = [0, 8.1865234375, 15.91748046875, 54.083984375, 34.85595703125, 0, 12.37109375, 53.12646484375,
  36.27294921875, 7.841796875, 0, 51.04541015625, 35.89892578125, 9.88818359375, 7.9404296875, 0];
/** A made-up 3-bit table with non-dyadic entries (f32-rounded), so the exact-arithmetic check has to decide. */
const TABLE8 = Array.from({ length: 64 }, (_, k) => {
  const f = k >> 3, t = k & 7;
  return f === t ? 0 : Math.fround(Math.abs(f - t) * 6.1 + (t > f ? 2.7 : 9.3) + (f * 7 + t) / 13);
});

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function denseModel(seed: number, units = 30): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [40], units, activation: 'relu', kernelInitializer: init(seed) }));
  m.add(tf.layers.dense({ units: 20, activation: 'relu', kernelInitializer: init(seed + 1) }));
  m.add(tf.layers.dense({ units: 5, kernelInitializer: init(seed + 2) }));
  return m;
}

/** denseModel(seed) with its middle layer drawn again: a model that shares most blocks with denseModel(seed). */
function nearModel(seed: number): tf.LayersModel {
  const m = denseModel(seed);
  const l = m.layers[1]!;
  const [k, b] = l.getWeights();
  l.setWeights([tf.tidy(() => k!.add(tf.randomNormal(k!.shape, 0, 0.05, 'float32', 99))), b!]);
  return m;
}

function convModel(seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(seed) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 12, kernelSize: 2, activation: 'relu', kernelInitializer: init(seed + 1) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 7, kernelInitializer: init(seed + 2) }));
  return m;
}

async function quantize(m: tf.LayersModel, cfg: HardwareConfig): Promise<QuantizedModel> {
  const model = await importLayersModel(m);
  m.dispose();
  const n = model.inputShape.reduce((a, b) => a * b, 1);
  const r = new RefRng(7, 0);
  return quantizeModel(model, cfg, Float32Array.from({ length: 16 * n }, () => r.uniform()), 16);
}

interface Setup { name: string; hw: DeepPartial<HardwareConfig>; models: 'dense' | 'conv' | 'near'; extra: number; randomFree: boolean; table: number[] }

const SETUPS: Setup[] = [
  { name: 'dense diff', hw: { crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } }, models: 'dense', extra: 2, randomFree: false, table: TABLE4 },
  { name: 'conv diff', hw: { crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } }, models: 'conv', extra: 1, randomFree: true, table: TABLE4 },
  { name: 'dense offset', hw: { crossbar: { rows: 32, cols: 64 }, cells: { sign: 'offset' }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } }, models: 'dense', extra: 2, randomFree: true, table: TABLE4 },
  { name: 'dense faults', hw: { crossbar: { rows: 64, cols: 64 }, device: { faults: { stuckHrsRate: 0.02, stuckLrsRate: 0.02 } } }, models: 'dense', extra: 2, randomFree: false, table: TABLE4 },
  { name: 'conv 3-bit faults', hw: { crossbar: { rows: 32, cols: 96 }, cells: { cellBits: 3 }, device: { faults: { stuckHrsRate: 0.01, stuckLrsRate: 0.01 } } }, models: 'conv', extra: 1, randomFree: true, table: TABLE8 },
  { name: 'dense near', hw: { crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0.01, stuckLrsRate: 0 } } }, models: 'near', extra: 1, randomFree: false, table: TABLE4 },
  { name: 'dense full pool', hw: { crossbar: { rows: 32, cols: 64 }, device: { faults: { stuckHrsRate: 0, stuckLrsRate: 0 } } }, models: 'dense', extra: 0, randomFree: false, table: TABLE4 },
];

export interface GoldenCase { setup: string; opts: Omit<BlmOptions, 'resident' | 'table'> & { resident?: boolean } }

function smallBlocks(s: Setup): { blockRows: number; blockCols: number } {
  const cfg = resolveHardware(s.hw);
  const tc = tileCols(cfg);
  const bc = [4, 3, 5, 2].find((d) => tc % d === 0 && d < tc) ?? 1;
  return { blockRows: 8, blockCols: bc };
}

export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const s of SETUPS) {
    const small = smallBlocks(s);
    for (const mode of ['global', 'layer'] as const) {
      for (const negate of [false, true]) {
        for (const bs of [{}, small]) {
          out.push({ setup: s.name, opts: { mode, negate, resident: true, ...bs } });
        }
      }
    }
    out.push({ setup: s.name, opts: { cost: 'mismatch', ...small, fallbackInPlace: false } });
    out.push({ setup: s.name, opts: { cost: 'l1', mode: 'layer', resident: true, negate: true } });
    out.push({ setup: s.name, opts: { ...small, routing: 'serial', fallbackInPlace: false } });
    out.push({ setup: s.name, opts: { ...small, cost: 'mismatch', fallbackInPlace: false, tileGuard: false } });
    out.push({ setup: s.name, opts: { mode: 'layer', faultAware: false } });
    out.push({ setup: s.name, opts: { mode: 'layer', resident: true, ...small, cost: 'mismatch', tileGuard: false } });
  }
  return out;
}

/** Everything blmPlacement returns that is not a timing, as a stable JSON string. */
export function digestOf(r: BlmResult): { hash: string; expectedCost: number } {
  const body = {
    expectedCost: r.expectedCost, inPlaceCost: r.inPlaceCost, usedInPlace: r.usedInPlace, usedTiles: r.usedTiles, mode: r.mode,
    cost: r.cost, grid: r.grid, blocks: r.blocks, slots: r.slots, negatedBlocks: r.negatedBlocks, repairs: r.repairs,
    pinnedTiles: r.pinnedTiles, pinnedLayers: r.pinnedLayers, serialSteps: r.serialSteps, layerPairs: r.layerPairs ?? null,
    notes: r.notes, placement: r.placement.blocks.map((b) => [b.layer, b.srcRow, b.rows, b.srcCol, b.cols, b.crossbar, b.rowOffset, b.colOffset, b.negated ? 1 : 0]),
    crossbars: r.placement.crossbars,
  };
  return { hash: createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 32), expectedCost: r.expectedCost };
}

/** Runs every golden case (calls `each` with the case, its result and digest). */
export async function runGolden(each: (c: GoldenCase, r: BlmResult, d: ReturnType<typeof digestOf>) => void): Promise<void> {
  initSync();
  await tf.setBackend('cpu');
  await tf.ready();
  const cases = goldenCases();
  for (const s of SETUPS) {
    const cfg = resolveHardware(s.hw);
    const make = s.models === 'conv' ? convModel : (seed: number) => denseModel(seed);
    const qmA = await quantize(make(11), cfg), qmB = await quantize(s.models === 'near' ? nearModel(11) : make(21), cfg);
    const placementA = mapModel(qmA.model, cfg);
    const mark = arena.mark();
    try {
      const pool = new CrossbarPool(cfg, { numCrossbars: placementA.crossbars + s.extra, seed: 3, initialState: s.randomFree ? 'random' : 'hrs' });
      const { targets } = placementTargets(qmA, placementA, pool);
      const lv = pool.levels().view;
      for (let i = 0; i < targets.length; i++) if (targets[i] !== NO_TARGET) lv[i] = targets[i]!;
      for (const c of cases.filter((x) => x.setup === s.name)) {
        const { resident, ...o } = c.opts;
        const r = blmPlacement(qmB, pool, { ...o, table: o.cost && o.cost !== 'expected' ? undefined : s.table, resident: resident ? placementA : undefined });
        each(c, r, digestOf(r));
      }
    } finally { arena.release(mark); }
  }
}

if (process.argv.includes('--write')) {
  const rows: Array<{ setup: string; opts: GoldenCase['opts']; hash: string; expectedCost: number }> = [];
  await runGolden((c, _r, d) => rows.push({ setup: c.setup, opts: c.opts, ...d }));
  writeFileSync(GOLDEN_PATH, JSON.stringify({ note: 'digests of blmPlacement results; see test/helpers/blm-golden.ts', cases: rows }, null, 1) + '\n');
  console.log(`wrote ${rows.length} cases to ${GOLDEN_PATH.pathname}`);
}
