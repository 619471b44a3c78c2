// The kernel registry: the contract between the AssemblyScript kernels (assembly/) and their TypeScript callers.
//
// - Every wasm export is declared once, in exports.generated.ts, which the build writes from the declarations asc
//   emits for assembly/index.ts (`asc --bindings raw` → build/ha3m.d.ts → scripts/embed-wasm.mjs). wasm() and
//   wasmKernels() are typed by it and nothing redeclares a kernel, so a changed AssemblyScript signature breaks the
//   compile of every caller.
// - Every kernel family is registered below as { wasm, reference }: the names of its exports (checked against the
//   declarations by the compiler) and its plain-TypeScript twin from src/reference/ (bit-identical unless the
//   family's note says otherwise). test/wasm/kernels.test.ts checks that every export belongs to exactly one family.
// - One way to choose between them: host functions that can run either take `backend?: Backend` ('wasm' by
//   default); they reach the twin through reference(family). Production code imports src/reference/ only through
//   this file; tests run one spec over both backends with forEachBackend (test/helpers/backends.ts).
//
// Adding a kernel family:
//   1. write assembly/<family>.ts (flat functions over pointers) and export it from assembly/index.ts; `npm run build`
//      regenerates exports.generated.ts, so wasm().<name> is typed at once;
//   2. write its twin in src/reference/<family>.ts (plain TS, same results; imports nothing above src/wasm/);
//   3. add an entry to KERNELS: { wasm: [its export names], reference: { its twin's functions } };
//   4. call it through wasmKernels('<family>') (only that family's exports are visible), take `backend?: Backend`
//      where the host function can run the twin too, and test it with forEachBackend.
import type { WasmExports } from './exports.generated.js';
import { wasm } from './runtime.js';
import { RefRng } from '../reference/rng.js';
import { detExp, detLog } from '../reference/detmath.js';
import { refIm2colInts, refMvmIdeal } from '../reference/mvm.js';
import { RefNormal4, refAnalogMvm } from '../reference/analog.js';
import { refMaxPool2d } from '../reference/pool.js';
import { refProgramCells } from '../reference/program.js';
import { refProgramSummary } from '../reference/program-summary.js';
import { refLapSolve } from '../reference/lap.js';
import { refBlockCostMatrix, refBlockCostMatrixExact, refLevelCounts, refTopKCols } from '../reference/cost.js';
import { refSparseLapSolve } from '../reference/lap-sparse.js';
import { refAdamStep, refCol2im, refGemm, refGemmBiasAct, refIm2col, refMaxPoolGrad, refSumRows } from '../reference/gemm.js';

/** Where a kernel runs: the wasm binary, or its plain-TypeScript twin. */
export type Backend = 'wasm' | 'reference';
export const BACKENDS: readonly Backend[] = ['wasm', 'reference'];

/** An export of the module that is a function (the kernels; globals such as PROGRAM_SCRATCH_BYTES are constants). */
export type KernelName = { [K in keyof WasmExports]: WasmExports[K] extends (...args: never[]) => unknown ? K : never }[keyof WasmExports];

export interface KernelFamily {
  /** The family's exports. */
  wasm: readonly KernelName[];
  /** Its twin: the functions tests compare the exports with. */
  reference: Readonly<Record<string, unknown>>;
  /** Where the twin is not one-to-one (a part checked against the software model instead, a tolerance). */
  note?: string;
}

export const KERNELS = {
  runtime: {
    wasm: ['heapBase'], reference: {},
    note: 'the first byte the host may use; the arena (src/wasm/arena.ts) owns everything above it',
  },
  rng: { wasm: ['rngSeed', 'rngFillU32', 'rngFillUniform', 'rngFillNormal'], reference: { RefRng } },
  detmath: { wasm: ['mathLog', 'mathExp'], reference: { detLog, detExp } },
  mvmIdeal: {
    wasm: ['composeWeightsI16', 'composeWeightsI32', 'firstOutOfRange', 'packInputsI16', 'packInputsI32', 'mvmIdealI16', 'mvmIdealI32'],
    reference: { refMvmIdeal },
    note: 'refMvmIdeal is the twin of the whole compose → pack → multiply pipeline',
  },
  mvmAnalog: {
    wasm: ['analogIsExact', 'analogPrepareInt', 'analogPrepareF32', 'normal4Seed', 'normal4Fill', 'analogWorkBytes', 'analogMvm'],
    reference: { refAnalogMvm, RefNormal4 },
    note: 'refAnalogMvm is the twin of the whole prepare → multiply → noise → ADC pipeline of a block',
  },
  inferenceIdeal: {
    wasm: ['quantizeInputsI16', 'im2colI16', 'addBlockProduct', 'descaleBiasF32'],
    reference: { refIm2colInts },
    note: 'input quantization, block sums, de-scaling, bias and ReLU are checked bit for bit against the quantized software model (src/hardware/quantize.ts, src/mapping/hostops.ts)',
  },
  maxPool: { wasm: ['maxPool2dF32'], reference: { refMaxPool2d } },
  program: { wasm: ['programFlagsBytes', 'programCells', 'programSummary'], reference: { refProgramCells, refProgramSummary } },
  lap: { wasm: ['lapValidate', 'lapScratchBytes', 'lapInit', 'lapAugment'], reference: { refLapSolve } },
  lapSparse: { wasm: ['lapSparseScratchBytes', 'lapSparseInit', 'lapSparseAugment'], reference: { refSparseLapSolve } },
  cost: {
    wasm: ['costPackPlanes', 'costMatrix', 'costPairs', 'costHistogram', 'costRareCells', 'costTopKCols'],
    reference: { refBlockCostMatrix, refBlockCostMatrixExact, refLevelCounts, refTopKCols },
    note: 'costPairs is checked against costMatrix and the twins pair by pair; costRareCells through the exact-sum costs (the lists feed their corrections)',
  },
  gemm: {
    wasm: ['gemmWorkFloats', 'gemmF32', 'gemmBiasAct'], reference: { refGemm, refGemmBiasAct },
    note: 'blocked SIMD sums round differently: results agree within refGemmErrorBound, not bit for bit',
  },
  adam: { wasm: ['adamStepF32'], reference: { refAdamStep } },
  conv: { wasm: ['im2colF32', 'col2imF32', 'maxPoolGradF32', 'sumRowsF32'], reference: { refIm2col, refCol2im, refMaxPoolGrad, refSumRows } },
} as const satisfies Record<string, KernelFamily>;

export type KernelFamilyName = keyof typeof KERNELS;
type Family<F extends KernelFamilyName> = (typeof KERNELS)[F];

/** The exports of some families, typed as asc declares them. */
export type FamilyExports<F extends KernelFamilyName> = Pick<WasmExports, Family<F>['wasm'][number]>;

/**
 * The wasm exports of one or more families, typed as asc declares them (loads the module on first use, see
 * wasm()); a caller sees only its families' kernels.
 */
export function wasmKernels<F extends KernelFamilyName>(...families: F[]): FamilyExports<F> {
  void families; // the names only narrow the type: every export lives on the one module
  return wasm();
}

/** The plain-TypeScript twin of one family. */
export function reference<F extends KernelFamilyName>(family: F): Family<F>['reference'] {
  return KERNELS[family].reference;
}

/** Checks a `backend` option (an error names the allowed values); undefined means 'wasm'. */
export function resolveBackend(backend: Backend | undefined, where: string): Backend {
  if (backend === undefined) return 'wasm';
  if (backend !== 'wasm' && backend !== 'reference') throw new Error(`${where}: backend must be 'wasm' or 'reference', got ${String(backend)}`);
  return backend;
}

/**
 * The TS twin of the wasm PRNG (same xoshiro128** streams), for host-side draws that need no wasm memory: pool
 * fault maps, dataset shuffles, random grids. The same seed and stream give the same numbers as WasmRng.
 */
export const HostRng = RefRng;
export type HostRng = RefRng;

/** Deterministic log and exp (IEEE basic operations only), the twins of the kernels' mathLog / mathExp. */
export { detExp, detLog };
