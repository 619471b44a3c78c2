// Reference of programSummary (assembly/program.ts): the per-crossbar accounting of a programmed chunk, in plain TS
// with the same f64 sums in the same cell order (so results are identical).
import { SUMMARY_FIELDS } from '../wasm/program-abi.js';

export interface SummaryInputs {
  targets: Uint8Array; setPulses: Uint32Array; resetPulses: Uint32Array; reads: Uint32Array; energy: Float32Array;
  g: Float32Array; status: Uint8Array; wear: Uint32Array; rowOut: Uint32Array; levelG: Float64Array;
}

/**
 * Per crossbar (SUMMARY_FIELDS f64 each): targeted, checked, touched, SET, RESET, reads, energy, failures, cells in
 * band, min (endurance − wear)/pulses over touched cells, row-parallel latency. `hist` gets += per-cell pulse counts;
 * returns the failing cells as first + j.
 */
export function refProgramSummary(x: SummaryInputs, numCrossbars: number, rows: number, cols: number, first: number,
  tol: number, endurance: number, tPulse: number, nReads: number, tRead: number, out: Float64Array, hist: Float64Array): number[] {
  const cpc = rows * cols;
  const failed: number[] = [];
  for (let c = 0; c < numCrossbars; c++) {
    let targeted = 0, checked = 0, touched = 0, fails = 0, inBand = 0, ns = 0, nr = 0, reads = 0, energy = 0, minLeft = Infinity;
    for (let j = c * cpc; j < (c + 1) * cpc; j++) {
      const t = x.targets[j]!;
      if (t === 255) continue;
      targeted++;
      const rd = x.reads[j]!;
      if (rd === 0) { hist[0]!++; continue; }
      checked++;
      const s = x.setPulses[j]!, r = x.resetPulses[j]!, pulses = s + r;
      ns += s; nr += r; reads += rd; energy += x.energy[j]!;
      hist[pulses]!++;
      if (pulses > 0) {
        touched++;
        const rest = endurance - x.wear[j]!;
        if (rest < minLeft * pulses) minLeft = rest / pulses;
      }
      if (x.status[j] !== 0) { fails++; failed.push(first + j); }
      if (Math.abs(x.g[j]! - x.levelG[t]!) <= tol) inBand++;
    }
    let rowS = 0;
    for (let r = 0; r < rows; r++) {
      const o = (c * rows + r) * 3;
      rowS += (x.rowOut[o]! + x.rowOut[o + 1]!) * tPulse + x.rowOut[o + 2]! * nReads * tRead;
    }
    out.set([targeted, checked, touched, ns, nr, reads, energy, fails, inBand, minLeft, rowS], c * SUMMARY_FIELDS);
  }
  return failed;
}
