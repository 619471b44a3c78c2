// Plain-TS twin of assembly/program.ts (the write-verify kernel, DESIGN §2.1). Same inputs (parameter block and
// tables from src/programming/tables.ts), same operations in the same order, so counts and conductances agree with
// the wasm kernel bit for bit. Arrays are chunk-relative: cell i of the chunk is physical cell first + i.
import { RefRng } from './rng.js';
import {
  Q_SHIFT, P, SAT_N, T_AMP, T_C2C, T_NORMAL, T_SAT_RESET, T_SAT_SET, T_VSQ,
} from '../programming/tables.js';

export interface RefProgramArrays {
  g: Float32Array; level: Uint8Array; fault: Uint8Array; status: Uint8Array; wear: Uint32Array;
  targets: Uint8Array;
  outSet: Uint32Array; outReset: Uint32Array; outReads: Uint32Array; outEnergy: Float32Array;
  /** 3 u32 per row: SET steps, RESET steps, verify rounds (row-parallel latency). */
  rowOut: Uint32Array;
  /** One stream id per crossbar of the chunk. */
  streams: Uint32Array;
}

/** One PRNG draw through a Q_N-bin quantile table: table[u32 >>> Q_SHIFT]. */
function draw(rng: RefRng, t: Float32Array, base: number): number {
  return t[base + (rng.nextU32() >>> Q_SHIFT)]!;
}

function sat(t: Float32Array, base: number, g: number, gMin: number, satScale: number): number {
  const x = (g - gMin) * satScale;
  let i = 0;
  if (x > 0) i = Math.trunc(x);
  if (i > SAT_N - 1) i = SAT_N - 1;
  return t[base + i]!;
}

/** Mean of nReads standard-normal draws (exactly the draw when nReads = 1). */
function readZ(rng: RefRng, t: Float32Array, nReads: number, invReads: number): number {
  if (nReads === 1) return draw(rng, t, T_NORMAL);
  let z = 0;
  for (let j = 0; j < nReads; j++) z += draw(rng, t, T_NORMAL);
  return z * invReads;
}

export function refProgramCells(prm: Float64Array, t: Float32Array, a: RefProgramArrays,
  numCrossbars: number, rows: number, cols: number): void {
  const seed = (BigInt(prm[P.seedHi]!) << 32n) | BigInt(prm[P.seedLo]!);
  const gMin = prm[P.gMin]!, gMax = prm[P.gMax]!, spacing = prm[P.spacing]!, tol = prm[P.tol]!;
  const maxPulses = prm[P.maxPulses]!, nReads = prm[P.readsPerVerify]!, scheme = prm[P.scheme]!;
  const setStep = prm[P.setStep]!, resetStep = prm[P.resetStep]!, negReset = -resetStep, readRel = prm[P.readRel]!, readAbs = prm[P.readAbs]!;
  const readE = prm[P.readEnergy]!, pulseE = prm[P.pulseEnergy]!, periphPulse = prm[P.periphPulse]!;
  const periphRead = prm[P.periphRead]!, ladderLen = prm[P.ladderLen]!, gain = prm[P.adaptiveGain]!;
  const verifyAll = prm[P.verifyAll]! !== 0, satScale = prm[P.satScale]!;
  const invReads = 1.0 / nReads;
  const flags = new Uint8Array(maxPulses + 1);
  const { g, level, fault, status, wear, targets, outSet, outReset, outReads, outEnergy, rowOut, streams } = a;

  let kA = 0;
  for (let cb = 0; cb < numCrossbars; cb++) {
    const rng = new RefRng(seed, streams[cb]!);
    for (let row = 0; row < rows; row++) {
      let rowMax = 0;
      let anyChecked = false;
      const rowBase = (cb * rows + row) * cols;
      for (let col = 0; col < cols; col++) {
        const i = rowBase + col;
        const tgt = targets[i]!;
        if (tgt === 255 || (!verifyAll && level[i] === tgt && status[i] === 0)) {
          outSet[i] = 0; outReset[i] = 0; outReads[i] = 0; outEnergy[i] = 0;
          continue;
        }
        anyChecked = true;
        const gt = gMin + tgt * spacing;
        let gi = g[i]!;
        const move = fault[i] !== 0 ? 0.0 : 1.0;
        let r = gi + (readRel * gi + readAbs) * readZ(rng, t, nReads, invReads);
        let sumPulseVG = 0;
        let sumReadG = gi;
        let n = 0, ns = 0, lastDir = 0, k = 0;
        while (Math.abs(r - gt) > tol) {
          if (n >= maxPulses) break;
          const isSet = r < gt;
          const dir = isSet ? 1 : 2;
          const satTab = isSet ? T_SAT_SET : T_SAT_RESET;
          const step = isSet ? setStep : negReset;
          if (scheme === 0) {
            const up = k < ladderLen - 1 ? k + 1 : k;
            k = dir === lastDir ? up : 0;
          } else if (scheme === 2) {
            const need = gain * Math.abs(gt - r);
            const base = Math.abs(step) * sat(t, satTab, r, gMin, satScale);
            k = kA;
            while (k > 0 && t[T_AMP + k]! * base > need) k--;
            while (k < ladderLen - 1 && t[T_AMP + k + 1]! * base <= need) k++;
            kA = k;
          }
          sumPulseVG += t[T_VSQ + k]! * gi;
          const m = draw(rng, t, T_C2C);
          const f = step * t[T_AMP + k]! * m * move;
          gi = gi + f * sat(t, satTab, gi, gMin, satScale);
          if (gi > gMax) gi = gMax;
          if (gi < gMin) gi = gMin;
          flags[n] = flags[n]! | dir;
          n++;
          ns += dir & 1;
          lastDir = dir;
          r = gi + (readRel * gi + readAbs) * readZ(rng, t, nReads, invReads);
          sumReadG += gi;
        }
        const energy = sumPulseVG * pulseE + n * periphPulse + nReads * (readE * sumReadG + (n + 1) * periphRead);
        g[i] = gi;
        level[i] = tgt;
        status[i] = Math.abs(r - gt) <= tol ? 0 : 1;
        wear[i] = wear[i]! + n;
        outSet[i] = ns; outReset[i] = n - ns; outReads[i] = (n + 1) * nReads; outEnergy[i] = energy;
        if (n > rowMax) rowMax = n;
      }
      let setSteps = 0, resetSteps = 0;
      for (let s = 0; s < rowMax; s++) {
        const f = flags[s]!;
        setSteps += f & 1;
        resetSteps += f >>> 1;
        flags[s] = 0;
      }
      const ro = (cb * rows + row) * 3;
      rowOut[ro] = setSteps;
      rowOut[ro + 1] = resetSteps;
      rowOut[ro + 2] = anyChecked ? rowMax + 1 : 0;
    }
  }
}
