// The Node ↔ browser equality scenario. `runFingerprint(seed)` runs a fixed list of seeded steps through the
// library and returns a JSON summary made only of exact quantities (integers, hex SHA-256 digests of result
// arrays, booleans, and doubles that JSON prints shortest-round-trip). Run it in Node and in Chromium and the two
// JSON strings must be identical, byte for byte (test/browser/equality.test.ts).
//
// Extension: a step is `{ name, what, run(seed) }` whose `run` returns a flat JSON record. Steps are listed in
// `fingerprintSteps` in pipeline order; a new stage of the engine (encode → MVM, write-verify, BLM switch, analog
// inference) adds one step object here when its API lands. Boolean fields are invariants that must hold (twins
// agree, ideal = quantized, ...): the Node test checks they are all true. Steps must not report pointers, memory sizes or timings
// (those legitimately differ between runs and hosts), only results, and must leave the arena as they found it.
import { init, arena, wasm, WasmRng, streamId, StreamPurpose } from '../../src/wasm/index.js';
import {
  resolveHardware, cellsPerWeight, tileCols, quantizeWeights, quantizeInputs, maxInputInt, TiledCore, integerMatmul,
  type HardwareConfig,
} from '../../src/hardware/index.js';
import { WASM_BASE64, WASM_SHA256 } from '../../src/wasm/binary.generated.js';
import { RefRng } from '../../src/reference/rng.js';
import { detExp, detLog } from '../../src/reference/detmath.js';
import { mapModel } from '../../src/mapping/map.js';
import type { XammPlacement } from '../../src/mapping/xamm.js';
import { linearAssignment } from '../../src/matching/assignment.js';
import { blockCostMatrix } from '../../src/matching/cost.js';
import { encodeLevels } from '../../src/hardware/encode.js';
import { sha256Hex } from './hash.js';
import { deploy, switchTo, syntheticDenseModel, syntheticInputs } from './pipeline.js';
import type { ProgramTotals } from '../../src/programming/report.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { MODEL_SHAPES } from './models.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type StepRecord = Record<string, JsonValue>;

export interface FingerprintStep {
  /** Short stable id, e.g. "prng". */
  name: string;
  /** One line: what the step exercises. */
  what: string;
  run(seed: number): StepRecord;
}

export interface FingerprintSummary {
  format: 'ha3m-fingerprint/1';
  seed: number;
  /** SHA-256 recorded at build time and SHA-256 of the embedded bytes recomputed here: both hosts ran this binary. */
  wasmSha256: string;
  wasmBytesSha256: string;
  steps: { name: string; result: StepRecord }[];
  /** SHA-256 of the JSON of `steps`: one string to compare. */
  digest: string;
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** PRNG streams: wasm u32/uniform/normal for a few (seed, stream) pairs, and agreement with the TS reference. */
export const prngStep: FingerprintStep = {
  name: 'prng',
  what: 'xoshiro128** streams (u32, uniform, normal) in wasm, compared with the TS reference',
  run(seed) {
    const out: StepRecord = {};
    const streams = [streamId(StreamPurpose.test), streamId(StreamPurpose.programming, 3, 5), streamId(StreamPurpose.readNoise, 1)];
    let refAgrees = true;
    streams.forEach((stream, k) => {
      arena.scoped(() => {
        const rng = new WasmRng(seed + k, stream);
        const u = rng.u32(4096), un = rng.uniform(4096), n = rng.normal(4097);
        out[`u32_${k}`] = sha256Hex(u);
        out[`uniform_${k}`] = sha256Hex(un);
        out[`normal_${k}`] = sha256Hex(n);
        out[`normalFirst_${k}`] = n[0]!;
        const ref = new RefRng(seed + k, stream);
        for (let i = 0; i < 256; i++) if (ref.nextU32() !== u[i]) refAgrees = false;
      });
    });
    out.refAgrees = refAgrees;
    return out;
  },
};

/** Deterministic log/exp over a seeded grid: wasm results, and whether the TS twins agree bit for bit. */
export const detmathStep: FingerprintStep = {
  name: 'detmath',
  what: 'detLog/detExp (wasm mathLog/mathExp) over 4096 seeded arguments, compared with src/reference/detmath',
  run(seed) {
    const xs = arena.scoped(() => new WasmRng(seed, streamId(StreamPurpose.misc, 1)).uniform(4096));
    const logs = new Float64Array(xs.length), exps = new Float64Array(xs.length);
    let refAgrees = true;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]! * 2 ** ((i % 64) - 32); // spread over many binades
      const y = (xs[i]! - 0.5) * 1400; // exp over [-700, 700]
      logs[i] = wasm().mathLog(x);
      exps[i] = wasm().mathExp(y);
      if (logs[i] !== detLog(x) || exps[i] !== detExp(y)) refAgrees = false;
    }
    return { log: sha256Hex(logs), exp: sha256Hex(exps), log1: logs[1]!, exp1: exps[1]!, refAgrees };
  },
};

/** Arena growth: data written before a memory.grow reads back identically through the rebuilt views. */
export const arenaStep: FingerprintStep = {
  name: 'arena',
  what: 'Arena allocations across a wasm memory.grow: views are rebuilt and data survives',
  run(seed) {
    return arena.scoped((a) => {
      const data = a.alloc('f64', 1024);
      const rng = new WasmRng(seed, streamId(StreamPurpose.misc, 2));
      wasm().rngFillNormal(rng.ptr, data.ptr, data.length);
      const before = sha256Hex(data.view);
      const memory = wasm().memory;
      const pagesBefore = memory.buffer.byteLength;
      // Enough to push past the current end whatever earlier users left, so a grow always happens.
      const filler = a.alloc('u8', pagesBefore - a.mark() + 2 * 65536);
      const grew = memory.buffer.byteLength > pagesBefore;
      const after = sha256Hex(data.view);
      const tail = a.alloc('i32', 256);
      tail.view.forEach((_, i, v) => { v[i] = i * 7919 - 1000; });
      return {
        before, after, grew, survived: before === after, fillerZero: filler.view[filler.length - 1] === 0,
        aligned: data.ptr % 16 === 0 && tail.ptr % 16 === 0, tail: sha256Hex(tail.view),
      };
    });
  },
};

/** Hardware config resolution and weight/input quantization (pure TS, but it is what every later step starts from). */
export const quantizeStep: FingerprintStep = {
  name: 'quantize',
  what: 'resolveHardware presets, derived layout, quantizeWeights/quantizeInputs of a seeded matrix',
  run(seed) {
    const out: StepRecord = {};
    for (const preset of ['default', 'neurram', 'ideal']) {
      const c: HardwareConfig = resolveHardware({}, preset);
      out[`${preset}_cpw`] = cellsPerWeight(c);
      out[`${preset}_tileCols`] = tileCols(c);
    }
    const c = resolveHardware();
    const rows = 64, cols = 48;
    const w = arena.scoped(() => new WasmRng(seed, streamId(StreamPurpose.misc, 3)).normal(rows * cols));
    const q = quantizeWeights(w, rows, cols, c);
    out.weights = sha256Hex(q.ints);
    out.scales = sha256Hex(q.scales);
    out.scale0 = q.scales[0]!;
    const x = arena.scoped(() => new WasmRng(seed, streamId(StreamPurpose.misc, 4)).uniform(rows));
    out.inputs = sha256Hex(quantizeInputs(x, 1, c));
    return out;
  },
};

/**
 * Encode → crossbar MVM: a seeded 200 × 40 layer quantized and split over 2 × 3 tiles (default preset), cell
 * levels of every tile, the ideal integer MVM (checked against a plain matmul) and the analog MVM with read noise
 * and a calibrated ADC.
 */
export const encodeMvmStep: FingerprintStep = {
  name: 'encode-mvm',
  what: 'quantize + encodeLevels over a TiledCore, ideal MVM (== integer matmul) and analog MVM with read noise',
  run(seed) {
    const c = resolveHardware();
    const K = 200, N = 40, batch = 8;
    return arena.scoped((a) => {
      const w = new WasmRng(seed, streamId(StreamPurpose.misc, 5), a).normal(K * N);
      const q = quantizeWeights(w, K, N, c);
      const xu = new WasmRng(seed, streamId(StreamPurpose.misc, 6), a).u32(batch * K);
      const x = Int32Array.from(xu, (v) => v % (maxInputInt(c) + 1));
      const core = new TiledCore(c, q.ints, K, N, a);
      const levels = core.tiles.map((t) => sha256Hex(t.levels));
      const ideal = core.mvmIdeal(x, batch);
      const exact = integerMatmul(x, batch, q.ints, K, N).every((v, i) => v === ideal[i]);
      const ranges = core.calibrateAdc(x, batch);
      const analog = core.mvmAnalog(x, batch, seed);
      const analog2 = core.mvmAnalog(x, batch, seed); // next call: a fresh noise stream
      return {
        tiles: core.crossbars, levels: sha256Hex(levels.join(',')), ideal: sha256Hex(ideal), idealEqualsMatmul: exact,
        adcRanges: sha256Hex(ranges), analog: sha256Hex(analog), analog0: analog[0]!, noiseAdvances: sha256Hex(analog2) !== sha256Hex(analog),
      };
    });
  },
};

/** Mapping: baseline and XAMM placements of the built-in model shapes (default preset), blocks hashed. */
export const mapStep: FingerprintStep = {
  name: 'map',
  what: 'mapModel baseline and XAMM (FFD + bin elimination + budgeted exact search) of the built-in model shapes',
  run() {
    const c = resolveHardware();
    const out: StepRecord = {};
    for (const m of MODEL_SHAPES.filter((s) => !s.dense || s.dense.variant === 0)) {
      const base = mapModel(m.layers, c);
      const x = mapModel(m.layers, c, { xamm: true }) as XammPlacement;
      out[`${m.id}_baseline`] = base.crossbars;
      out[`${m.id}_xamm`] = x.crossbars;
      out[`${m.id}_lowerBound`] = x.lowerBound;
      out[`${m.id}_blocks`] = sha256Hex(JSON.stringify(x.blocks));
      out[`${m.id}_utilization`] = x.utilization;
    }
    return out;
  },
};

/** Assignment (the solver under BLM): seeded square and rectangular cost matrices, wasm vs TS reference. */
export const assignmentStep: FingerprintStep = {
  name: 'assignment',
  what: 'linearAssignment (wasm Jonker-Volgenant) on seeded 200 × 200 and 60 × 150 costs, compared with the reference',
  run(seed) {
    const out: StepRecord = {};
    let refAgrees = true;
    for (const [k, n, m] of [[0, 200, 200], [1, 60, 150]] as const) {
      const cost = arena.scoped((a) => new WasmRng(seed, streamId(StreamPurpose.misc, 7, k), a).uniform(n * m));
      for (let i = 0; i < cost.length; i += 7) cost[i] = Math.floor(cost[i]! * 8); // ties on purpose
      const r = linearAssignment(cost, n, m);
      const ref = linearAssignment(cost, n, m, { backend: 'reference' });
      if (ref.total !== r.total || ref.rowToCol.some((v, i) => v !== r.rowToCol[i])) refAgrees = false;
      out[`total_${n}x${m}`] = r.total;
      out[`rowToCol_${n}x${m}`] = sha256Hex(r.rowToCol);
    }
    out.refAgrees = refAgrees;
    return out;
  },
};

/**
 * The core of a BLM switch: blocks of a new layer (encoded cell levels) priced against the slots an old layer left
 * (mismatch and L1 cost, plain and negated), then matched with the assignment solver.
 */
export const blockMatchStep: FingerprintStep = {
  name: 'block-match',
  what: 'encodeLevels of two seeded layers in 32 blocks each, blockCostMatrix (mismatch, l1, negate) + linearAssignment',
  run(seed) {
    const c = resolveHardware();
    const br = 16, bc = 4, n = 32; // blocks of 16 × 4 weights
    const cpb = br * bc * cellsPerWeight(c);
    const blocksOf = (k: number): Uint8Array => {
      const w = arena.scoped((a) => new WasmRng(seed, streamId(StreamPurpose.misc, 8, k), a).normal(n * br * bc));
      const q = quantizeWeights(w, n * br, bc, c);
      return encodeLevels(q.ints, n * br, bc, c); // row-major: block b = rows b·16 .. b·16+15, contiguous
    };
    const oldSlots = blocksOf(0), incoming = blocksOf(1);
    const out: StepRecord = {};
    for (const mode of ['mismatch', 'l1'] as const) {
      const r = blockCostMatrix(incoming, n, oldSlots, n, cpb, { mode, negate: true });
      const a = linearAssignment(r.cost, n, n);
      let identity = 0;
      for (let b = 0; b < n; b++) identity += r.cost[b * n + b]!;
      out[`${mode}_cost`] = sha256Hex(r.cost);
      out[`${mode}_negated`] = sha256Hex(r.negated!);
      out[`${mode}_matched`] = a.total;
      out[`${mode}_inPlace`] = identity;
      out[`${mode}_assignment`] = sha256Hex(a.rowToCol);
      out[`${mode}_matchNoWorse`] = a.total <= identity;
    }
    return out;
  },
};

const totalsRecord = (prefix: string, t: ProgramTotals): StepRecord => ({
  [`${prefix}_cycles`]: t.cycles, [`${prefix}_set`]: t.setPulses, [`${prefix}_reset`]: t.resetPulses,
  [`${prefix}_reads`]: t.verifyReads, [`${prefix}_touched`]: t.cellsTouched, [`${prefix}_failures`]: t.failures,
  [`${prefix}_energyJ`]: t.energyJ, [`${prefix}_latencyRowS`]: t.latencyRowS,
});

/**
 * The whole path: a seeded 80-24-10 dense model (64 × 64 crossbars) quantized, mapped, write-verify programmed into a fresh pool
 * (cycle counts, final conductances), inferred ideal and analog; then, from that same state each time, switched
 * to a second model under each strategy (full erase-write, diff in place, BLM global with negation): cycles of the
 * switch, conductances and wear after it, and model B's ideal and analog outputs through the new placement.
 */
export const programInferStep: FingerprintStep = {
  name: 'program-switch-infer',
  what: 'quantizeModel → mapModel → programModel → CrossbarEngine ideal/analog → switchModel full/diff/blm to model B',
  run(seed) {
    const cfg = resolveHardware({ crossbar: { rows: 64, cols: 64 } }); // small crossbars keep the step fast
    const sizes = [80, 24, 10], batch = 32;
    const a = syntheticDenseModel('A', sizes, seed, 0), b = syntheticDenseModel('B', sizes, seed, 1);
    const x = syntheticInputs(batch, sizes[0]!, seed);
    const out: StepRecord = {};
    for (const strategy of ['full', 'diff', 'blm'] as const) {
      const mark = arena.mark();
      try {
        // Twice the crossbars A needs, so BLM has free slots to choose from.
        const placement = mapModel(a.ops.map((o) => ({ name: o.name, rows: (o as { rows: number }).rows, cols: (o as { cols: number }).cols })), cfg);
        const pool = new CrossbarPool(cfg, { numCrossbars: 2 * placement.crossbars, seed });
        const dA = deploy(a, cfg, x, batch, { seed, pool, placement });
        if (strategy === 'full') {
          Object.assign(out, { crossbars: dA.placement.crossbars, ...totalsRecord('programA', dA.program.report.totals) });
          out.conductancesA = sha256Hex(dA.pool.conductances().view);
          out.levelsA = sha256Hex(dA.pool.levels().view);
          const q = dA.engine.run(x, batch, 'quantized'), ideal = dA.engine.run(x, batch, 'ideal');
          out.idealEqualsQuantized = q.every((v, i) => v === ideal[i]);
          out.analogA = sha256Hex(dA.engine.run(x, batch, 'analog'));
        }
        const s = switchTo(dA, b, x, batch, { strategy, seed, blm: { mode: 'global', negate: true } });
        Object.assign(out, totalsRecord(`${strategy}`, s.result.totals));
        out[`${strategy}_placement`] = sha256Hex(JSON.stringify(s.result.placement.blocks));
        if (s.result.blm) {
          out.blm_expectedCost = s.result.blm.expectedCost;
          out.blm_negatedBlocks = s.result.blm.negatedBlocks;
          out.blm_chose = s.result.blm.usedInPlace ? 'in-place placement' : 'matched placement';
        }
        out[`${strategy}_conductances`] = sha256Hex(dA.pool.conductances().view);
        out[`${strategy}_wear`] = sha256Hex(dA.pool.wear().view);
        const qB = s.engine.run(x, batch, 'quantized'), idealB = s.engine.run(x, batch, 'ideal');
        out[`${strategy}_idealEqualsQuantized`] = qB.every((v, i) => v === idealB[i]);
        out[`${strategy}_analogB`] = sha256Hex(s.engine.run(x, batch, 'analog'));
      } finally {
        arena.release(mark);
      }
    }
    out.blmNoWorseThanDiff = (out.blm_cycles as number) <= (out.diff_cycles as number) * 1.25; // expected-cost matching: near or below diff
    return out;
  },
};

/** The pipeline, in order. Later stages append here (see the header comment). */
export const fingerprintSteps: FingerprintStep[] = [prngStep, detmathStep, arenaStep, quantizeStep, encodeMvmStep, mapStep, assignmentStep, blockMatchStep, programInferStep];

/** Runs the steps (all by default) with one seed. Loads the wasm first, so it works on a browser main thread too. */
export async function runFingerprint(seed: number, steps: readonly FingerprintStep[] = fingerprintSteps,
  onStep?: (name: string, ms: number) => void): Promise<FingerprintSummary> {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`runFingerprint: seed must be a non-negative safe integer, got ${seed}`);
  await init();
  const results = steps.map((s) => {
    const t0 = performance.now();
    const result = s.run(seed);
    onStep?.(s.name, performance.now() - t0);
    return { name: s.name, result };
  });
  return {
    format: 'ha3m-fingerprint/1',
    seed,
    wasmSha256: WASM_SHA256,
    wasmBytesSha256: sha256Hex(decodeBase64(WASM_BASE64)),
    steps: results,
    digest: sha256Hex(JSON.stringify(results)),
  };
}
