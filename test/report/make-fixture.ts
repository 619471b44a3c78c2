// Generates test/fixtures/results-small.json: a small but internally consistent results file (schema
// ha3m-results/2) — two 64→32→10 MLPs A and B on 64×64 crossbars, a 4-crossbar pool, sequence A,B,A,B, all four
// strategies, 8×8-bin heatmaps, a 3-point Pareto curve and training budgets. Numbers are synthetic but shaped like
// real runs (≈8.7 write-verify pulses per touched cell, RADAR statistics); accuracies are whole counts of their
// samples (claims on the 10,000-image test set, earlier residencies tracked on 1,000) with their Wilson intervals.
// Run: node --import tsx test/report/make-fixture.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultHardware } from '../../src/hardware/presets.js';
import { accuracyRecord } from '../../src/report/interval.js';
import { stringifyResults } from '../../src/report/json.js';
import { validateResults } from '../../src/report/schema.js';
import type { Accuracies, ModelBudget, Results, StrategyResult, SwitchRecord } from '../../src/report/types.js';

// Small deterministic generator for synthetic data (not a simulator stream).
let s = 0x9e3779b9;
function rand(): number {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const ROWS = 64, COLS = 64, BIN = 8, CELLS_PER_WEIGHT = 4;
const layers = [
  { layer: 0, name: 'dense_1', weights: 64 * 32 },
  { layer: 1, name: 'dense_2', weights: 32 * 10 },
];
const modelCells = layers.reduce((a, l) => a + l.weights * CELLS_PER_WEIGHT, 0); // 9472
const modelCrossbars = Math.ceil(modelCells / (ROWS * COLS)); // 3
const sequence = ['A', 'B', 'A', 'B'];

const TEST = 10000, TRACK = 1000;
interface Acc4 { float: number; quantized: number; ideal: number | null; analog: number | null }
/** An accuracy record: software on the whole test set, on-crossbar on `n` images (values rounded to whole counts). */
function acc(a: Acc4, n = TEST): Accuracies {
  const at = (v: number, m: number) => ({ value: Math.round(v * m) / m, n: m });
  return accuracyRecord({
    float: at(a.float, TEST), quantized: at(a.quantized, TEST),
    ideal: a.ideal === null ? null : at(a.ideal, n), analog: a.analog === null ? null : at(a.analog, n),
  });
}
const alone: Record<string, Acc4> = {
  A: { float: 0.9712, quantized: 0.9695, ideal: 0.9688, analog: 0.9641 },
  B: { float: 0.9493, quantized: 0.9467, ideal: 0.9459, analog: 0.9402 },
};
const merged: Record<string, Acc4> = {
  A: { float: 0.9684, quantized: 0.9660, ideal: 0.9655, analog: 0.9603 },
  B: { float: 0.9451, quantized: 0.9430, ideal: 0.9424, analog: 0.9371 },
};

const specs = [
  { name: 'full', description: 'reprogram every cell of the incoming model (no reuse)', touch: 0.97, pulses: 8.7, acc: alone, xbars: [0, 1, 2] },
  { name: 'diff', description: 'baseline mapping in place; program only cells whose level differs', touch: 0.64, pulses: 8.1, acc: alone, xbars: [0, 1, 2] },
  { name: 'blm', description: 'XAMM + BLM placement (no retraining)', touch: 0.41, pulses: 7.2, acc: alone, xbars: [1, 3, 0] },
  { name: 'ha3m', description: 'XAMM + BLM + MMR: tied blocks are never reprogrammed', touch: 0.07, pulses: 6.9, acc: merged, xbars: [1, 3, 0] },
] as const;

const round = (x: number, d = 6) => Number(x.toFixed(d));

function heatmap(touch: number, xbars: readonly number[], tiedBands: boolean) {
  const binRows = ROWS / BIN, binCols = COLS / BIN;
  const values: number[][] = [];
  let remaining = modelCells;
  for (let x = 0; x < modelCrossbars; x++) {
    const used = Math.min(ROWS * COLS, remaining);
    remaining -= used;
    const usedCols = Math.ceil(used / ROWS);
    const grid: number[] = [];
    for (let br = 0; br < binRows; br++) {
      for (let bc = 0; bc < binCols; bc++) {
        const colsInBin = Math.max(0, Math.min(BIN, usedCols - bc * BIN));
        // ha3m: MMR ties whole column bands, which are never reprogrammed.
        const p = tiedBands && (bc + x) % 4 !== 0 ? touch * 0.15 : touch;
        let k = 0;
        for (let c = 0; c < BIN * colsInBin; c++) if (rand() < p) k++;
        grid.push(round(k / (BIN * BIN), 4));
      }
    }
    values.push(grid);
  }
  return { crossbars: [...xbars], binRows, binCols, values };
}

const strategies: Record<string, StrategyResult> = {};
for (const sp of specs) {
  const switches: SwitchRecord[] = [];
  let wear = 0;
  sequence.forEach((to, index) => {
    const from = index === 0 ? null : sequence[index - 1]!;
    const touch = index === 0 ? 0.58 : sp.touch * (0.93 + 0.14 * rand());
    const perLayer = layers.map((l) => {
      const cells = l.weights * CELLS_PER_WEIGHT;
      const lt = Math.min(1, touch * (l.layer === 0 ? 1.03 : 0.8));
      const cellsTouched = Math.round(cells * lt);
      const cycles = Math.round(cellsTouched * sp.pulses * (0.95 + 0.1 * rand()));
      return { layer: l.layer, name: l.name, cells, cellsTouched, cycles, reusedFraction: round(1 - cellsTouched / cells) };
    });
    const cycles = perLayer.reduce((a, l) => a + l.cycles, 0);
    const cellsTouched = perLayer.reduce((a, l) => a + l.cellsTouched, 0);
    const setPulses = Math.round(cycles * 0.56);
    const verifyReads = cycles + cellsTouched;
    const energyJ = round(cycles * 1.9e-11 + verifyReads * 4.0e-13, 15);
    const latencyCellS = round(cycles * 1e-6 + verifyReads * 1e-7, 9);
    const latencyRowS = round(latencyCellS / 9.5, 9);
    wear = Math.max(wear + sp.pulses * (0.6 + 0.5 * rand()), 14 + index * 3);
    const accuracy: Record<string, Accuracies> = {};
    for (const m of ['A', 'B']) {
      const a = sp.acc[m]!;
      // the last residency of each model is the claim (whole test set); earlier ones track drift on TRACK images
      const claim = sequence.lastIndexOf(m) === index;
      accuracy[m] = m === to ? acc({ ...a, analog: a.analog! - 0.002 * rand() }, claim ? TEST : TRACK) : acc({ float: a.float, quantized: a.quantized, ideal: null, analog: null });
    }
    switches.push({
      index, from, to, cycles, setPulses, resetPulses: cycles - setPulses, verifyReads, energyJ,
      latencyS: latencyRowS, latencyCellS, latencyRowS,
      cellsTargeted: modelCells, cellsTouched, failures: Math.round(cellsTouched * 0.0011 * rand() * 2),
      crossbarsUsed: modelCrossbars, maxWear: Math.round(wear),
      switchesLeft: index === 0 && sp.name === 'ha3m' ? null : Math.round((1e6 - wear) / (sp.pulses * sp.touch)),
      matchingSeconds: sp.name === 'blm' || sp.name === 'ha3m' ? round(0.012 + 0.004 * rand(), 4) : 0,
      perLayer,
      heatmap: heatmap(touch, sp.xbars, sp.name === 'ha3m' && index > 0),
      accuracy,
    });
  });
  const sw = switches.filter((x) => x.index >= 1);
  const mean = (f: (x: SwitchRecord) => number) => sw.reduce((a, x) => a + f(x), 0) / sw.length;
  const lastAcc: Record<string, Accuracies> = {};
  for (const x of switches) lastAcc[x.to] = x.accuracy[x.to]!;
  strategies[sp.name] = {
    name: sp.name,
    description: sp.description,
    cyclesPerSwitch: mean((x) => x.cycles),
    energyPerSwitchJ: mean((x) => x.energyJ),
    latencyPerSwitchS: mean((x) => x.latencyS),
    latencyCellPerSwitchS: mean((x) => x.latencyCellS),
    latencyRowPerSwitchS: mean((x) => x.latencyRowS),
    cellsTouchedPerSwitch: mean((x) => x.cellsTouched),
    failuresPerSwitch: mean((x) => x.failures),
    totals: {
      cycles: switches.reduce((a, x) => a + x.cycles, 0),
      energyJ: switches.reduce((a, x) => a + x.energyJ, 0),
      latencyS: switches.reduce((a, x) => a + x.latencyS, 0),
      failures: switches.reduce((a, x) => a + x.failures, 0),
    },
    accuracy: lastAcc,
    switches,
    ...(sp.name === 'ha3m' ? { tiedFraction: 0.62 } : {}),
  };
}

const full = strategies.full!.cyclesPerSwitch;
const phase = (name: string, epochs: number) => ({ phase: name, epochs, trainSamples: 1000, samplesSeen: epochs * 1000 });
const budgets: ModelBudget[] = [];
for (const name of ['A', 'B']) {
  const task = name === 'A' ? 'digits-8x8' : 'digits-8x8-rot90';
  budgets.push({ name, variant: 'separate', task, phases: [phase('train', 2), phase('continue', 2)], epochs: 4, samplesSeen: 4000 });
  for (const share of [0.25, 0.5, 0.6, 0.75]) {
    budgets.push({ name, variant: 'merged', share, task, phases: [phase('train', 2), phase('mmr penalty', 1), phase('mmr fine-tune', 1)], epochs: 4, samplesSeen: 4000 });
  }
}
const results: Results = {
  schema: 'ha3m-results/2',
  tool: { name: 'ha3m', version: '0.1.0' },
  createdAt: '2026-11-26T14:30:00.000Z',
  seed: 42,
  config: { ...defaultHardware, crossbar: { rows: ROWS, cols: COLS, numCrossbars: 4 } },
  scenario: {
    name: 'fixture: MLP 64-32-10, A ↔ B',
    models: [
      { name: 'A', architecture: 'mlp-64-32-10', task: 'digits-8x8', crossbars: modelCrossbars, testSamples: TEST },
      { name: 'B', architecture: 'mlp-64-32-10', task: 'digits-8x8-rot90', crossbars: modelCrossbars, testSamples: TEST },
    ],
    sequence,
    poolCrossbars: 4,
    mapping: 'xamm',
    evalSamples: null,
    trackSamples: TRACK,
  },
  accuracyInterval: { method: 'wilson', confidence: 0.95 },
  training: { models: budgets, sameBudget: true },
  strategies,
  pareto: [0.25, 0.5, 0.75].map((share, i) => ({
    share,
    cyclesPerSwitch: Math.round(full * 0.5 * 0.4 ** i),
    tiedFraction: share,
    accuracy: {
      A: acc({ float: 0.9705 - 0.001 * i * i, quantized: 0.969 - 0.0012 * i * i, ideal: 0.9683 - 0.0013 * i * i, analog: 0.963 - 0.0018 * i * i }),
      B: acc({ float: 0.9488 - 0.002 * i * i, quantized: 0.946 - 0.0021 * i * i, ideal: 0.9452 - 0.0022 * i * i, analog: 0.9395 - 0.0025 * i * i }),
    },
  })),
  notes: [
    'synthetic fixture for report tests: numbers are shaped like a real run but not simulated',
    'pool = one model (3 crossbars) + 1 spare',
  ],
};

validateResults(results, 'generated fixture');
const out = fileURLToPath(new URL('../fixtures/results-small.json', import.meta.url));
writeFileSync(out, stringifyResults(results));
console.log(`wrote ${out}`);
