// Plain-TS twin of assembly/rng.ts (xoshiro128** seeded by splitmix64; stream layout documented there and in
// src/wasm/rng.ts). Produces exactly the same numbers as the wasm generator for the same (seed, stream).
import { detLog } from './detmath.js';

const M64 = (1n << 64n) - 1n;

function splitmix64(x: bigint): bigint {
  let z = x & M64;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M64;
  return z ^ (z >> 31n);
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

export class RefRng {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private cached = 0; private hasCached = false;

  constructor(seed: number | bigint, stream: number) {
    const seed64 = BigInt.asUintN(64, BigInt(seed));
    let z = (seed64 + BigInt(stream >>> 0) * 0xD1B54A32D192ED03n) & M64;
    z = (z + 0x9E3779B97F4A7C15n) & M64;
    const a = splitmix64(z);
    z = (z + 0x9E3779B97F4A7C15n) & M64;
    const b = splitmix64(z);
    this.s0 = Number(a & 0xffffffffn); this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffffffffn); this.s3 = Number(b >> 32n);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextU32(): number {
    const { s0, s1, s2, s3 } = this;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    this.s0 = n0; this.s1 = n1; this.s2 = (n2 ^ t) >>> 0; this.s3 = rotl(n3, 11);
    return result;
  }

  /** Uniform in (0, 1). */
  uniform(): number { return (this.nextU32() + 0.5) * 2.3283064365386963e-10; }

  normal(): number {
    if (this.hasCached) { this.hasCached = false; return this.cached; }
    let u = 0, v = 0, s = 0;
    do {
      u = 2.0 * this.uniform() - 1.0;
      v = 2.0 * this.uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s === 0.0);
    const f = Math.sqrt(-2.0 * detLog(s) / s);
    this.cached = v * f; this.hasCached = true;
    return u * f;
  }
}
