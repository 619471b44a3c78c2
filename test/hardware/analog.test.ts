// The GEMM-shaped analog MVM (assembly/analog.ts) against its plain-TS twin (src/reference/analog.ts): bit for bit
// over configurations, noise models, exact and programmed cells, ADC modes and input widths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, arena, WasmRng } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { refAnalogMvm, type RefAnalogBlock } from '../../src/reference/analog.js';
import { resolveHardware, deepMerge } from '../../src/hardware/resolve.js';
import type { DeepPartial, HardwareConfig } from '../../src/hardware/config.js';
import { encodeLevels } from '../../src/hardware/encode.js';
import { AnalogBlock, adcSteps, idealConductances, intPathAllowed, noiseSetup } from '../../src/hardware/mvm.js';
import { cellsPerWeight, levelSpacingUS, magnitudeSlices, maxWeightInt, signCells, weightOffset } from '../../src/hardware/derived.js';
import { maxInputInt } from '../../src/hardware/quantize.js';
import { normalTable } from '../../src/programming/tables.js';

initSync();

function randomInts(rng: RefRng, n: number, qmax: number, signed: boolean): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = signed ? (rng.nextU32() % (2 * qmax + 1)) - qmax : rng.nextU32() % (qmax + 1);
  return out;
}

const settings: Array<[string, DeepPartial<HardwareConfig>]> = [
  ['defaults', {}],
  ['offset', { cells: { sign: 'offset' } }],
  ['signed inputs', { io: { inputSigned: true } }],
  ['3-bit cells, 6-bit weights, 2-bit DAC', { cells: { cellBits: 3 }, weights: { weightBits: 6 }, io: { dacBits: 2 } }],
  ['wide: 16-bit inputs', { io: { inputBits: 16 }, crossbar: { rows: 16 } }],
  ['1-bit cells offset, signed', { cells: { cellBits: 1, sign: 'offset' }, weights: { weightBits: 4 }, io: { inputSigned: true } }],
];
const adcModes: Array<[string, DeepPartial<HardwareConfig>]> = [
  ['max per digit', { io: { adcRange: 'max' } }],
  ['granular', { io: { adcRange: 'granular', adcBits: 6 } }],
  ['max after accumulation', { io: { adcRange: 'max', adcPerInputBit: false } }],
  ['no ADC', { io: { adcBits: 0, adcRange: 'max' } }],
];
const noiseModels = ['none', 'pair', 'device', 'proportional'] as const;

function refBlock(cfg: HardwareConfig, rows: number, nOut: number, stride: number, levels: Uint8Array, g: Float32Array,
  gRef: Float32Array | null): RefAnalogBlock {
  const { steps, half } = adcSteps(cfg, rows);
  const ns = noiseSetup(cfg);
  return {
    rows, nOut, slices: magnitudeSlices(cfg), signCells: signCells(cfg) as 1 | 2, cellBits: cfg.cells.cellBits, stride,
    levels, g, gRef, gMinUS: cfg.device.gMinUS, dG: levelSpacingUS(cfg), relative: ns.relative, absolute: ns.absolute,
    noise: ns.noise, inputBits: cfg.io.inputBits, dacBits: cfg.io.dacBits, inputSigned: cfg.io.inputSigned,
    adc: cfg.io.adcBits > 0, steps, half, perDigit: cfg.io.adcPerInputBit, offset: weightOffset(cfg),
    intAllowed: intPathAllowed(cfg, rows),
  };
}

test('analog MVM (wasm) is bit-identical to the reference: settings × ADC modes × noise models × exact/programmed', () => {
  let cases = 0, exactSeen = 0;
  for (const [name, o] of settings) {
    for (const [adcName, ao] of adcModes) {
      for (const model of noiseModels) {
        for (const programmed of [false, true]) {
          const noise = model === 'none' ? { relative: 0, absoluteUS: 0 }
            : { model, relative: 0.05, absoluteUS: model === 'proportional' ? 0 : 1.5 };
          const cfg = resolveHardware(deepMerge(deepMerge(o, ao), { device: { readNoise: noise } }));
          const rng = new RefRng(cases + 1, 5);
          const rows = Math.min(37, cfg.crossbar.rows), nOut = 5, batch = 3;
          const w = randomInts(rng, rows * nOut, maxWeightInt(cfg), true);
          const x = randomInts(rng, batch * rows, maxInputInt(cfg), cfg.io.inputSigned);
          const levels = encodeLevels(w, rows, nOut, cfg);
          const stride = nOut * cellsPerWeight(cfg) + 3; // a wider array than the block
          const lv = new Uint8Array(rows * stride), g = new Float32Array(rows * stride);
          const ideal = idealConductances(cfg, levels);
          for (let i = 0; i < rows; i++) {
            for (let c = 0; c < stride; c++) {
              const inBlock = c < nOut * cellsPerWeight(cfg);
              lv[i * stride + c] = inBlock ? levels[i * nOut * cellsPerWeight(cfg) + c]! : 0;
              const g0 = inBlock ? ideal[i * nOut * cellsPerWeight(cfg) + c]! : 77;
              // programmed cells sit off their levels, and near 0 some draws are rectified
              g[i * stride + c] = programmed ? Math.fround(g0 * (1 + 0.05 * (rng.uniform() - 0.5)) - (c % 7 === 0 ? g0 * 0.9 : 0)) : g0;
            }
          }
          const gRef = cfg.cells.sign === 'offset' ? new Float32Array(rows * stride).fill(Math.fround(cfg.device.gMinUS)) : null;
          const block = new AnalogBlock(cfg, arena.from('f32', g), { rows, nOut, stride }, gRef ? arena.from('f32', gRef) : null,
            arena, 0, arena.from('u8', lv));
          if (block.exact) exactSeen++;
          assert.is(block.exact, !programmed && model !== 'device' && model !== 'proportional' && intPathAllowed(cfg, rows), `${name} exact flag`);
          const got = block.mvm(x, batch, new WasmRng(77, cases));
          const want = refAnalogMvm(x, rows, batch, refBlock(cfg, rows, nOut, stride, lv, g, gRef), new RefRng(77, cases), normalTable());
          assert.equal(Array.from(got), Array.from(want), `${name} / ${adcName} / ${model} / programmed=${programmed}`);
          arena.reset();
          cases++;
        }
      }
    }
  }
  assert.ok(exactSeen > 10, 'the exact integer path ran');
});

test('i16 inputs with a row stride (the engine packs patches) equal i32 inputs', () => {
  const cfg = resolveHardware({ io: { adcRange: 'max' } });
  const rng = new RefRng(4, 4);
  const rows = 50, nOut = 7, batch = 5, xStride = 56;
  const levels = encodeLevels(randomInts(rng, rows * nOut, maxWeightInt(cfg), true), rows, nOut, cfg);
  const g = idealConductances(cfg, levels);
  for (let i = 0; i < g.length; i++) g[i] = Math.fround(g[i]! + rng.uniform());
  const stride = nOut * cellsPerWeight(cfg);
  const block = new AnalogBlock(cfg, arena.from('f32', g), { rows, nOut, stride });
  const x = randomInts(rng, batch * rows, maxInputInt(cfg), false);
  const want = block.mvm(x, batch, new WasmRng(3, 3));
  const xs = arena.alloc('i16', batch * xStride);
  for (let b = 0; b < batch; b++) for (let i = 0; i < rows; i++) xs.view[b * xStride + i] = x[b * rows + i]!;
  const y = arena.alloc('f64', batch * nOut);
  block.run(arena, xs.ptr, false, xStride, batch, new WasmRng(3, 3), null, y.ptr);
  assert.equal(Array.from(y.view), Array.from(want));
  arena.reset();
});

test.run();
