// Seeded PRNG: xoshiro128** over a 32-byte state block in linear memory, seeded by splitmix64.
//
// Stream layout (documented in src/wasm/rng.ts, mirrored by src/reference/rng.ts):
//   bytes  0..15  xoshiro128** state s0..s3 (u32)
//   bytes 16..31  reserved (0)
// rngSeed(state, seedLo, seedHi, stream): z = seed64 + stream * 0xD1B54A32D192ED03 (mod 2^64); two splitmix64
// steps from z give u64 a, b; s0 = lo(a), s1 = hi(a), s2 = lo(b), s3 = hi(b) (all-zero is replaced by s0 = 1).
// Every consumer derives its own stream id (purpose, crossbar, operation counter), so draws never depend on the
// order in which independent work runs.
import { detLog, detExp } from './detmath';

export const RNG_STATE_BYTES: i32 = 32;

@inline function splitmix64(x: u64): u64 {
  let z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

export function rngSeed(state: usize, seedLo: u32, seedHi: u32, stream: u32): void {
  const seed = (<u64>seedHi << 32) | <u64>seedLo;
  let z = seed + <u64>stream * 0xD1B54A32D192ED03;
  z += 0x9E3779B97F4A7C15;
  const a = splitmix64(z);
  z += 0x9E3779B97F4A7C15;
  const b = splitmix64(z);
  let s0 = <u32>a;
  const s1 = <u32>(a >> 32);
  const s2 = <u32>b;
  const s3 = <u32>(b >> 32);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
  store<u32>(state, s0, 0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
  store<f64>(state, 0.0, 16);
  store<u32>(state, 0, 24);
  store<u32>(state, 0, 28);
}

@inline export function rngNextU32(state: usize): u32 {
  const s0 = load<u32>(state, 0);
  const s1 = load<u32>(state, 4);
  const s2 = load<u32>(state, 8);
  const s3 = load<u32>(state, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  const n1 = s1 ^ n2;
  const n0 = s0 ^ n3;
  store<u32>(state, n0, 0);
  store<u32>(state, n1, 4);
  store<u32>(state, n2 ^ t, 8);
  store<u32>(state, rotl<u32>(n3, 11), 12);
  return result;
}

/** Uniform in the open interval (0, 1): (u + 0.5) / 2^32, exact in f64. */
@inline export function rngUniform(state: usize): f64 {
  return (<f64>rngNextU32(state) + 0.5) * 2.3283064365386963e-10;
}

// Standard normal deviates by the ziggurat method (Marsaglia & Tsang 2000) with 128 layers. One u32 per draw in
// the common case: the low 7 bits pick the layer, the high 25 bits (as a signed value) the abscissa, so layer and
// value never share bits. Tables are built once from detLog/detExp, identically in the TS twin.
const ZIG_LAYERS = 128;
const ZIG_R: f64 = 3.442619855899;
const ZIG_V: f64 = 9.91256303526217e-3;
const ZIG_M: f64 = 16777216.0; // 2^24: |hz| < 2^24
const ZIG_K: usize = memory.data(ZIG_LAYERS * 4);
const ZIG_W: usize = memory.data(ZIG_LAYERS * 8);
const ZIG_F: usize = memory.data(ZIG_LAYERS * 8);
let zigReady = false;

function zigInit(): void {
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / detExp(-0.5 * dn * dn);
  store<u32>(ZIG_K, <u32>((dn / q) * ZIG_M), 0);
  store<u32>(ZIG_K, 0, 4);
  store<f64>(ZIG_W, q / ZIG_M, 0);
  store<f64>(ZIG_W + (<usize>(ZIG_LAYERS - 1) << 3), dn / ZIG_M);
  store<f64>(ZIG_F, 1.0, 0);
  store<f64>(ZIG_F + (<usize>(ZIG_LAYERS - 1) << 3), detExp(-0.5 * dn * dn));
  for (let i = ZIG_LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * detLog(ZIG_V / dn + detExp(-0.5 * dn * dn)));
    store<u32>(ZIG_K + (<usize>(i + 1) << 2), <u32>((dn / tn) * ZIG_M));
    tn = dn;
    store<f64>(ZIG_F + (<usize>i << 3), detExp(-0.5 * dn * dn));
    store<f64>(ZIG_W + (<usize>i << 3), dn / ZIG_M);
  }
  zigReady = true;
}

/** Standard normal deviate (ziggurat). */
export function rngNormal(state: usize): f64 {
  if (!zigReady) zigInit();
  while (true) {
    const u = rngNextU32(state);
    const iz = <usize>(u & (ZIG_LAYERS - 1));
    const hz = <i32>u >> 7;
    const mag = <u32>(hz < 0 ? -hz : hz);
    const x = <f64>hz * load<f64>(ZIG_W + (iz << 3));
    if (mag < load<u32>(ZIG_K + (iz << 2))) return x;
    if (iz == 0) {
      // tail beyond R
      let t: f64 = 0, y: f64 = 0;
      do {
        t = -detLog(rngUniform(state)) / ZIG_R;
        y = -detLog(rngUniform(state));
      } while (y + y < t * t);
      return hz > 0 ? ZIG_R + t : -ZIG_R - t;
    }
    const f0 = load<f64>(ZIG_F + (iz << 3));
    const f1 = load<f64>(ZIG_F + ((iz - 1) << 3));
    if (f0 + rngUniform(state) * (f1 - f0) < detExp(-0.5 * x * x)) return x;
  }
  return 0;
}

// ---- exported wrappers for the host and for tests ----

export function rngFillU32(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u32>(out + (<usize>i << 2), rngNextU32(state));
}

export function rngFillUniform(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), rngUniform(state));
}

export function rngFillNormal(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), rngNormal(state));
}
