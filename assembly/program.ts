// Write-verify programming kernel (DESIGN §2.1). The host (src/programming/program.ts) validates everything and
// builds the f64 parameter block and the f32 lookup tables (layout and meaning: src/programming/tables.ts); the TS
// twin is src/reference/program.ts and must stay operation-for-operation identical.
//
// programCells(prm, tab, g, level, fault, status, wear, targets, outSet, outReset, outReads, outEnergy, rowOut,
//              streams, flags, rng, numCrossbars, rows, cols)
//   Cell arrays are chunk-relative, row-major per crossbar: cell (cb, row, col) at (cb·rows + row)·cols + col.
//   g f32 µS (in/out), level u8 (out: = target), fault u8 (0 none, 1 stuck HRS, 2 stuck LRS), status u8 (0 = last
//   programming verified in band, 1 = not verified / failed; out), wear u32 (+= pulses), targets u8 (255 = leave
//   alone). Per cell out: SET pulses, RESET pulses, reads (u32), energy J (f32). rowOut: 3 × u32 per row (SET
//   steps, RESET steps, verify rounds). streams: u32 per crossbar (PRNG stream id). flags: u8 scratch of
//   maxPulses + 1 bytes, zeroed. rng: 32-byte scratch state block.
import { rngSeed } from './rng';

const P_SEED_LO = 0, P_SEED_HI = 1, P_GMIN = 2, P_GMAX = 3, P_SPACING = 4, P_TOL = 5, P_MAXP = 6, P_NREADS = 7;
const P_SCHEME = 8, P_SET = 9, P_RESET = 10, P_READ_REL = 11, P_READ_ABS = 12, P_READ_E = 13, P_PULSE_E = 14;
const P_PERIPH_PULSE = 15, P_PERIPH_READ = 16, P_LADDER = 17, P_GAIN = 18, P_VERIFY_ALL = 19, P_SAT_SCALE = 22;

const LADDER_MAX: i32 = 256;
const SAT_N: i32 = 2048;
const Q_N: i32 = 4096;
const Q_SHIFT: u32 = 20; // 32 − log2(Q_N): the top 12 bits of a draw pick one of Q_N equal-probability bins

const T_AMP: i32 = 0;
const T_VSQ: i32 = T_AMP + LADDER_MAX;
const T_SAT_SET: i32 = T_VSQ + LADDER_MAX;
const T_SAT_RESET: i32 = T_SAT_SET + SAT_N;
const T_C2C: i32 = T_SAT_RESET + SAT_N;
const T_NORMAL: i32 = T_C2C + Q_N;

export const PROGRAM_KERNELS_VERSION: i32 = 1;

@inline function prm(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function tabf(t: usize, i: i32): f64 { return <f64>load<f32>(t + (<usize>i << 2)); }

/** Saturation factor at conductance g: bin trunc((g − gMin)·satScale) of a SAT_N-bin table (clamped). */
@inline function sat(tab: usize, g: f64, gMin: f64, satScale: f64): f64 {
  const x = (g - gMin) * satScale;
  let i: i32 = 0;
  if (x > 0) i = <i32>x;
  if (i > SAT_N - 1) i = SAT_N - 1;
  return <f64>load<f32>(tab + (<usize>i << 2));
}

export function programCells(
  prmPtr: usize, tab: usize,
  g: usize, level: usize, fault: usize, status: usize, wear: usize, targets: usize,
  outSet: usize, outReset: usize, outReads: usize, outEnergy: usize, rowOut: usize,
  streams: usize, flags: usize, rng: usize,
  numCrossbars: i32, rows: i32, cols: i32,
): void {
  const seedLo = <u32>prm(prmPtr, P_SEED_LO);
  const seedHi = <u32>prm(prmPtr, P_SEED_HI);
  const gMin = prm(prmPtr, P_GMIN), gMax = prm(prmPtr, P_GMAX), spacing = prm(prmPtr, P_SPACING);
  const tol = prm(prmPtr, P_TOL);
  const maxPulses = <i32>prm(prmPtr, P_MAXP);
  const nReads = <i32>prm(prmPtr, P_NREADS);
  const nReadsF = <f64>nReads;
  const invReads = 1.0 / nReadsF;
  const scheme = <i32>prm(prmPtr, P_SCHEME);
  const setStep = prm(prmPtr, P_SET), resetStep = prm(prmPtr, P_RESET);
  const negReset = -resetStep;
  const readRel = prm(prmPtr, P_READ_REL), readAbs = prm(prmPtr, P_READ_ABS);
  const readE = prm(prmPtr, P_READ_E), pulseE = prm(prmPtr, P_PULSE_E);
  const periphPulse = prm(prmPtr, P_PERIPH_PULSE), periphRead = prm(prmPtr, P_PERIPH_READ);
  const ladderLen = <i32>prm(prmPtr, P_LADDER);
  const ladderLast = ladderLen - 1;
  const gain = prm(prmPtr, P_GAIN);
  const verifyAll = prm(prmPtr, P_VERIFY_ALL) != 0;
  const satScale = prm(prmPtr, P_SAT_SCALE);
  const tNormal = tab + (<usize>T_NORMAL << 2);
  const tC2c = tab + (<usize>T_C2C << 2);
  const tSatSet = tab + (<usize>T_SAT_SET << 2);
  const tSatReset = tab + (<usize>T_SAT_RESET << 2);

  let kA: i32 = 0; // adaptive: ladder index of the previous pulse (where the search starts)
  for (let cb = 0; cb < numCrossbars; cb++) {
    // The crossbar's xoshiro128** stream: seeded by rngSeed (assembly/rng.ts), then stepped in locals — the same
    // generator and sequence as rngNextU32 (checked against RefRng by test/programming/program.test.ts), kept in
    // registers because this loop is the simulator's hot spot. Draw = table[u32 >>> Q_SHIFT].
    rngSeed(rng, seedLo, seedHi, load<u32>(streams + (<usize>cb << 2)));
    let s0 = load<u32>(rng, 0), s1 = load<u32>(rng, 4), s2 = load<u32>(rng, 8), s3 = load<u32>(rng, 12);
    for (let row = 0; row < rows; row++) {
      let rowMax: i32 = 0;
      let anyChecked = false;
      const rowBase = (cb * rows + row) * cols;
      for (let col = 0; col < cols; col++) {
        const i = <usize>(rowBase + col);
        const i4 = i << 2;
        const tgt = <i32>load<u8>(targets + i);
        if (tgt == 255 || (!verifyAll && <i32>load<u8>(level + i) == tgt && load<u8>(status + i) == 0)) {
          store<u32>(outSet + i4, 0);
          store<u32>(outReset + i4, 0);
          store<u32>(outReads + i4, 0);
          store<f32>(outEnergy + i4, 0);
          continue;
        }
        anyChecked = true;
        const gt = gMin + <f64>tgt * spacing;
        let gi = <f64>load<f32>(g + i4);
        const move: f64 = load<u8>(fault + i) != 0 ? 0.0 : 1.0; // stuck cells never move
        // ---- first verify: nReads reads, σ = readRel·G + readAbs, averaged ----
        let r: f64;
        {
          let z: f64;
          if (nReads == 1) {
            const x = rotl<u32>(s1 * 5, 7) * 9; const t9 = s1 << 9;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = rotl<u32>(s3, 11);
            z = <f64>load<f32>(tNormal + (<usize>(x >>> Q_SHIFT) << 2));
          } else {
            z = 0;
            for (let j = 0; j < nReads; j++) {
              const x = rotl<u32>(s1 * 5, 7) * 9; const t9 = s1 << 9;
              s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = rotl<u32>(s3, 11);
              z += <f64>load<f32>(tNormal + (<usize>(x >>> Q_SHIFT) << 2));
            }
            z *= invReads;
          }
          r = gi + (readRel * gi + readAbs) * z;
        }
        let sumPulseVG: f64 = 0;   // Σ over pulses of V²·G
        let sumReadG: f64 = gi;    // Σ over verify rounds of G
        let n: i32 = 0, ns: i32 = 0, lastDir: i32 = 0, k: i32 = 0;
        while (Math.abs(r - gt) > tol) {
          if (n >= maxPulses) break;
          // ---- one pulse ----
          const isSet = r < gt;
          const dir: i32 = isSet ? 1 : 2;
          const satTab = isSet ? tSatSet : tSatReset;
          const step = isSet ? setStep : negReset;
          if (scheme == 0) {
            // ISPP: one ladder step up while the direction holds, back to v0 on a reversal
            const up = k < ladderLast ? k + 1 : k;
            k = dir == lastDir ? up : 0;
          } else if (scheme == 2) {
            // adaptive: largest k with amp[k]·|step|·sat(read) ≤ gain·|error| (k = 0 if none); the scan starts at
            // the previous pulse's k (the result does not depend on the start: amp is non-decreasing)
            const need = gain * Math.abs(gt - r);
            const base = Math.abs(step) * sat(satTab, r, gMin, satScale); // (an f64 select here costs 30 % in V8)
            k = kA;
            while (k > 0 && tabf(tab, T_AMP + k) * base > need) k--;
            while (k < ladderLast && tabf(tab, T_AMP + k + 1) * base <= need) k++;
            kA = k;
          } // FPPV: k = 0, the single ladder entry vFixed
          sumPulseVG += tabf(tab, T_VSQ + k) * gi;
          let m: f64; // heavy-tailed cycle-to-cycle multiplier
          {
            const x = rotl<u32>(s1 * 5, 7) * 9; const t9 = s1 << 9;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = rotl<u32>(s3, 11);
            m = <f64>load<f32>(tC2c + (<usize>(x >>> Q_SHIFT) << 2));
          }
          // ΔG = ±step·amp(k)·sat(G)·m (0 for a stuck cell); the clamps are (predictable) branches
          const f = step * tabf(tab, T_AMP + k) * m * move;
          gi = gi + f * sat(satTab, gi, gMin, satScale);
          if (gi > gMax) gi = gMax;
          if (gi < gMin) gi = gMin;
          const fp = flags + <usize>n;
          store<u8>(fp, load<u8>(fp) | <u8>dir);
          n++;
          ns += dir & 1;
          lastDir = dir;
          // ---- verify ----
          {
            let z: f64;
            if (nReads == 1) {
              const x = rotl<u32>(s1 * 5, 7) * 9; const t9 = s1 << 9;
              s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = rotl<u32>(s3, 11);
              z = <f64>load<f32>(tNormal + (<usize>(x >>> Q_SHIFT) << 2));
            } else {
              z = 0;
              for (let j = 0; j < nReads; j++) {
                const x = rotl<u32>(s1 * 5, 7) * 9; const t9 = s1 << 9;
                s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = rotl<u32>(s3, 11);
                z += <f64>load<f32>(tNormal + (<usize>(x >>> Q_SHIFT) << 2));
              }
              z *= invReads;
            }
            r = gi + (readRel * gi + readAbs) * z;
          }
          sumReadG += gi;
        }
        // E = tPulse·Σ V²G + pulses·periphPulse + nReads·(Vread²·tRead·Σ G + rounds·periphRead)
        const energy = sumPulseVG * pulseE + <f64>n * periphPulse + nReadsF * (readE * sumReadG + <f64>(n + 1) * periphRead);
        store<f32>(g + i4, <f32>gi);
        store<u8>(level + i, <u8>tgt);
        store<u8>(status + i, Math.abs(r - gt) <= tol ? 0 : 1);
        store<u32>(wear + i4, load<u32>(wear + i4) + <u32>n);
        store<u32>(outSet + i4, <u32>ns);
        store<u32>(outReset + i4, <u32>(n - ns));
        store<u32>(outReads + i4, <u32>((n + 1) * nReads));
        store<f32>(outEnergy + i4, <f32>energy);
        if (n > rowMax) rowMax = n;
      }
      let setSteps: u32 = 0, resetSteps: u32 = 0;
      for (let s = 0; s < rowMax; s++) {
        const fp = flags + <usize>s;
        const f = <u32>load<u8>(fp);
        setSteps += f & 1;
        resetSteps += f >> 1;
        store<u8>(fp, 0);
      }
      const ro = rowOut + (<usize>((cb * rows + row) * 3) << 2);
      store<u32>(ro, setSteps);
      store<u32>(ro, resetSteps, 4);
      store<u32>(ro, anyChecked ? <u32>(rowMax + 1) : 0, 8);
    }
  }
}
