// Plain-TS twin of assembly/rng.ts (xoshiro128** seeded by splitmix64; stream layout documented there and in
// src/wasm/rng.ts). Produces exactly the same numbers as the wasm generator for the same (seed, stream).
import { detExp, detLog } from './detmath.js';

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

  /** Standard normal deviate, ziggurat (see assembly/rng.ts). */
  normal(): number {
    const z = zigTables();
    for (;;) {
      const u = this.nextU32();
      const iz = u & 127;
      const hz = (u | 0) >> 7;
      const x = hz * z.w[iz]!;
      if (Math.abs(hz) < z.k[iz]!) return x;
      if (iz === 0) {
        let t = 0, y = 0;
        do {
          t = -detLog(this.uniform()) / ZIG_R;
          y = -detLog(this.uniform());
        } while (y + y < t * t);
        return hz > 0 ? ZIG_R + t : -ZIG_R - t;
      }
      const f0 = z.f[iz]!, f1 = z.f[iz - 1]!;
      if (f0 + this.uniform() * (f1 - f0) < detExp(-0.5 * x * x)) return x;
    }
  }
}

const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_M = 16777216.0;
let zig: { k: Uint32Array; w: Float64Array; f: Float64Array } | null = null;

function zigTables(): { k: Uint32Array; w: Float64Array; f: Float64Array } {
  if (zig) return zig;
  const k = new Uint32Array(128), w = new Float64Array(128), f = new Float64Array(128);
  let dn = ZIG_R, tn = dn;
  const q = ZIG_V / detExp(-0.5 * dn * dn);
  k[0] = Math.trunc((dn / q) * ZIG_M); k[1] = 0;
  w[0] = q / ZIG_M; w[127] = dn / ZIG_M;
  f[0] = 1.0; f[127] = detExp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * detLog(ZIG_V / dn + detExp(-0.5 * dn * dn)));
    k[i + 1] = Math.trunc((dn / tn) * ZIG_M);
    tn = dn;
    f[i] = detExp(-0.5 * dn * dn);
    w[i] = dn / ZIG_M;
  }
  zig = { k, w, f };
  return zig;
}
