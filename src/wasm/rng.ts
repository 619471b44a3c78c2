// Host side of the wasm PRNG. A stream is (seed, stream id); see assembly/rng.ts for the byte layout of a state
// block. Stream ids are derived from a purpose tag and indices with streamId(), so every consumer draws from its
// own stream and results never depend on scheduling order.
import { arena, WasmArray } from './arena.js';
import { wasm } from './runtime.js';

export const RNG_STATE_BYTES = 32;

/**
 * Purpose tags: the high byte of a stream id. Add new purposes at the end; never renumber.
 *
 * programming: operation k on crossbar c uses stream streamId(programming, c, k) of the pool's seed, but not
 * directly: the write-verify kernel (assembly/program.ts, since kernel version 2) takes the stream's first four
 * u32 outputs a_0..a_3 as a key and gives every cell its own xoshiro128** state
 * x_j = mix32(a_j + (cell + 1)·G_j) (cell = row·cols + col inside the crossbar; mix32 and G_j in
 * assembly/program.ts), so a cell's draws do not depend on which SIMD lane runs it or in what order. Per verify
 * read one u32 u: normal draw N[(u >>> 8) & 4095], and the pulse before that read takes its cycle-to-cycle
 * multiplier from C2C[u >>> 20]; a verify of R averaged reads draws once too (N[...]·f32(1/√R)).
 */
export const StreamPurpose = {
  test: 0,
  faults: 1,
  initialState: 2,
  programming: 3,
  readNoise: 4,
  costTable: 5,
  drift: 6,
  training: 7,
  misc: 8,
} as const;

/** 32-bit stream id from a purpose and up to two indices (FNV-1a mix; stable across versions). */
export function streamId(purpose: number, a = 0, b = 0): number {
  let h = 0x811c9dc5;
  for (const v of [purpose, a, b]) {
    for (let k = 0; k < 4; k++) {
      h ^= (v >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** Splits a JS number seed (integer, |seed| < 2^53) into the u32 halves the kernels take. */
export function seedHalves(seed: number): [lo: number, hi: number] {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
  const big = BigInt.asUintN(64, BigInt(seed));
  return [Number(big & 0xffffffffn), Number(big >> 32n)];
}

/** A seeded generator state block in wasm memory. */
export class WasmRng {
  readonly state: WasmArray<'u8'>;
  constructor(seed: number, stream: number, owner = arena) {
    this.state = owner.alloc('u8', RNG_STATE_BYTES);
    this.reseed(seed, stream);
  }
  get ptr(): number { return this.state.ptr; }
  reseed(seed: number, stream: number): void {
    const [lo, hi] = seedHalves(seed);
    wasm().rngSeed(this.state.ptr, lo, hi, stream >>> 0);
  }
  u32(n: number): Uint32Array {
    return arena.scoped((a) => { const out = a.alloc('u32', n); wasm().rngFillU32(this.ptr, out.ptr, n); return out.copy(); });
  }
  uniform(n: number): Float64Array {
    return arena.scoped((a) => { const out = a.alloc('f64', n); wasm().rngFillUniform(this.ptr, out.ptr, n); return out.copy(); });
  }
  normal(n: number): Float64Array {
    return arena.scoped((a) => { const out = a.alloc('f64', n); wasm().rngFillNormal(this.ptr, out.ptr, n); return out.copy(); });
  }
}
