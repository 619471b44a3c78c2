// Write-verify programming kernel (DESIGN §2.1), eight cells at a time in two groups of four SIMD lanes. The host
// (src/programming/program.ts) validates everything and builds the f64 parameter block and the f32 lookup tables
// (layout and meaning: src/programming/tables.ts); the TS twin is src/reference/program.ts: a plain one-cell-at-a-time
// loop that performs the same f32 operations in the same order, so counts and conductances agree bit for bit.
//
// programCells(prm, tab, g, level, fault, status, wear, targets, outSet, outReset, outReads, outEnergy, rowOut,
//              streams, flags, scratch, numCrossbars, rows, cols)
//   Cell arrays are chunk-relative, row-major per crossbar: cell (cb, row, col) at (cb·rows + row)·cols + col.
//   g f32 µS (in/out), level u8 (out: = target), fault u8 (0 none, 1 stuck HRS, 2 stuck LRS), status u8 (0 = last
//   programming verified in band, 1 = not verified / failed; out), wear u32 (+= pulses), targets u8 (255 = leave
//   alone). Per cell out: SET pulses, RESET pulses, reads (u32), energy J (f32). rowOut: 3 × u32 per row (SET
//   steps, RESET steps, verify rounds). streams: u32 per crossbar (PRNG stream id). flags: u8 scratch of
//   programFlagsBytes(maxPulses) bytes; scratch: PROGRAM_SCRATCH_BYTES bytes (both initialised here).
//   A cell is accepted when its verify read lies within the verify band toleranceUS − verifyMarginUS of the target
//   (status 0); energy per cell = Σ_pulses G_before·W[k] + nReads·readE·G_final + pulses·periphPulse +
//   nReads·(pulses + 1)·periphRead with W[k] = f32(v_k²·tPulse + nReads·readE) (every verify read at the G it sees).
// programSummary(...) (end of file) sums a chunk per crossbar for the host after either engine ran.
//
// Randomness (the layout is documented with the stream ids in src/wasm/rng.ts): every cell has its own
// xoshiro128** generator, so a cell's draws do not depend on which lane runs it or when. Its state is
//   x_j = mix32(a_j + (c + 1)·G_j), j = 0..3   (x_0 = 1 if all four are 0)
// where a_0..a_3 are the first four outputs of the crossbar's stream (seed, streams[cb]) (rngSeed + rngNextU32,
// assembly/rng.ts), c the cell's index inside its crossbar (row·cols + col), G_j the odd constants below and mix32
// the bijective integer hash below. Per verify read: one u32 u; the normal draw is N[(u >>> 8) & 4095]; each pulse's
// cycle-to-cycle multiplier is C2C[u >>> 20] of the u drawn for the verify that follows the pulse (top bits: c2c,
// middle bits: normal). With readsPerVerify R > 1 the verify uses the mean of R reads, whose noise is the single
// read's σ/√R (read noise is Gaussian): one draw N[...]·f32(1/√R) stands for the R reads (all R are counted).
//
// Scheduling: LANES = 8 lanes each hold one cell, as two groups of four f32x4 lanes whose state lives in scratch and
// which are stepped alternately (two independent dependency chains read → step → G → read for the CPU to overlap;
// the adaptive chain, with two dependent table lookups and a division, is the longest). When a lane's cell is
// done (verified in band, or maxPulses), its results are written and the idle lanes take the next cells in index
// order. Row-parallel accounting (which pulse indices of a row had any SET / any RESET) keeps up to ROWS_IN_FLIGHT
// rows open at once, one flag slot each, so a long cell does not stall the other lanes at a row boundary.
// Speed notes (V8, x64): lane constants are v128 loads from scratch (splats were re-materialised every step);
// gathers take the addresses out as two i64 halves and join four scalar loads with unpacks (pextrd/pinsrd all
// compete for one port); the ladder's ±step·amp and W, and adaptive's |step|·sat, are premultiplied per call;
// adaptive looks up its q bucket's ladder record directly (S_KREC, 160 KB) instead of bucket → k → record (+9 %).
// Tried and not kept (no gain in A/B runs): 12 or 16 lanes (3–4 groups); splitting the step in two halves
// interleaved across groups; staging gather addresses through memory; adaptive q as a multiply by a precomputed
// reciprocal instead of the division; a counter-based per-cell hash instead of xoshiro128** (i32x4.mul is slow);
// no row-flag stores at all (no measurable change). A native C build of this loop with SSE4.1 (same layout) runs
// 1.1–1.3× this kernel (bench/program-ceiling.bench.ts).

import { rngSeed, rngNextU32 } from './rng';

const P_SEED_LO = 0, P_SEED_HI = 1, P_GMIN = 2, P_GMAX = 3, P_SPACING = 4, P_MAXP = 6, P_NREADS = 7;
const P_SCHEME = 8, P_SET = 9, P_RESET = 10, P_READ_REL = 11, P_READ_ABS = 12, P_READ_E = 13, P_PULSE_E = 14;
const P_PERIPH_PULSE = 15, P_PERIPH_READ = 16, P_LADDER = 17, P_GAIN = 18, P_VERIFY_ALL = 19, P_SAT_SCALE = 22;
const P_VERIFY_TOL = 23;

const LADDER_MAX: i32 = 256;
const SAT_N: i32 = 2048;
const Q_N: i32 = 4096;
const K_SHIFT: i32 = 14; // adaptive: buckets of the ratio q (f32 bits >>> K_SHIFT), from 2^-10 to 2^10
const K_N: i32 = 20 << 9;
const K_LO: i32 = (127 - 10) << 9;

const T_AMP: i32 = 0;
const T_VSQ: i32 = T_AMP + LADDER_MAX;
const T_SAT: i32 = T_VSQ + LADDER_MAX; // interleaved: [2i] SET factor, [2i + 1] RESET factor of bin i
const T_C2C: i32 = T_SAT + 2 * SAT_N;
const T_NORMAL: i32 = T_C2C + Q_N;
const T_KSTART: i32 = T_NORMAL + Q_N; // i32: start k | (refine flag << 8)

const G0: u32 = 0x9E3779B9, G1: u32 = 0x7F4A7C15, G2: u32 = 0xBB67AE85, G3: u32 = 0x3C6EF373;

const ROWS_IN_FLIGHT: i32 = 8; // power of two
const LANES: i32 = 8; // two groups of four SIMD lanes, stepped alternately (independent dependency chains)

// scratch layout: per-lane fields (LANES × 4 bytes each, SoA; group 0 = bytes 0..15, group 1 = 16..31 of a field),
// then row slots, then an rngSeed state block, then per-call tables
const S_GI = 0, S_GT = 32, S_R = 64, S_N = 96, S_NS = 128, S_K = 160, S_LD = 192, S_MOVE = 224;
const S_ACC = 256, S_X0 = 288, S_X1 = 320, S_X2 = 352, S_X3 = 384, S_FB = 416, S_ACT = 448;
const S_CELL = 480, S_SLOT = 512;
const S_SLOTROW = 544, S_REMAIN = S_SLOTROW + 4 * ROWS_IN_FLIGHT, S_ROWMAX = S_REMAIN + 4 * ROWS_IN_FLIGHT; // per row slot
const S_ANY = S_ROWMAX + 4 * ROWS_IN_FLIGHT;
const S_RNG = S_ANY + 4 * ROWS_IN_FLIGHT;
// lane-vector constants of the step, one v128 each (loaded where used: V8 would otherwise re-splat them in the loop)
const S_CONST = S_RNG + 32;
const C_VTOL = 0, C_MAXP = 16, C_GMIN = 32, C_GMAX = 48, C_SATSCALE = 64, C_READREL = 80, C_READABS = 96;
const C_READSCALE = 112, C_SETAMP0 = 128, C_RESETAMP0 = 144, C_W0 = 160, C_GAIN = 176, C_LAST = 192, C_OFF = 208;
const C_AMPB = 224, C_RECB = 240, C_STEPSATB = 256, C_SATB = 272, C_C2CB = 288, C_NORMALB = 304, C_KSTARTB = 320;
const C_TWO = 336, C_FOUR = 352, C_ONE = 368, C_SATMAX = 384, C_KLO = 400, C_KMAX = 416, C_M255 = 432, C_M256 = 448;
const C_MC2C = 464, C_MNORMAL = 480, C_ABS = 496, C_KRECB = 512;
// 16 bytes per ladder step k: [f32(setStep·amp[k]), W[k], f32(−resetStep·amp[k]), W[k]] with the energy weight
// W[k] = f32(v_k²·pulseE + nReads·readE): one 8-byte load per lane (at k·16, + 8 for RESET) gives the signed step and W
const S_REC = S_CONST + 528 + 16;
const S_AMP = S_REC + 16 * LADDER_MAX; // copy of amp[k] (adaptive refinement walk)
// adaptive: per saturation bin, interleaved like T_SAT: [2i] f32(setStep·satSet[i]), [2i + 1] f32(resetStep·satReset[i])
const S_STEPSAT = S_AMP + 4 * LADDER_MAX;
// adaptive: per q bucket, the 16-byte ladder record of its start k, W negated when the bucket refines
const S_KREC = S_STEPSAT + 8 * SAT_N;
export const PROGRAM_SCRATCH_BYTES: i32 = S_KREC + 16 * K_N;

export const PROGRAM_KERNELS_VERSION: i32 = 2;

/** Bytes of the flags scratch for a maxPulses: ROWS_IN_FLIGHT slots + 1 dummy slot, each SET + RESET halves. */
export function programFlagsBytes(maxPulses: i32): i32 {
  return (ROWS_IN_FLIGHT + 1) * 2 * (maxPulses + 1);
}

@inline function prm(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }

/** Bijective 32-bit integer hash (xorshift-multiply rounds). */
@inline function mix32(v: u32): u32 {
  let x = v;
  x ^= x >>> 16; x *= 0x7FEB352D;
  x ^= x >>> 15; x *= 0x846CA68B;
  x ^= x >>> 16;
  return x;
}

// ---- per-call context (plain globals: set at entry, read by the lane event handler) ----
let cG: usize = 0, cLevel: usize = 0, cFault: usize = 0, cStatus: usize = 0, cWear: usize = 0, cTargets: usize = 0;
let cOutSet: usize = 0, cOutReset: usize = 0, cOutReads: usize = 0, cOutEnergy: usize = 0, cRowOut: usize = 0;
let cStreams: usize = 0, cFlags: usize = 0, cS: usize = 0, cTab: usize = 0;
let cCells: i32 = 0, cCols: i32 = 0, cCpc: i32 = 0, cNext: i32 = 0, cStride: i32 = 0, cOff: i32 = 0;
let cRow: i32 = 0, cCol: i32 = 0, cCb: i32 = 0, cC: i32 = 0, cKeyCb: i32 = -1; // position of cNext (no divisions)
let cK0: u32 = 0, cK1: u32 = 0, cK2: u32 = 0, cK3: u32 = 0;
let cSeedLo: u32 = 0, cSeedHi: u32 = 0;
let cGMin: f64 = 0, cSpacing: f64 = 0, cPulseE: f64 = 0, cReadE: f64 = 0, cPeriphPulse: f64 = 0, cPeriphRead: f64 = 0;
let cVtol: f32 = 0, cReadRel: f32 = 0, cReadAbs: f32 = 0, cReadScale: f32 = 1;
let cNReads: i32 = 1, cVerifyAll: bool = false, cActive: i32 = 0, cIdle: i32 = 0; // cIdle: bit l = lane l idle

@inline function lane(field: i32, l: i32): usize { return cS + <usize>(field + (l << 2)); }
@inline function slotAt(field: i32, s: i32): usize { return cS + <usize>(field + (s << 2)); }

/** Closes a row slot: SET / RESET steps over its pulse indices, verify rounds; clears its flags. */
function finishRow(slot: i32): void {
  const row = load<i32>(slotAt(S_SLOTROW, slot));
  const rowMax = load<i32>(slotAt(S_ROWMAX, slot));
  const fb = cFlags + <usize>(slot * cStride);
  let setSteps: u32 = 0, resetSteps: u32 = 0;
  for (let s = 0; s < rowMax; s++) {
    setSteps += <u32>load<u8>(fb + <usize>s);
    resetSteps += <u32>load<u8>(fb + <usize>(cOff + s));
    store<u8>(fb + <usize>s, 0);
    store<u8>(fb + <usize>(cOff + s), 0);
  }
  const ro = cRowOut + (<usize>(row * 3) << 2);
  store<u32>(ro, setSteps);
  store<u32>(ro, resetSteps, 4);
  store<u32>(ro, load<i32>(slotAt(S_ANY, slot)) != 0 ? <u32>(rowMax + 1) : 0, 8);
  store<i32>(slotAt(S_SLOTROW, slot), -1);
}

/** One cell of a row slot is done after n pulses (n < 0: not checked). */
@inline function cellDone(slot: i32, n: i32): void {
  if (n > load<i32>(slotAt(S_ROWMAX, slot))) store<i32>(slotAt(S_ROWMAX, slot), n);
  const left = load<i32>(slotAt(S_REMAIN, slot)) - 1;
  store<i32>(slotAt(S_REMAIN, slot), left);
  if (left == 0) finishRow(slot);
}

/** Writes a finished cell's state and counts. */
@inline function writeCell(i: i32, tgt: i32, gi: f32, gt: f32, r: f32, n: i32, ns: i32, acc: f32): void {
  const i4 = <usize>i << 2;
  // acc = Σ over pulses of G_before·W[k]; the reads after the last pulse see G = gi
  const nr = <f64>cNReads;
  const energy = <f64>acc + nr * cReadE * <f64>gi + <f64>n * cPeriphPulse + nr * <f64>(n + 1) * cPeriphRead;
  store<f32>(cG + i4, gi);
  store<u8>(cLevel + <usize>i, <u8>tgt);
  store<u8>(cStatus + <usize>i, Mathf.abs(r - gt) <= cVtol ? 0 : 1);
  store<u32>(cWear + i4, load<u32>(cWear + i4) + <u32>n);
  store<u32>(cOutSet + i4, <u32>ns);
  store<u32>(cOutReset + i4, <u32>(n - ns));
  store<u32>(cOutReads + i4, <u32>((n + 1) * cNReads));
  store<f32>(cOutEnergy + i4, <f32>energy);
}

/** Lane l's cell is done: write it, account for it, mark the lane idle. */
function finishLane(l: i32): void {
  const lp = cS + (<usize>l << 2); // lane l's fields at lp + S_*
  const i = load<i32>(lp, S_CELL);
  const n = load<i32>(lp, S_N);
  writeCell(i, <i32>load<u8>(cTargets + <usize>i), load<f32>(lp, S_GI), load<f32>(lp, S_GT), load<f32>(lp, S_R), n,
    load<i32>(lp, S_NS), load<f32>(lp, S_ACC));
  store<i32>(lp, 0, S_ACT);
  store<i32>(lp, 0, S_N);
  cActive--;
  store<u32>(lp, <u32>(cFlags + <usize>(ROWS_IN_FLIGHT * cStride)), S_FB); // dummy slot
  cellDone(load<i32>(lp, S_SLOT), n);
}

/**
 * Gives idle lane l the next cell that needs pulses. Cells that need none (skipped, or read in band at the first
 * verify) are finished on the way. Returns false when no cell can start now (none left, or its row slot is busy).
 */
function refill(l: i32): bool {
  const tNormal = cTab + (<usize>T_NORMAL << 2);
  while (cNext < cCells) {
    const i = cNext;
    const row = cRow;
    const slot = row & (ROWS_IN_FLIGHT - 1);
    const slotRow = load<i32>(slotAt(S_SLOTROW, slot));
    if (slotRow != row) {
      if (slotRow >= 0) return false; // the slot still holds row − ROWS_IN_FLIGHT
      store<i32>(slotAt(S_SLOTROW, slot), row);
      store<i32>(slotAt(S_REMAIN, slot), cCols);
      store<i32>(slotAt(S_ROWMAX, slot), 0);
      store<i32>(slotAt(S_ANY, slot), 0);
    }
    cNext = i + 1;
    const cb = cCb;
    const c = <u32>(cC + 1);
    // advance the position of cNext
    cC++;
    if (++cCol == cCols) { cCol = 0; cRow++; if (cC == cCpc) { cC = 0; cCb++; } }
    const tgt = <i32>load<u8>(cTargets + <usize>i);
    if (tgt == 255 || (!cVerifyAll && <i32>load<u8>(cLevel + <usize>i) == tgt && load<u8>(cStatus + <usize>i) == 0)) {
      const i4 = <usize>i << 2;
      store<u32>(cOutSet + i4, 0);
      store<u32>(cOutReset + i4, 0);
      store<u32>(cOutReads + i4, 0);
      store<f32>(cOutEnergy + i4, 0);
      cellDone(slot, -1);
      continue;
    }
    store<i32>(slotAt(S_ANY, slot), 1);
    if (cb != cKeyCb) {
      const st = cS + <usize>S_RNG;
      rngSeed(st, cSeedLo, cSeedHi, load<u32>(cStreams + (<usize>cb << 2)));
      cK0 = rngNextU32(st); cK1 = rngNextU32(st); cK2 = rngNextU32(st); cK3 = rngNextU32(st);
      cKeyCb = cb;
    }
    let s0 = mix32(cK0 + c * G0), s1 = mix32(cK1 + c * G1), s2 = mix32(cK2 + c * G2), s3 = mix32(cK3 + c * G3);
    if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
    // first verify
    const gi = load<f32>(cG + (<usize>i << 2));
    const gt = <f32>(cGMin + <f64>tgt * cSpacing);
    const u = rotl<u32>(s1 * 5, 7) * 9;
    const t9 = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t9; s3 = rotl<u32>(s3, 11);
    const z = load<f32>(tNormal + (<usize>((u >>> 8) & 4095) << 2)) * cReadScale;
    const r = gi + (cReadRel * gi + cReadAbs) * z;
    if (Mathf.abs(r - gt) <= cVtol) {
      writeCell(i, tgt, gi, gt, r, 0, 0, 0);
      cellDone(slot, 0);
      continue;
    }
    const move = load<u8>(cFault + <usize>i) == 0;
    const lp = cS + (<usize>l << 2); // lane l's fields at lp + S_* (S_N is already 0: finishLane)
    store<f32>(lp, gi, S_GI);
    store<f32>(lp, gt, S_GT);
    store<f32>(lp, r, S_R);
    store<i32>(lp, 0, S_NS);
    store<i32>(lp, 0, S_K);
    store<i32>(lp, 0, S_LD);
    store<i32>(lp, move ? -1 : 0, S_MOVE);
    store<f32>(lp, 0, S_ACC);
    store<u32>(lp, s0, S_X0);
    store<u32>(lp, s1, S_X1);
    store<u32>(lp, s2, S_X2);
    store<u32>(lp, s3, S_X3);
    store<u32>(lp, <u32>(cFlags + <usize>(slot * cStride)), S_FB);
    store<i32>(lp, -1, S_ACT);
    store<i32>(lp, i, S_CELL);
    store<i32>(lp, slot, S_SLOT);
    cActive++;
    return true;
  }
  return false;
}

/** Finishes the lanes in `done` (bit l = lane l), then refills every idle lane it can. */
function laneEvent(done: i32): void {
  for (let d = done; d != 0; d &= d - 1) finishLane(ctz(d));
  // idle lanes take new cells in lane order; once one cannot (no cell left, or its row slot busy) none can
  let idle = cIdle | done;
  while (idle != 0 && refill(ctz(idle))) idle &= idle - 1;
  cIdle = idle;
}

// gather of 4 f32 (or i32) values, lane l from the byte address in lane l of addr (addresses are formed in SIMD)
/** gather of 4 f32 (or i32) values: addresses out as two i64 halves (one pextrq), loads joined by unpacks */
@inline function gather4(addr: v128): v128 {
  const lo = i64x2.extract_lane(addr, 0), hi = i64x2.extract_lane(addr, 1);
  const a = v128.load32_zero(<usize><u32>lo), b = v128.load32_zero(<usize>(lo >>> 32));
  const c = v128.load32_zero(<usize><u32>hi), d = v128.load32_zero(<usize>(hi >>> 32));
  return v128.shuffle<i64>(v128.shuffle<i32>(a, b, 0, 4, 1, 5), v128.shuffle<i32>(c, d, 0, 4, 1, 5), 0, 2);
}

@inline function gather(addr: v128): v128 {
  let v = f32x4.splat(0);
  v = v128.load32_lane(<usize>i32x4.extract_lane(addr, 0), v, 0);
  v = v128.load32_lane(<usize>i32x4.extract_lane(addr, 1), v, 1);
  v = v128.load32_lane(<usize>i32x4.extract_lane(addr, 2), v, 2);
  v = v128.load32_lane(<usize>i32x4.extract_lane(addr, 3), v, 3);
  return v;
}

export function programCells(
  prmPtr: usize, tab: usize,
  g: usize, level: usize, fault: usize, status: usize, wear: usize, targets: usize,
  outSet: usize, outReset: usize, outReads: usize, outEnergy: usize, rowOut: usize,
  streams: usize, flags: usize, scratch: usize,
  numCrossbars: i32, rows: i32, cols: i32,
): void {
  cG = g; cLevel = level; cFault = fault; cStatus = status; cWear = wear; cTargets = targets;
  cOutSet = outSet; cOutReset = outReset; cOutReads = outReads; cOutEnergy = outEnergy; cRowOut = rowOut;
  cStreams = streams; cFlags = flags; cS = scratch; cTab = tab;
  cCols = cols; cCpc = rows * cols; cCells = numCrossbars * rows * cols; cNext = 0; cKeyCb = -1;
  cRow = 0; cCol = 0; cCb = 0; cC = 0;
  cSeedLo = <u32>prm(prmPtr, P_SEED_LO);
  cSeedHi = <u32>prm(prmPtr, P_SEED_HI);
  cGMin = prm(prmPtr, P_GMIN);
  cSpacing = prm(prmPtr, P_SPACING);
  const maxPulses = <i32>prm(prmPtr, P_MAXP);
  cStride = 2 * (maxPulses + 1);
  cOff = maxPulses + 1;
  cNReads = <i32>prm(prmPtr, P_NREADS);
  cReadScale = <f32>(1.0 / Math.sqrt(<f64>cNReads)); // the mean of R reads: σ/√R
  cVerifyAll = prm(prmPtr, P_VERIFY_ALL) != 0;
  cVtol = <f32>prm(prmPtr, P_VERIFY_TOL);
  const setStep = <f32>prm(prmPtr, P_SET), resetStep = <f32>prm(prmPtr, P_RESET);
  cReadRel = <f32>prm(prmPtr, P_READ_REL);
  cReadAbs = <f32>prm(prmPtr, P_READ_ABS);
  cReadE = prm(prmPtr, P_READ_E);
  cPulseE = prm(prmPtr, P_PULSE_E);
  cPeriphPulse = prm(prmPtr, P_PERIPH_PULSE);
  cPeriphRead = prm(prmPtr, P_PERIPH_READ);
  const scheme = <i32>prm(prmPtr, P_SCHEME);
  const ladderLast = <i32>prm(prmPtr, P_LADDER) - 1;

  memory.fill(flags, 0, <usize>programFlagsBytes(maxPulses));
  memory.fill(scratch, 0, <usize>S_KREC); // S_KREC is written whole below when used
  for (let kk = 0; kk <= ladderLast; kk++) {
    const vsq = <f64>load<f32>(tab + (<usize>(T_VSQ + kk) << 2));
    const wk = <f32>(vsq * cPulseE + <f64>cNReads * cReadE);
    const ak = load<f32>(tab + (<usize>(T_AMP + kk) << 2));
    const rec = scratch + <usize>(S_REC + (kk << 4));
    store<f32>(rec, setStep * ak);
    store<f32>(rec, wk, 4);
    store<f32>(rec, -resetStep * ak, 8);
    store<f32>(rec, wk, 12);
    store<f32>(scratch + <usize>(S_AMP + (kk << 2)), ak);
  }
  if (scheme == 2) {
    for (let i = 0; i < SAT_N; i++) {
      const sa = tab + (<usize>(T_SAT + 2 * i) << 2), d = scratch + <usize>(S_STEPSAT + (i << 3));
      store<f32>(d, setStep * load<f32>(sa));
      store<f32>(d, resetStep * load<f32>(sa, 4), 4);
    }
    for (let b = 0; b < K_N; b++) {
      const e = load<i32>(tab + (<usize>(T_KSTART + b) << 2));
      const src = scratch + <usize>(S_REC + ((e & 255) << 4)), d = scratch + <usize>(S_KREC + (b << 4));
      v128.store(d, v128.load(src));
      if (e & 256) { store<f32>(d, -load<f32>(d, 4), 4); store<f32>(d, -load<f32>(d, 12), 12); }
    }
  }
  for (let s = 0; s < ROWS_IN_FLIGHT; s++) store<i32>(slotAt(S_SLOTROW, s), -1);
  for (let l = 0; l < LANES; l++) store<u32>(lane(S_FB, l), <u32>(flags + <usize>(ROWS_IN_FLIGHT * cStride)));
  cActive = 0;
  cIdle = (1 << LANES) - 1;
  laneEvent(0);

  const cst = scratch + <usize>S_CONST;
  v128.store(cst, f32x4.splat(cVtol), C_VTOL);
  v128.store(cst, i32x4.splat(maxPulses), C_MAXP);
  v128.store(cst, f32x4.splat(<f32>cGMin), C_GMIN);
  v128.store(cst, f32x4.splat(<f32>prm(prmPtr, P_GMAX)), C_GMAX);
  v128.store(cst, f32x4.splat(<f32>prm(prmPtr, P_SAT_SCALE)), C_SATSCALE);
  v128.store(cst, f32x4.splat(cReadRel), C_READREL);
  v128.store(cst, f32x4.splat(cReadAbs), C_READABS);
  v128.store(cst, f32x4.splat(cReadScale), C_READSCALE);
  v128.store(cst, f32x4.splat(load<f32>(scratch + <usize>S_REC)), C_SETAMP0);
  v128.store(cst, f32x4.splat(load<f32>(scratch + <usize>S_REC, 8)), C_RESETAMP0);
  v128.store(cst, f32x4.splat(load<f32>(scratch + <usize>S_REC, 4)), C_W0);
  v128.store(cst, f32x4.splat(<f32>prm(prmPtr, P_GAIN)), C_GAIN);
  v128.store(cst, i32x4.splat(ladderLast), C_LAST);
  v128.store(cst, i32x4.splat(cOff), C_OFF);
  // table base addresses as lane vectors (gather addresses = base + 4·index, formed in SIMD)
  v128.store(cst, i32x4.splat(<i32>(scratch + <usize>S_AMP)), C_AMPB);
  v128.store(cst, i32x4.splat(<i32>(scratch + <usize>S_REC)), C_RECB);
  v128.store(cst, i32x4.splat(<i32>(scratch + <usize>S_STEPSAT)), C_STEPSATB);
  v128.store(cst, i32x4.splat(<i32>(tab + (<usize>T_SAT << 2))), C_SATB);
  v128.store(cst, i32x4.splat(<i32>(tab + (<usize>T_C2C << 2))), C_C2CB);
  v128.store(cst, i32x4.splat(<i32>(tab + (<usize>T_NORMAL << 2))), C_NORMALB);
  v128.store(cst, i32x4.splat(<i32>(tab + (<usize>T_KSTART << 2))), C_KSTARTB);
  v128.store(cst, i32x4.splat(<i32>(scratch + <usize>S_KREC)), C_KRECB);
  v128.store(cst, i32x4.splat(2), C_TWO);
  v128.store(cst, i32x4.splat(4), C_FOUR);
  v128.store(cst, i32x4.splat(1), C_ONE);
  v128.store(cst, i32x4.splat(SAT_N - 1), C_SATMAX);
  v128.store(cst, i32x4.splat(K_LO), C_KLO);
  v128.store(cst, i32x4.splat(K_N - 1), C_KMAX);
  v128.store(cst, i32x4.splat(255), C_M255);
  v128.store(cst, i32x4.splat(256), C_M256);
  v128.store(cst, i32x4.splat(~3), C_MC2C);
  v128.store(cst, i32x4.splat(4095 << 2), C_MNORMAL);
  v128.store(cst, i32x4.splat(0x7FFFFFFF), C_ABS); // |x| as one and (V8 builds f32x4.abs's mask from scratch)
  const nReads = cNReads;

  // The two groups' dependency chains (read → direction → step → G → read) are independent, so stepping them
  // alternately lets the CPU overlap one group's latency with the other's work.
  while (cActive > 0) {
    const e0 = stepGroup(scratch, cst, scheme, nReads);
    const e1 = stepGroup(scratch + 16, cst, scheme, nReads);
    if ((e0 | e1) != 0) laneEvent(e0 | (e1 << 4));
  }
}

/**
 * One write-verify iteration of the four lanes of a group (state at g: the group's 16 bytes of each lane field).
 * If an active lane is done (verified in band or out of pulses), nothing is stepped and the done lanes are
 * returned as a bit mask for laneEvent; otherwise every lane gets one pulse and one verify (idle lanes compute on
 * and write their row flags to the dummy slot) and 0 is returned. A group with no active lane returns 0.
 */
@inline function stepGroup(g: usize, c: usize, scheme: i32, nReads: i32): i32 {
  const r = v128.load(g, S_R), gt = v128.load(g, S_GT), n = v128.load(g, S_N), act = v128.load(g, S_ACT);
  // ---- which lanes go on: verify read outside the band and pulses left ----
  const out = f32x4.gt(v128.and(f32x4.sub(r, gt), v128.load(c, C_ABS)), v128.load(c, C_VTOL));
  const am = i32x4.bitmask(act);
  const cm = i32x4.bitmask(v128.and(v128.and(out, i32x4.lt_s(n, v128.load(c, C_MAXP))), act));
  if (cm != am || am == 0) return am & ~cm;
  let gi = v128.load(g, S_GI);
  // ---- one pulse per lane ----
  const isSet = f32x4.lt(r, gt); // all ones where the read is below the target
  const dir = i32x4.add(v128.load(c, C_TWO), isSet); // 1 SET, 2 RESET
  const resetOff = v128.andnot(v128.load(c, C_FOUR), isSet); // + 4 bytes: the RESET entry of an interleaved pair
  let stepAmp: v128, w: v128;
  if (scheme == 1) {
    // FPPV: k = 0, the single ladder entry vFixed
    stepAmp = v128.bitselect(v128.load(c, C_SETAMP0), v128.load(c, C_RESETAMP0), isSet);
    w = v128.load(c, C_W0);
  } else {
    // the 8-byte [±step·amp, W] record of each lane (ISPP: the ladder record of k at k·16, + 8 for RESET)
    let ka: v128, qv = i32x4.splat(0);
    if (scheme == 0) {
      // ISPP: one ladder step up while the direction holds, back to v0 on a reversal
      const k = v128.and(i32x4.eq(dir, v128.load(g, S_LD)), i32x4.min_s(i32x4.add(v128.load(g, S_K), v128.load(c, C_ONE)), v128.load(c, C_LAST)));
      v128.store(g, dir, S_LD);
      v128.store(g, k, S_K);
      ka = i32x4.add(i32x4.add(i32x4.shl(k, 4), i32x4.shl(resetOff, 1)), v128.load(c, C_RECB));
    } else {
      // adaptive: the largest k whose amp[0..k] are all ≤ q = gain·|error| / (|step|·sat(read)) (k = 0 if none).
      // The bucket of q (its f32 bits >>> K_SHIFT) has a start k that is never too high, and a flag when a ladder
      // amplitude falls inside the bucket; only then does k walk up. |step|·sat comes premultiplied (S_STEPSAT).
      // S_KREC holds each bucket's start record (the flag as the sign of W), so the common case is one lookup.
      const need = f32x4.mul(v128.load(c, C_GAIN), v128.and(f32x4.sub(gt, r), v128.load(c, C_ABS)));
      const ri = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.sub(r, v128.load(c, C_GMIN)), v128.load(c, C_SATSCALE))),
        i32x4.splat(0)), v128.load(c, C_SATMAX));
      const q = f32x4.div(need, gather4(i32x4.add(i32x4.add(i32x4.shl(ri, 3), resetOff), v128.load(c, C_STEPSATB))));
      const b = i32x4.min_s(i32x4.max_s(i32x4.sub(i32x4.shr_u(q, K_SHIFT), v128.load(c, C_KLO)), i32x4.splat(0)),
        v128.load(c, C_KMAX));
      ka = i32x4.add(i32x4.add(i32x4.shl(b, 4), i32x4.shl(resetOff, 1)), v128.load(c, C_KRECB));
      qv = q;
    }
    // the four 8-byte records, transposed by unpacks
    while (true) {
      const lo = i64x2.extract_lane(ka, 0), hi = i64x2.extract_lane(ka, 1);
      const p01 = v128.shuffle<i32>(v128.load64_zero(<usize><u32>lo), v128.load64_zero(<usize>(lo >>> 32)), 0, 4, 1, 5);
      const p23 = v128.shuffle<i32>(v128.load64_zero(<usize><u32>hi), v128.load64_zero(<usize>(hi >>> 32)), 0, 4, 1, 5);
      stepAmp = v128.shuffle<i64>(p01, p23, 0, 2);
      w = v128.shuffle<i64>(p01, p23, 1, 3);
      // adaptive: an active lane whose bucket record has W < 0 (the refine flag) walks k up from the bucket's start;
      // then every lane takes the ladder record of its k (W ≥ 0 there: v², tPulse, vRead², tRead are ≥ 0 by validation,
      // and a W of 0 is +0; so this runs at most twice). Idle lanes may keep a negated W: their S_ACC is garbage, reset
      // when they take a cell.
      if (scheme != 2 || (i32x4.bitmask(w) & i32x4.bitmask(act)) == 0) break;
      const b = i32x4.min_s(i32x4.max_s(i32x4.sub(i32x4.shr_u(qv, K_SHIFT), v128.load(c, C_KLO)), i32x4.splat(0)),
        v128.load(c, C_KMAX));
      const ent = gather4(i32x4.add(i32x4.shl(b, 2), v128.load(c, C_KSTARTB)));
      let k = v128.and(ent, v128.load(c, C_M255));
      let walk = i32x4.ne(v128.and(v128.and(ent, v128.load(c, C_M256)), act), i32x4.splat(0));
      do {
        const k1 = i32x4.min_s(i32x4.add(k, v128.load(c, C_ONE)), v128.load(c, C_LAST));
        const a1 = gather4(i32x4.add(i32x4.shl(k1, 2), v128.load(c, C_AMPB)));
        walk = v128.and(v128.and(walk, i32x4.lt_s(k, v128.load(c, C_LAST))), f32x4.le(a1, qv));
        k = i32x4.sub(k, walk);
      } while (v128.any_true(walk));
      ka = i32x4.add(i32x4.add(i32x4.shl(k, 4), i32x4.shl(resetOff, 1)), v128.load(c, C_RECB));
    }
  }
  v128.store(g, f32x4.add(v128.load(g, S_ACC), f32x4.mul(gi, w)), S_ACC);
  // xoshiro128** step in each lane: u = rotl(x1·5, 7)·9
  let x0 = v128.load(g, S_X0), x1 = v128.load(g, S_X1), x2 = v128.load(g, S_X2), x3 = v128.load(g, S_X3);
  const x5 = i32x4.add(i32x4.shl(x1, 2), x1);
  const rl = v128.or(i32x4.shl(x5, 7), i32x4.shr_u(x5, 25));
  const u = i32x4.add(i32x4.shl(rl, 3), rl);
  {
    const t9 = i32x4.shl(x1, 9);
    x2 = v128.xor(x2, x0); x3 = v128.xor(x3, x1); x1 = v128.xor(x1, x2); x0 = v128.xor(x0, x3);
    x2 = v128.xor(x2, t9); x3 = v128.or(i32x4.shl(x3, 11), i32x4.shr_u(x3, 21));
  }
  v128.store(g, x0, S_X0); v128.store(g, x1, S_X1); v128.store(g, x2, S_X2); v128.store(g, x3, S_X3);
  const m = gather4(i32x4.add(v128.and(i32x4.shr_u(u, 18), v128.load(c, C_MC2C)), v128.load(c, C_C2CB)));
  // ΔG = ±step·amp(k)·m·sat(G) (0 for a stuck cell); f32(±step·amp(k)) comes from the ladder records
  const f = v128.and(f32x4.mul(stepAmp, m), v128.load(g, S_MOVE));
  const gIdx = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.sub(gi, v128.load(c, C_GMIN)), v128.load(c, C_SATSCALE))),
    i32x4.splat(0)), v128.load(c, C_SATMAX));
  const sat = gather4(i32x4.add(i32x4.add(i32x4.shl(gIdx, 3), resetOff), v128.load(c, C_SATB)));
  gi = f32x4.pmax(f32x4.pmin(f32x4.add(gi, f32x4.mul(f, sat)), v128.load(c, C_GMAX)), v128.load(c, C_GMIN));
  v128.store(g, gi, S_GI);
  // row flags: byte n of the lane's slot (SET half) or byte off + n (RESET half); idle lanes write a dummy slot
  const fa = i32x4.add(i32x4.add(v128.load(g, S_FB), n), v128.andnot(v128.load(c, C_OFF), isSet));
  store<u8>(<usize>i32x4.extract_lane(fa, 0), 1);
  store<u8>(<usize>i32x4.extract_lane(fa, 1), 1);
  store<u8>(<usize>i32x4.extract_lane(fa, 2), 1);
  store<u8>(<usize>i32x4.extract_lane(fa, 3), 1);
  v128.store(g, i32x4.sub(n, act), S_N);
  v128.store(g, i32x4.sub(v128.load(g, S_NS), v128.and(isSet, act)), S_NS);
  // ---- verify: read = G + (readRel·G + readAbs)·z ----
  let z = gather4(i32x4.add(v128.and(i32x4.shr_u(u, 6), v128.load(c, C_MNORMAL)), v128.load(c, C_NORMALB)));
  if (nReads > 1) z = f32x4.mul(z, v128.load(c, C_READSCALE));
  v128.store(g, f32x4.add(gi, f32x4.mul(f32x4.add(f32x4.mul(v128.load(c, C_READREL), gi), v128.load(c, C_READABS)), z)), S_R);
  return 0;
}

// ---- host accounting of a chunk (src/programming/program.ts), in wasm because it touches every cell ----

/** f64 fields per crossbar written by programSummary. */
export const PROGRAM_SUMMARY_FIELDS: i32 = 11;

/**
 * Per-crossbar sums over a chunk after programCells (either engine): out gets PROGRAM_SUMMARY_FIELDS f64 per
 * crossbar: targeted, checked, touched, SET pulses, RESET pulses, reads, energy J (Σ f32 in cell order), failures,
 * cells truly in band (|G − levelG[target]| ≤ tol), min over touched cells of (endurance − wear)/pulses (+∞ if
 * none), row-parallel latency s (Σ over rows of (SET + RESET steps)·tPulse + rounds·nReads·tRead).
 * hist f64[maxPulses + 1] += pulses-per-cell counts (unchecked targeted cells count as 0). g, status, wear are
 * chunk-relative; failing cells are appended to `failed` as first + j; returns how many.
 */
export function programSummary(
  targets: usize, outSet: usize, outReset: usize, outReads: usize, outEnergy: usize, g: usize, status: usize,
  wear: usize, rowOut: usize, levelG: usize, numCrossbars: i32, rows: i32, cols: i32, first: i32,
  tol: f64, endurance: f64, tPulse: f64, nReads: f64, tRead: f64, out: usize, hist: usize, failed: usize,
): i32 {
  const cpc = rows * cols;
  let nf: i32 = 0;
  for (let c = 0; c < numCrossbars; c++) {
    let targeted: i32 = 0, checked: i32 = 0, touched: i32 = 0, fails: i32 = 0, inBand: i32 = 0;
    let ns: f64 = 0, nr: f64 = 0, reads: f64 = 0, energy: f64 = 0, minLeft: f64 = Infinity;
    const base = c * cpc;
    for (let j = base; j < base + cpc; j++) {
      const t = <i32>load<u8>(targets + <usize>j);
      if (t == 255) continue;
      targeted++;
      const j4 = <usize>j << 2;
      const rd = load<u32>(outReads + j4);
      if (rd == 0) { const h = hist; store<f64>(h, load<f64>(h) + 1); continue; }
      checked++;
      const s = load<u32>(outSet + j4), r = load<u32>(outReset + j4), pulses = s + r;
      ns += <f64>s; nr += <f64>r; reads += <f64>rd; energy += <f64>load<f32>(outEnergy + j4);
      const hp = hist + (<usize>pulses << 3);
      store<f64>(hp, load<f64>(hp) + 1);
      if (pulses > 0) {
        touched++;
        const rest = endurance - <f64>load<u32>(wear + j4);
        if (rest < minLeft * <f64>pulses) minLeft = rest / <f64>pulses;
      }
      if (load<u8>(status + <usize>j) != 0) { fails++; store<u32>(failed + (<usize>nf << 2), <u32>(first + j)); nf++; }
      if (Math.abs(<f64>load<f32>(g + j4) - load<f64>(levelG + (<usize>t << 3))) <= tol) inBand++;
    }
    let rowS: f64 = 0;
    for (let r = 0; r < rows; r++) {
      const o = rowOut + (<usize>((c * rows + r) * 3) << 2);
      rowS += <f64>(load<u32>(o) + load<u32>(o, 4)) * tPulse + <f64>load<u32>(o, 8) * nReads * tRead;
    }
    const op = out + (<usize>(c * PROGRAM_SUMMARY_FIELDS) << 3);
    store<f64>(op, <f64>targeted, 0); store<f64>(op, <f64>checked, 8); store<f64>(op, <f64>touched, 16);
    store<f64>(op, ns, 24); store<f64>(op, nr, 32); store<f64>(op, reads, 40); store<f64>(op, energy, 48);
    store<f64>(op, <f64>fails, 56); store<f64>(op, <f64>inBand, 64); store<f64>(op, minLeft, 72); store<f64>(op, rowS, 80);
  }
  return nf;
}
