// Plain-TS twin of assembly/analog.ts (the GEMM-shaped analog MVM), written the straightforward way: one vector, one
// digit, one column at a time, with Math.fround wherever the kernel rounds to f32 (f64 then f32 rounding equals
// direct f32 rounding for +, −, ×, ÷ and √), so results are bit-identical for the same seed. The kernel's header
// defines the prepared matrices, the noise models and the order of the normal draws.
import { RefRng } from './rng.js';

const f = Math.fround;

export type RefNoise = 'none' | 'pair' | 'device';

export interface RefAnalogBlock {
  rows: number; nOut: number; slices: number; signCells: 1 | 2; cellBits: number;
  /** Cells per physical row of g / levels; the block's cells start at index 0. */
  stride: number;
  levels: Uint8Array; g: Float32Array;
  /** Offset scheme: the reference cell of row i at gRef[i·stride]; null for differential. */
  gRef: Float32Array | null;
  gMinUS: number; dG: number; relative: number; absolute: number; noise: RefNoise;
  inputBits: number; dacBits: number; inputSigned: boolean;
  /** ADC: steps per slice (f64), max |code|; adc false = no ADC. */
  adc: boolean; steps: ArrayLike<number>; half: number; perDigit: boolean;
  /** Offset removed digitally (offset scheme: 2^(weightBits−1)), 0 for differential. */
  offset: number;
  /** Use the exact integer path when the cells hold exact levels (the host decides overflow safety). */
  intAllowed: boolean;
}

/** Four xoshiro128** lanes seeded from a scalar stream; deviates are table[u >>> 20]. */
export class RefNormal4 {
  private readonly s: Uint32Array[] = [new Uint32Array(4), new Uint32Array(4), new Uint32Array(4), new Uint32Array(4)];
  constructor(rng: RefRng, private readonly table: Float32Array) {
    for (let l = 0; l < 4; l++) {
      let any = 0;
      for (let w = 0; w < 4; w++) { const u = rng.nextU32(); any |= u; this.s[w]![l] = u; }
      if (any === 0) this.s[0]![l] = 1;
    }
  }
  /** n (a multiple of 4) deviates. */
  fill(n: number): Float32Array {
    const out = new Float32Array(n);
    const [s0, s1, s2, s3] = this.s as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    for (let q = 0; q < n; q += 4) {
      for (let l = 0; l < 4; l++) {
        const m5 = Math.imul(s1[l]!, 5) >>> 0;
        const r7 = ((m5 << 7) | (m5 >>> 25)) >>> 0;
        const res = Math.imul(r7, 9) >>> 0;
        const t = (s1[l]! << 9) >>> 0;
        s2[l] = s2[l]! ^ s0[l]!;
        s3[l] = s3[l]! ^ s1[l]!;
        s1[l] = s1[l]! ^ s2[l]!;
        s0[l] = s0[l]! ^ s3[l]!;
        s2[l] = s2[l]! ^ t;
        s3[l] = ((s3[l]! << 11) | (s3[l]! >>> 21)) >>> 0;
        out[q + l] = this.table[res >>> 20]!;
      }
    }
    return out;
  }
}

function roundHalfEven(q: number): number {
  let r = Math.floor(q + 0.5);
  if (r - q === 0.5 && Math.floor(r * 0.5) * 2 !== r) r -= 1;
  return r;
}

/** Columns of the prepared block: P = nOut·slices padded to a multiple of 16. */
export const paddedColumns = (nOut: number, slices: number): number => Math.ceil((nOut * slices) / 16) * 16;

function isExact(b: RefAnalogBlock): boolean {
  const cols = b.nOut * b.slices * b.signCells;
  for (let i = 0; i < b.rows; i++) {
    for (let c = 0; c < cols; c++) if (b.g[i * b.stride + c] !== f(b.gMinUS + b.levels[i * b.stride + c]! * b.dG)) return false;
    if (b.gRef && b.gRef[i * b.stride] !== f(b.gMinUS)) return false;
  }
  return true;
}

/** The analog MVM of batch × rows input integers (rows of xStride values); y batch × nOut (f64). */
export function refAnalogMvm(x: ArrayLike<number>, xStride: number, batch: number, b: RefAnalogBlock, rng: RefRng,
  table: Float32Array): Float64Array {
  const { rows, nOut, slices, signCells, cellBits } = b;
  const pp = paddedColumns(nOut, slices), P = nOut * slices;
  const exact = b.noise !== 'device' && b.intAllowed && isExact(b);
  const invDG = f(1 / b.dG), invDG2 = f(invDG * invDG);
  const r = f(b.relative), ab = f(b.absolute);
  const sigma = (g: number): number => f(f(r * g) + ab);
  // the cell values the kernel's prepared matrices hold, as functions of (row, column p)
  const cell = (i: number, p: number, k: 0 | 1): number => b.g[i * b.stride + Math.floor(p / slices) * slices * signCells + (p % slices) * signCells + k]!;
  const level = (i: number, p: number, k: 0 | 1): number => b.levels[i * b.stride + Math.floor(p / slices) * slices * signCells + (p % slices) * signCells + k]!;
  const ref = (i: number): number => (b.gRef ? b.gRef[i * b.stride]! : 0);
  const second = (i: number, p: number): number => (signCells === 2 ? cell(i, p, 1) : ref(i));
  const D = (i: number, p: number): number => {
    if (p >= P) return 0;
    if (exact) return signCells === 2 ? level(i, p, 0) - level(i, p, 1) : level(i, p, 0);
    return f(f(cell(i, p, 0) - second(i, p)) * invDG);
  };
  const V = (i: number, p: number): number => {
    if (p >= P) return 0;
    const s0 = sigma(cell(i, p, 0)), v0 = f(s0 * s0);
    if (signCells === 2) { const s1 = sigma(cell(i, p, 1)); return f(f(v0 + f(s1 * s1)) * invDG2); }
    return f(v0 * invDG2);
  };
  const normals = new RefNormal4(rng, table);
  const magBits = b.inputSigned ? b.inputBits - 1 : b.inputBits;
  const digits = Math.ceil(magBits / b.dacBits), mask = 2 ** b.dacBits - 1;
  const step32 = (p: number): number => (p < P ? f(b.steps[p % slices]!) : 1);
  const y = new Float64Array(batch * nOut);
  for (let v = 0; v < batch; v++) {
    const acc = new Float64Array(pp);
    for (let k = 0; k < digits; k++) {
      const act: Array<[number, number]> = [];
      for (let i = 0; i < rows; i++) {
        const xi = x[v * xStride + i]!;
        const d = Math.floor(Math.abs(xi) / 2 ** (k * b.dacBits)) & mask;
        if (d !== 0) act.push([i, xi < 0 ? -d : d]);
      }
      if (act.length === 0) continue;
      const cur = new Float32Array(pp), vars = new Float32Array(pp);
      let refNoise = 0;
      if (b.noise === 'device') {
        for (const [i, dv] of act) {
          const n = normals.fill(b.gRef ? pp + 4 : 2 * pp);
          const rr = b.gRef ? Math.max(0, f(f(ref(i) * invDG) + f(f(sigma(ref(i)) * invDG) * n[pp]!))) : 0;
          for (let p = 0; p < pp; p++) {
            const real = p < P;
            const g0 = real ? cell(i, p, 0) : 0;
            const pos = Math.max(0, f(f(g0 * invDG) + f(f(real ? f(sigma(g0) * invDG) : 0) * n[p]!)));
            let neg = rr;
            if (!b.gRef) {
              const g1 = real ? cell(i, p, 1) : 0;
              neg = Math.max(0, f(f(g1 * invDG) + f(f(real ? f(sigma(g1) * invDG) : 0) * n[pp + p]!)));
            }
            cur[p] = f(cur[p]! + f(dv * f(pos - neg)));
          }
        }
      } else {
        for (let p = 0; p < pp; p++) {
          let c = 0, s = 0;
          for (const [i, dv] of act) {
            c = exact ? c + dv * D(i, p) : f(c + f(dv * D(i, p)));
            if (b.noise === 'pair') s = f(s + f(f(dv * dv) * V(i, p)));
          }
          cur[p] = f(c); vars[p] = s;
        }
        if (b.noise === 'pair') {
          const n = normals.fill(pp + (b.gRef ? 4 : 0));
          for (let p = 0; p < pp; p++) cur[p] = f(cur[p]! + f(f(Math.sqrt(vars[p]!)) * n[p]!));
          if (b.gRef) {
            let rv = 0;
            for (const [i, dv] of act) { const sr = sigma(ref(i)); rv = f(rv + f(f(dv * dv) * f(f(sr * sr) * invDG2))); }
            refNoise = f(f(Math.sqrt(rv)) * n[pp]!);
            for (let p = 0; p < pp; p++) cur[p] = f(cur[p]! - refNoise);
          }
        }
      }
      const dw = 2 ** (k * b.dacBits);
      for (let p = 0; p < pp; p++) {
        let iv = cur[p]!;
        if (b.adc && b.perDigit) iv = Math.min(b.half, Math.max(-b.half, roundHalfEven(f(iv / step32(p)))));
        acc[p] = acc[p]! + iv * dw;
      }
    }
    let xsum = 0;
    if (b.offset !== 0) for (let i = 0; i < rows; i++) xsum += x[v * xStride + i]!;
    for (let j = 0; j < nOut; j++) {
      let yj = 0;
      for (let s = 0; s < slices; s++) {
        const a = acc[j * slices + s]!, unitW = 2 ** (s * cellBits), step = b.steps[s]!;
        if (!b.adc) yj += a * unitW;
        else if (b.perDigit) yj += a * (step * unitW);
        else yj += Math.min(b.half, Math.max(-b.half, roundHalfEven(a / step))) * step * unitW;
      }
      y[v * nOut + j] = yj - b.offset * xsum;
    }
  }
  return y;
}
