// Crossbar MVM throughput: wasm ideal and analog vs the TS reference, and the ideal path vs tf.matMul on the
// tfjs wasm backend for the same logical matrix (128×128 crossbar, 8-bit weights, 2-bit cells → 128×16 logical
// weights, batch 256). Run: node --import tsx bench/mvm.bench.ts
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initSync, arena, WasmRng } from '../src/wasm/index.js';
import { RefRng } from '../src/reference/rng.js';
import { refMvmIdeal } from '../src/reference/mvm.js';
import { refAnalogMvm } from '../src/reference/analog.js';
import { normalTable } from '../src/programming/tables.js';
import { resolveHardware } from '../src/hardware/resolve.js';
import { encodeLevels } from '../src/hardware/encode.js';
import { composeIdeal, AnalogBlock, idealConductances, adcSteps, intPathAllowed } from '../src/hardware/mvm.js';
import { cellsPerWeight, magnitudeSlices, tileCols, levelSpacingUS } from '../src/hardware/derived.js';
import { runTasks, ratio } from './util.js';

initSync();
const cfg = resolveHardware({ io: { adcRange: 'max' } }); // a fixed ADC range: the kernel's cost does not depend on it
const rows = cfg.crossbar.rows, nOut = tileCols(cfg), batch = 256;
const rng = new RefRng(1, 0);
const w = Int32Array.from({ length: rows * nOut }, () => (rng.nextU32() % 255) - 127);
const x = Int32Array.from({ length: batch * rows }, () => rng.nextU32() % 256);
const levels = encodeLevels(w, rows, nOut, cfg);
const stride = nOut * cellsPerWeight(cfg);
const ideal = composeIdeal(cfg, levels, { rows, nOut, stride });
const g = idealConductances(cfg, levels);
const gw = arena.from('f32', g);
const analog = new AnalogBlock(cfg, gw, { rows, nOut, stride });
const noiseRng = new WasmRng(1, 1);
const { steps, half } = adcSteps(cfg, rows);
const shape = { rows, nOut, slices: magnitudeSlices(cfg), signCells: 2 as const, cellBits: cfg.cells.cellBits, offset: 0 };
const refBlock = {
  ...shape, stride, levels, g, gRef: null, gMinUS: cfg.device.gMinUS, dG: levelSpacingUS(cfg),
  relative: cfg.device.readNoise.relative, absolute: cfg.device.readNoise.absoluteUS, noise: 'pair' as const,
  inputBits: 8, dacBits: 1, inputSigned: false, adc: true, steps, half, perDigit: true, intAllowed: intPathAllowed(cfg, rows),
};
const refRng = new RefRng(1, 1);

const require = createRequire(import.meta.url);
setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
await tf.setBackend('wasm');
await tf.ready();
const xt = tf.tensor2d(Float32Array.from(x), [batch, rows]);
const wtf = tf.tensor2d(Float32Array.from(w), [rows, nOut]);

const macs = batch * rows * nOut;
const rowsOut = await runTasks(`MVM, one ${rows}×${cfg.crossbar.cols} crossbar (${rows}×${nOut} logical), batch ${batch}`, [
  { name: 'wasm ideal', fn: () => ideal.mvm(x, batch) },
  { name: 'wasm analog (read noise, 8-bit ADC)', fn: () => analog.mvm(x, batch, noiseRng) },
  { name: 'TS reference ideal (bit-serial)', fn: () => refMvmIdeal(x, batch, levels, stride, shape, 8, false) },
  { name: 'TS reference analog', fn: () => refAnalogMvm(x, rows, batch, refBlock, refRng, normalTable()) },
  { name: 'tfjs-wasm matMul (float, same logical matrix)', fn: () => { const y = tf.matMul(xt, wtf); y.dataSync(); y.dispose(); } },
], { timeMs: 1500 });

const ideaMs = rowsOut.find((r) => r.name === 'wasm ideal')!.meanMs;
const tfMs = rowsOut.find((r) => r.name.startsWith('tfjs'))!.meanMs;
console.log(`\nwasm ideal vs TS reference:   ${ratio(rowsOut, 'TS reference ideal (bit-serial)', 'wasm ideal').toFixed(1)}×  (goal ≥ 20×)`);
console.log(`wasm analog vs TS reference:  ${ratio(rowsOut, 'TS reference analog', 'wasm analog (read noise, 8-bit ADC)').toFixed(1)}×  (goal ≥ 20×)`);
console.log(`ideal path vs tfjs-wasm matMul, logical MACs/s: ${ratio(rowsOut, 'tfjs-wasm matMul (float, same logical matrix)', 'wasm ideal').toFixed(2)}×  (goal ≥ 0.5×)`);
console.log(`wasm ideal: ${(macs / ideaMs / 1e6).toFixed(2)} G logical MAC/s; tfjs-wasm matMul: ${(macs / tfMs / 1e6).toFixed(2)} G MAC/s`);
