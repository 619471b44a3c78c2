// programSummary (wasm accounting of a programmed chunk) against its plain-TS reference, on random chunks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, wasm, arena } from '../../src/wasm/index.js';
import { RefRng } from '../../src/reference/rng.js';
import { refProgramSummary } from '../../src/reference/program-summary.js';
import { SUMMARY_FIELDS } from '../../src/programming/tables.js';

initSync();

test('programSummary equals the reference: sums, histogram, in-band counts, lifetime, row latency, failed cells', () => {
  const r = new RefRng(42, 7);
  const nb = 3, rows = 5, cols = 8, n = nb * rows * cols, maxP = 20, first = 1000;
  const pick = (k: number) => r.nextU32() % k;
  const targets = Uint8Array.from({ length: n }, () => (pick(5) === 0 ? 255 : pick(4)));
  const reads = Uint32Array.from({ length: n }, () => (pick(4) === 0 ? 0 : 1 + pick(10)));
  const setPulses = Uint32Array.from({ length: n }, (_, i) => (reads[i] ? pick(maxP / 2) : 0));
  const resetPulses = Uint32Array.from({ length: n }, (_, i) => (reads[i] ? pick(maxP / 2) : 0));
  const energy = Float32Array.from({ length: n }, () => r.uniform() * 1e-9);
  const levelG = Float64Array.from([1, 11, 21, 31]);
  const g = Float32Array.from({ length: n }, (_, i) => levelG[targets[i]! % 4]! + (r.uniform() - 0.5) * 8);
  const status = Uint8Array.from({ length: n }, () => (pick(6) === 0 ? 1 : 0));
  const wear = Uint32Array.from({ length: n }, () => pick(5000));
  const rowOut = Uint32Array.from({ length: nb * rows * 3 }, () => pick(maxP));
  const args = { tol: 3, endurance: 1e4, tPulse: 1e-6, nReads: 4, tRead: 1e-7 };

  const refOut = new Float64Array(nb * SUMMARY_FIELDS), refHist = new Float64Array(maxP + 1);
  const refFailed = refProgramSummary({ targets, setPulses, resetPulses, reads, energy, g, status, wear, rowOut, levelG },
    nb, rows, cols, first, args.tol, args.endurance, args.tPulse, args.nReads, args.tRead, refOut, refHist);

  arena.scoped((a) => {
    const w = {
      targets: a.from('u8', targets), set: a.from('u32', setPulses), reset: a.from('u32', resetPulses), reads: a.from('u32', reads),
      energy: a.from('f32', energy), g: a.from('f32', g), status: a.from('u8', status), wear: a.from('u32', wear),
      rowOut: a.from('u32', rowOut), levelG: a.from('f64', levelG), out: a.alloc('f64', nb * SUMMARY_FIELDS),
      hist: a.alloc('f64', maxP + 1), failed: a.alloc('u32', n),
    };
    const nf = (wasm().programSummary as (...x: number[]) => number)(w.targets.ptr, w.set.ptr, w.reset.ptr, w.reads.ptr, w.energy.ptr,
      w.g.ptr, w.status.ptr, w.wear.ptr, w.rowOut.ptr, w.levelG.ptr, nb, rows, cols, first,
      args.tol, args.endurance, args.tPulse, args.nReads, args.tRead, w.out.ptr, w.hist.ptr, w.failed.ptr);
    assert.equal(Array.from(w.out.view), Array.from(refOut));
    assert.equal(Array.from(w.hist.view), Array.from(refHist));
    assert.equal(Array.from(w.failed.view.subarray(0, nf)), refFailed);
  });
  assert.ok(refFailed.length > 0 && refOut[1]! > 0, 'the random chunk exercises failures and checked cells');
});

test.run();
