// The write-verify kernel's memory layout: the offsets of its f32 table block, the indices of its f64 parameter block,
// its scratch sizes and the adaptive scheme's q-bucket rule. assembly/program.ts defines the same numbers (the
// kernel exports PROGRAM_SCRATCH_BYTES and PROGRAM_SUMMARY_FIELDS, and a test compares them); the host
// (src/programming/tables.ts) and the reference twin (src/reference/program.ts) read them from here.

export const LADDER_MAX = 256;
export const SAT_N = 2048;
export const Q_BITS = 12;
export const Q_N = 1 << Q_BITS; // segments
export const Q_SHIFT = 32 - Q_BITS;

/** Adaptive scheme: buckets of the ratio q by its f32 bits >>> K_SHIFT (9 mantissa bits), q from 2^-10 to 2^10. */
export const K_SHIFT = 14;
export const K_N = 20 << 9;
export const K_LO = (127 - 10) << 9;

export const T_AMP = 0;
export const T_VSQ = T_AMP + LADDER_MAX;
/** Saturation factors, interleaved: [T_SAT + 2i] SET, [T_SAT + 2i + 1] RESET factor of bin i. */
export const T_SAT = T_VSQ + LADDER_MAX;
export const T_C2C = T_SAT + 2 * SAT_N;
export const T_NORMAL = T_C2C + Q_N;
/** Adaptive start-k table, stored as i32 bit patterns in the f32 block: start k | (refine flag << 8). */
export const T_KSTART = T_NORMAL + Q_N;
export const TABLES_LEN = T_KSTART + K_N;

/** Rows whose accounting is open at once in the kernel (assembly/program.ts ROWS_IN_FLIGHT). */
export const ROWS_IN_FLIGHT = 8;
/** Bytes of the kernel's lane / row-slot scratch block (assembly/program.ts PROGRAM_SCRATCH_BYTES). */
export const PROGRAM_SCRATCH_BYTES = 1248 + 20 * LADDER_MAX + 8 * SAT_N + 16 * K_N;
/** f64 fields per crossbar of the wasm accounting pass (assembly/program.ts PROGRAM_SUMMARY_FIELDS). */
export const SUMMARY_FIELDS = 11;
/** Bytes of the kernel's row-flags scratch for a maxPulses (assembly/program.ts programFlagsBytes). */
export function programFlagsBytes(maxPulses: number): number { return (ROWS_IN_FLIGHT + 1) * 2 * (maxPulses + 1); }

/** Indices into the f64 parameter block. */
export const P = {
  seedLo: 0, seedHi: 1, gMin: 2, gMax: 3, spacing: 4, tol: 5, maxPulses: 6, readsPerVerify: 7, scheme: 8,
  setStep: 9, resetStep: 10, readRel: 11, readAbs: 12, readEnergy: 13, pulseEnergy: 14, periphPulse: 15,
  periphRead: 16, ladderLen: 17, adaptiveGain: 18, verifyAll: 19, numLevels: 20, invRange: 21, satScale: 22,
  verifyTol: 23,
} as const;
export const PARAMS_LEN = 24;

export const SCHEME_CODE = { ispp: 0, fppv: 1, adaptive: 2 } as const;

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);
/** The f32 value whose bits are b. */
export function fromBits(b: number): number { u32Bits[0] = b >>> 0; return f32Bits[0]!; }
/** Bucket of a positive f32 ratio q in the adaptive start table (clamped to the table). */
export function adaptiveBucket(q: number): number {
  f32Bits[0] = q;
  const b = (u32Bits[0]! >>> K_SHIFT) - K_LO;
  return b < 0 ? 0 : b > K_N - 1 ? K_N - 1 : b;
}
