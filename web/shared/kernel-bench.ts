// Kernel throughput, with one piece of code for Node and browsers (`node --import tsx web/tools/cli.ts bench`
// runs it in both and prints the Chromium/Node ratio). Timing: warm-up, then rounds of repeated calls until the
// time budget is spent; the fastest round gives the throughput (least disturbed by other load). Inputs are seeded, so both hosts do the same work.
// A case is { name, unit, setup() → { work, run } }; a kernel family adds one case when its API lands.
import { init, arena, wasm, WasmRng, streamId, StreamPurpose } from '../../src/wasm/index.js';
import { resolveHardware, quantizeWeights, maxInputInt, TiledCore } from '../../src/hardware/index.js';
import { CrossbarPool } from '../../src/hardware/pool.js';
import { programPool } from '../../src/programming/program.js';

export interface BenchCase {
  name: string;
  /** What `work` counts, e.g. "MAC" or "cell-iterations". */
  unit: string;
  /** Prepares inputs (released afterwards) and returns the timed call; `run` returns the units of work it did. */
  setup(): { run(): number };
}

export interface BenchResult { name: string; unit: string; unitsPerSecond: number; msPerCall: number; calls: number }

function mvmCore(K: number, N: number, batch: number) {
  const c = resolveHardware();
  const w = new WasmRng(1, streamId(StreamPurpose.misc, 90)).normal(K * N);
  const q = quantizeWeights(w, K, N, c);
  const x = Int32Array.from(new WasmRng(1, streamId(StreamPurpose.misc, 91)).u32(batch * K), (v) => v % (maxInputInt(c) + 1));
  const core = new TiledCore(c, q.ints, K, N);
  core.calibrateAdc(x.subarray(0, Math.min(batch, 4) * K), Math.min(batch, 4));
  return { core, x };
}

export const mvmIdealCase: BenchCase = {
  name: 'mvm-ideal 512×64 (16 crossbars), batch 64',
  unit: 'MAC',
  setup() {
    const K = 512, N = 64, batch = 64;
    const { core, x } = mvmCore(K, N, batch);
    return { run: () => { core.mvmIdeal(x, batch); return K * N * batch; } };
  },
};

export const mvmAnalogCase: BenchCase = {
  name: 'mvm-analog 512×64 (16 crossbars), batch 8, read noise + ADC',
  unit: 'MAC',
  setup() {
    const K = 512, N = 64, batch = 8;
    const { core, x } = mvmCore(K, N, batch);
    return { run: () => { core.mvmAnalog(x, batch, 7); return K * N * batch; } };
  },
};

/** The bare wasm kernel on one crossbar's composed weights (no host-side staging): raw SIMD throughput. */
export const mvmIdealKernelCase: BenchCase = {
  name: 'mvmIdealI16 kernel only, 128×16 weights, batch 256',
  unit: 'MAC',
  setup() {
    const K = 128, N = 16, batch = 256;
    const { core } = mvmCore(K, N, 1);
    const ideal = core.tiles[0]!.ideal;
    const xs = arena.alloc('i16', batch * ideal.kPad);
    const u = new WasmRng(2, streamId(StreamPurpose.misc, 92)).u32(xs.length);
    xs.view.set(Int16Array.from(u, (v) => v & 255));
    const y = arena.alloc('i32', batch * N);
    const kernel = (wasm() as unknown as { mvmIdealI16(x: number, wt: number, b: number, kPad: number, n: number, y: number): void }).mvmIdealI16;
    return { run: () => { kernel(xs.ptr, ideal.wt.ptr, batch, ideal.kPad, N, y.ptr); return K * N * batch; } };
  },
};

/**
 * Write-verify: 8 crossbars (128 × 128 cells) reset to HRS and programmed to seeded random 2-bit levels (ISPP,
 * default device). Work = programming cycles (SET + RESET pulses, each with its verify read) simulated.
 */
export const writeVerifyCase: BenchCase = {
  name: 'write-verify (ISPP) 8 × 128×128 cells from reset to random 2-bit levels',
  unit: 'cycle',
  setup() {
    const c = resolveHardware();
    const pool = new CrossbarPool(c, { numCrossbars: 8, seed: 3 });
    const targets = Uint8Array.from(new WasmRng(3, streamId(StreamPurpose.misc, 93)).u32(pool.numCells), (v) => v & 3);
    return {
      run: () => {
        pool.initialize('hrs');
        return programPool(pool, targets, { perCell: false }).report.totals.cycles;
      },
    };
  },
};

export const benchCases: BenchCase[] = [mvmIdealKernelCase, mvmIdealCase, mvmAnalogCase, writeVerifyCase];

/** Runs the cases (all by default), each for about `budgetMs`. */
export async function runKernelBench(opts: { budgetMs?: number; cases?: readonly BenchCase[] } = {}): Promise<BenchResult[]> {
  await init();
  const budget = opts.budgetMs ?? 600;
  const out: BenchResult[] = [];
  for (const bc of opts.cases ?? benchCases) {
    const mark = arena.mark();
    try {
      const { run } = bc.setup();
      const t0 = performance.now();
      run(); run();
      const once = Math.max(0.01, (performance.now() - t0) / 2);
      const perRound = Math.max(1, Math.round(budget / 10 / once));
      const rounds: { ms: number; work: number }[] = [];
      const start = performance.now();
      while (rounds.length < 3 || (performance.now() - start < budget && rounds.length < 50)) {
        const r0 = performance.now();
        let work = 0;
        for (let i = 0; i < perRound; i++) work += run();
        rounds.push({ ms: (performance.now() - r0) / perRound, work: work / perRound });
      }
      const rates = rounds.map((r) => r.work / (r.ms / 1000)).sort((a, b) => a - b);
      const ms = rounds.map((r) => r.ms).sort((a, b) => a - b)[rounds.length >> 1]!;
      // The fastest round: on a shared machine it is the one least disturbed by other load (the median is in msPerCall).
      out.push({ name: bc.name, unit: bc.unit, unitsPerSecond: rates[rates.length - 1]!, msPerCall: ms, calls: rounds.length * perRound });
    } finally {
      arena.release(mark);
    }
  }
  return out;
}
