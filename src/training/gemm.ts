// Host side of the f32 GEMM kernel (assembly/gemm.ts): C = α·op(A)·op(B) + β·C on arrays in our wasm memory, plus a
// copy-in/copy-out convenience for plain Float32Arrays. Memory comes from the process arena (src/wasm/arena.ts).
import { arena, type WasmArray } from '../wasm/arena.js';
import { wasmKernels } from '../wasm/index.js';

/**
 * Float32 tensor data that already has an exact copy in our wasm memory, keyed by tfjs dataId (tfjs never writes a
 * dataId's data in place, so the copy stays exact while the entry lives). HostAdam registers the weights it writes
 * (it keeps them in the arena anyway), so the next forward and backward matmuls read them without copying them in;
 * whoever registers an entry deletes it before reusing or freeing that memory.
 */
export const residentF32 = new WeakMap<object, WasmArray<'f32'>>();

/** Activations computed inside the kernel epilogue. */
export type GemmActivation = 'linear' | 'relu';

export interface GemmArgs {
  transA?: boolean;
  transB?: boolean;
  /** op(A) is m×k, op(B) is k×n, C is m×n. */
  m: number; n: number; k: number;
  a: WasmArray<'f32'>; b: WasmArray<'f32'>; c: WasmArray<'f32'>;
  /** Row strides; default the packed ones (op(A) rows: k, or m when transposed; likewise B; C: n). */
  lda?: number; ldb?: number; ldc?: number;
  alpha?: number; beta?: number;
  /** Epilogue: C[i, j] += bias[j], then the activation (applied after α/β). */
  bias?: WasmArray<'f32'>;
  activation?: GemmActivation;
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new Error(`gemm: ${msg}`);
}

/** Runs the wasm GEMM on arena arrays (validates shapes and strides; the kernel itself does not). */
export function gemm(g: GemmArgs): void {
  const { m, n, k } = g;
  const ta = !!g.transA, tb = !!g.transB;
  for (const [name, v] of [['m', m], ['n', n], ['k', k]] as const) {
    check(Number.isInteger(v) && v >= 0, `${name} must be a non-negative integer, got ${v}`);
  }
  const lda = g.lda ?? Math.max(1, ta ? m : k), ldb = g.ldb ?? Math.max(1, tb ? k : n), ldc = g.ldc ?? Math.max(1, n);
  const aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
  check(lda >= Math.max(1, aCols), `lda ${lda} is smaller than A's row length ${aCols}`);
  check(ldb >= Math.max(1, bCols), `ldb ${ldb} is smaller than B's row length ${bCols}`);
  check(ldc >= Math.max(1, n), `ldc ${ldc} is smaller than n = ${n}`);
  const need = (rows: number, cols: number, ld: number) => (rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols);
  check(g.a.length >= need(aRows, aCols, lda), `A holds ${g.a.length} floats, needs ${need(aRows, aCols, lda)} (${aRows}×${aCols}, lda ${lda})`);
  check(g.b.length >= need(bRows, bCols, ldb), `B holds ${g.b.length} floats, needs ${need(bRows, bCols, ldb)} (${bRows}×${bCols}, ldb ${ldb})`);
  check(g.c.length >= need(m, n, ldc), `C holds ${g.c.length} floats, needs ${need(m, n, ldc)} (${m}×${n}, ldc ${ldc})`);
  if (g.bias) check(g.bias.length >= n, `bias holds ${g.bias.length} floats, needs n = ${n}`);
  const act = g.activation ?? 'linear';
  check(act === 'linear' || act === 'relu', `activation '${act}' is not in the kernel; use linear or relu and apply others after`);
  const w = wasmKernels('gemm');
  const mark = arena.mark();
  try {
    const work = arena.alloc('f32', w.gemmWorkFloats(), false);
    w.gemmF32(ta, tb, m, n, k, g.alpha ?? 1, g.a.ptr, lda, g.b.ptr, ldb, g.beta ?? 0, g.c.ptr, ldc, work.ptr);
  } finally {
    arena.release(mark);
  }
  if (g.bias || act === 'relu') w.gemmBiasAct(g.c.ptr, m, n, ldc, g.bias ? g.bias.ptr : 0, act === 'relu' ? 1 : 0);
}

/** Convenience: C = op(A)·op(B) (+ bias, activation) on host arrays, copied through the arena. */
export function gemmHost(a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  opts: { transA?: boolean; transB?: boolean; bias?: Float32Array; activation?: GemmActivation } = {}): Float32Array {
  return arena.scoped((ar) => {
    const A = ar.from('f32', a), B = ar.from('f32', b), C = ar.alloc('f32', m * n, false);
    const bias = opts.bias ? ar.from('f32', opts.bias) : undefined;
    gemm({ m, n, k, a: A, b: B, c: C, transA: opts.transA, transB: opts.transB, bias, activation: opts.activation });
    return C.copy();
  });
}
