// Plain-TS twin of assembly/program.ts (the write-verify kernel, DESIGN §2.1). Same inputs (parameter block and
// tables from src/programming/tables.ts, laid out as src/wasm/program-abi.ts says) and the same f32 operations in
// the same order (Math.fround after each one), so counts and conductances agree with the wasm kernel bit for bit. The kernel runs four cells at a time in SIMD
// lanes; this twin runs one cell after another, which gives the same results because every cell draws from its own
// generator (layout: assembly/program.ts header) and the row accounting does not depend on the order.
// Arrays are chunk-relative: cell i of the chunk is physical cell first + i.
import { RefRng } from './rng.js';
import {
  P, SAT_N, T_AMP, T_C2C, T_KSTART, T_NORMAL, T_SAT, T_VSQ, adaptiveBucket,
} from '../wasm/program-abi.js';

export interface RefProgramArrays {
  g: Float32Array; level: Uint8Array; fault: Uint8Array; status: Uint8Array; wear: Uint32Array;
  targets: Uint8Array;
  outSet: Uint32Array; outReset: Uint32Array; outReads: Uint32Array; outEnergy: Float32Array;
  /** 3 u32 per row: SET steps, RESET steps, verify rounds (row-parallel latency). */
  rowOut: Uint32Array;
  /** One stream id per crossbar of the chunk. */
  streams: Uint32Array;
}

const fr = Math.fround;
const G = [0x9E3779B9, 0x7F4A7C15, 0xBB67AE85, 0x3C6EF373];

function mix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16; x = Math.imul(x, 0x7FEB352D);
  x ^= x >>> 15; x = Math.imul(x, 0x846CA68B);
  x ^= x >>> 16;
  return x >>> 0;
}

/** xoshiro128** of one cell (the same generator as RefRng, seeded per cell). */
class CellRng {
  s0 = 0; s1 = 0; s2 = 0; s3 = 0;
  seed(key: number[], c: number): void {
    this.s0 = mix32(key[0]! + Math.imul(c, G[0]!)); this.s1 = mix32(key[1]! + Math.imul(c, G[1]!));
    this.s2 = mix32(key[2]! + Math.imul(c, G[2]!)); this.s3 = mix32(key[3]! + Math.imul(c, G[3]!));
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
  next(): number {
    const { s0, s1, s2, s3 } = this;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0, n3 = s3 ^ s1;
    this.s1 = s1 ^ n2; this.s0 = s0 ^ n3; this.s2 = n2 ^ t; this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }
}

/** Saturation table index of conductance x: trunc((x − gMin)·satScale) in f32, clamped to [0, SAT_N − 1]. */
function satIndex(x: number, gMin: number, satScale: number): number {
  let i = Math.trunc(fr(fr(x - gMin) * satScale));
  if (i < 0) i = 0;
  if (i > SAT_N - 1) i = SAT_N - 1;
  return i;
}

export function refProgramCells(prm: Float64Array, t: Float32Array, a: RefProgramArrays,
  numCrossbars: number, rows: number, cols: number): void {
  const seed = (BigInt(prm[P.seedHi]!) << 32n) | BigInt(prm[P.seedLo]!);
  const gMin = prm[P.gMin]!, spacing = prm[P.spacing]!;
  const gMinF = fr(gMin), gMaxF = fr(prm[P.gMax]!), satScale = fr(prm[P.satScale]!), vtol = fr(prm[P.verifyTol]!);
  const maxPulses = prm[P.maxPulses]!, nReads = prm[P.readsPerVerify]!, scheme = prm[P.scheme]!;
  const setStep = fr(prm[P.setStep]!), resetStep = fr(prm[P.resetStep]!);
  const readRel = fr(prm[P.readRel]!), readAbs = fr(prm[P.readAbs]!), gain = fr(prm[P.adaptiveGain]!);
  const readE = prm[P.readEnergy]!, pulseE = prm[P.pulseEnergy]!, periphPulse = prm[P.periphPulse]!;
  const periphRead = prm[P.periphRead]!, last = prm[P.ladderLen]! - 1;
  const verifyAll = prm[P.verifyAll]! !== 0;
  const readScale = fr(1.0 / Math.sqrt(nReads));
  // energy weight per ladder step: W[k] = f32(v_k²·pulseE + nReads·readE) (J per µS of G before the pulse)
  const W = new Float32Array(last + 1);
  for (let k = 0; k <= last; k++) W[k] = t[T_VSQ + k]! * pulseE + nReads * readE;
  const kStart = new Int32Array(t.buffer, t.byteOffset + 4 * T_KSTART);
  const setFlags = new Uint8Array(maxPulses + 1), resetFlags = new Uint8Array(maxPulses + 1);
  const { g, level, fault, status, wear, targets, outSet, outReset, outReads, outEnergy, rowOut, streams } = a;
  const rng = new CellRng();

  /** A verify (the mean of nReads reads: σ/√nReads) of conductance gi; the normal draw takes u's middle bits. */
  const read = (gi: number, u: number): number => {
    let z = t[T_NORMAL + ((u >>> 8) & 4095)]!;
    if (nReads > 1) z = fr(z * readScale);
    return fr(gi + fr(fr(fr(readRel * gi) + readAbs) * z));
  };

  for (let cb = 0; cb < numCrossbars; cb++) {
    const xr = new RefRng(seed, streams[cb]!);
    const key = [xr.nextU32(), xr.nextU32(), xr.nextU32(), xr.nextU32()];
    for (let row = 0; row < rows; row++) {
      let rowMax = 0;
      let anyChecked = false;
      for (let col = 0; col < cols; col++) {
        const c = row * cols + col;
        const i = cb * rows * cols + c;
        const tgt = targets[i]!;
        if (tgt === 255 || (!verifyAll && level[i] === tgt && status[i] === 0)) {
          outSet[i] = 0; outReset[i] = 0; outReads[i] = 0; outEnergy[i] = 0;
          continue;
        }
        anyChecked = true;
        rng.seed(key, c + 1);
        const gt = fr(gMin + tgt * spacing);
        let gi = g[i]!;
        const move = fault[i] === 0;
        let r = read(gi, rng.next());
        let acc = 0;
        let n = 0, ns = 0, lastDir = 0, k = 0;
        while (Math.abs(fr(r - gt)) > vtol && n < maxPulses) {
          const isSet = r < gt;
          const dir = isSet ? 1 : 2;
          if (scheme === 0) {
            // ISPP: one ladder step up while the direction holds, back to v0 on a reversal
            k = dir === lastDir ? Math.min(k + 1, last) : 0;
          } else if (scheme === 2) {
            // adaptive: the largest k with amp[0..k] ≤ q = gain·|error| / (|step|·sat(read)), from the bucket table
            const need = fr(gain * Math.abs(fr(gt - r)));
            const satR = t[T_SAT + 2 * satIndex(r, gMinF, satScale) + (isSet ? 0 : 1)]!;
            const q = fr(need / fr((isSet ? setStep : resetStep) * satR));
            const e = kStart[adaptiveBucket(q)]!;
            k = e & 255;
            if (e & 256) while (k < last && t[T_AMP + k + 1]! <= q) k++;
          } // FPPV: k = 0
          const amp = t[T_AMP + k]!;
          acc = fr(acc + fr(gi * W[k]!));
          const u = rng.next();
          const m = t[T_C2C + (u >>> 20)]!;
          const f = move ? fr(fr((isSet ? setStep : -resetStep) * amp) * m) : 0;
          const sat = t[T_SAT + 2 * satIndex(gi, gMinF, satScale) + (isSet ? 0 : 1)]!;
          gi = fr(gi + fr(f * sat));
          if (gMaxF < gi) gi = gMaxF;
          if (gi < gMinF) gi = gMinF;
          if (isSet) setFlags[n] = 1; else resetFlags[n] = 1;
          n++;
          if (isSet) ns++;
          lastDir = dir;
          r = read(gi, u);
        }
        // acc covers the reads before each pulse; the reads after the last one see G = gi
        const energy = acc + nReads * readE * gi + n * periphPulse + nReads * (n + 1) * periphRead;
        g[i] = gi;
        level[i] = tgt;
        status[i] = Math.abs(fr(r - gt)) <= vtol ? 0 : 1;
        wear[i] = wear[i]! + n;
        outSet[i] = ns; outReset[i] = n - ns; outReads[i] = (n + 1) * nReads; outEnergy[i] = energy;
        if (n > rowMax) rowMax = n;
      }
      let setSteps = 0, resetSteps = 0;
      for (let s = 0; s < rowMax; s++) {
        setSteps += setFlags[s]!; resetSteps += resetFlags[s]!;
        setFlags[s] = 0; resetFlags[s] = 0;
      }
      const ro = (cb * rows + row) * 3;
      rowOut[ro] = setSteps;
      rowOut[ro + 1] = resetSteps;
      rowOut[ro + 2] = anyChecked ? rowMax + 1 : 0;
    }
  }
}
