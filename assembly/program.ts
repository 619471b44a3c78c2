// Write-verify programming kernel (DESIGN §2.1), four cells at a time in SIMD lanes. The host
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
// Scheduling: four lanes each hold one cell; when a lane's cell is done (verified in band, or maxPulses), its
// results are written and the lane takes the next cell in index order. Row-parallel accounting (which pulse
// indices of a row had any SET / any RESET) keeps up to ROWS_IN_FLIGHT rows open at once, one flag slot each, so a
// long cell does not stall the other lanes at a row boundary.

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

const ROWS_IN_FLIGHT: i32 = 4; // power of two

// scratch layout: per-lane fields (4 × 4 bytes each, SoA), then row slots, then an rngSeed state block
const S_GI = 0, S_GT = 16, S_R = 32, S_N = 48, S_NS = 64, S_K = 80, S_LD = 96, S_MOVE = 112;
const S_ACC = 144, S_X0 = 176, S_X1 = 192, S_X2 = 208, S_X3 = 224, S_FB = 240, S_ACT = 256;
const S_CELL = 272, S_SLOT = 288;
const S_SLOTROW = 304, S_REMAIN = 320, S_ROWMAX = 336, S_ANY = 352; // per row slot
const S_RNG = 384;
const S_W = 416; // f32 per ladder step: energy weight W[k] = f32(v_k²·pulseE + nReads·readE)
const S_AMP = S_W + 4 * LADDER_MAX; // copy of amp[k], so amp and W share one address per lane
export const PROGRAM_SCRATCH_BYTES: i32 = S_AMP + 4 * LADDER_MAX;

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
let cNReads: i32 = 1, cVerifyAll: bool = false;

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
function cellDone(slot: i32, n: i32): void {
  if (n > load<i32>(slotAt(S_ROWMAX, slot))) store<i32>(slotAt(S_ROWMAX, slot), n);
  const left = load<i32>(slotAt(S_REMAIN, slot)) - 1;
  store<i32>(slotAt(S_REMAIN, slot), left);
  if (left == 0) finishRow(slot);
}

/** Writes a finished cell's state and counts. */
function writeCell(i: i32, tgt: i32, gi: f32, gt: f32, r: f32, n: i32, ns: i32, acc: f32): void {
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
  const i = load<i32>(lane(S_CELL, l));
  const n = load<i32>(lane(S_N, l));
  writeCell(i, <i32>load<u8>(cTargets + <usize>i), load<f32>(lane(S_GI, l)), load<f32>(lane(S_GT, l)),
    load<f32>(lane(S_R, l)), n, load<i32>(lane(S_NS, l)), load<f32>(lane(S_ACC, l)));
  store<i32>(lane(S_ACT, l), 0);
  store<i32>(lane(S_N, l), 0);
  store<u32>(lane(S_FB, l), <u32>(cFlags + <usize>(ROWS_IN_FLIGHT * cStride))); // dummy slot
  cellDone(load<i32>(lane(S_SLOT, l)), n);
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
    store<f32>(lane(S_GI, l), gi);
    store<f32>(lane(S_GT, l), gt);
    store<f32>(lane(S_R, l), r);
    store<i32>(lane(S_N, l), 0);
    store<i32>(lane(S_NS, l), 0);
    store<i32>(lane(S_K, l), 0);
    store<i32>(lane(S_LD, l), 0);
    store<i32>(lane(S_MOVE, l), move ? -1 : 0);
    store<f32>(lane(S_ACC, l), 0);
    store<u32>(lane(S_X0, l), s0);
    store<u32>(lane(S_X1, l), s1);
    store<u32>(lane(S_X2, l), s2);
    store<u32>(lane(S_X3, l), s3);
    store<u32>(lane(S_FB, l), <u32>(cFlags + <usize>(slot * cStride)));
    store<i32>(lane(S_ACT, l), -1);
    store<i32>(lane(S_CELL, l), i);
    store<i32>(lane(S_SLOT, l), slot);
    return true;
  }
  return false;
}

/** Finishes the lanes in `done` (bit l = lane l), then refills every idle lane it can. */
function laneEvent(done: i32): void {
  for (let l = 0; l < 4; l++) if ((done >> l) & 1) finishLane(l);
  for (let l = 0; l < 4; l++) if (load<i32>(lane(S_ACT, l)) == 0) refill(l);
}

// gather of 4 f32 (or i32) values, lane l from the byte address in lane l of addr (addresses are formed in SIMD)
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
  memory.fill(scratch, 0, <usize>PROGRAM_SCRATCH_BYTES);
  for (let kk = 0; kk <= ladderLast; kk++) {
    const vsq = <f64>load<f32>(tab + (<usize>(T_VSQ + kk) << 2));
    store<f32>(scratch + <usize>(S_W + (kk << 2)), <f32>(vsq * cPulseE + <f64>cNReads * cReadE));
    store<f32>(scratch + <usize>(S_AMP + (kk << 2)), load<f32>(tab + (<usize>(T_AMP + kk) << 2)));
  }
  for (let s = 0; s < ROWS_IN_FLIGHT; s++) store<i32>(slotAt(S_SLOTROW, s), -1);
  for (let l = 0; l < 4; l++) store<u32>(lane(S_FB, l), <u32>(flags + <usize>(ROWS_IN_FLIGHT * cStride)));
  for (let l = 0; l < 4; l++) refill(l);

  const vtolV = f32x4.splat(cVtol);
  const maxPV = i32x4.splat(maxPulses);
  const gMinV = f32x4.splat(<f32>cGMin);
  const gMaxV = f32x4.splat(<f32>prm(prmPtr, P_GMAX));
  const satScaleV = f32x4.splat(<f32>prm(prmPtr, P_SAT_SCALE));
  const satMaxV = i32x4.splat(SAT_N - 1);
  const readRelV = f32x4.splat(cReadRel), readAbsV = f32x4.splat(cReadAbs);
  const readScaleV = f32x4.splat(cReadScale);
  const setAbsV = f32x4.splat(setStep), resetAbsV = f32x4.splat(resetStep), negResetV = f32x4.splat(-resetStep);
  const gainV = f32x4.splat(<f32>prm(prmPtr, P_GAIN));
  const lastV = i32x4.splat(ladderLast);
  const offV = i32x4.splat(cOff);
  const oneV = i32x4.splat(1), twoV = i32x4.splat(2);
  const kLoV = i32x4.splat(K_LO), kMaxV = i32x4.splat(K_N - 1), zeroV = i32x4.splat(0), m255 = i32x4.splat(255);
  // table base addresses as lane vectors (gather addresses = base + 4·index, formed in SIMD)
  const ampV = i32x4.splat(<i32>(scratch + <usize>S_AMP)), wV = i32x4.splat(<i32>(scratch + <usize>S_W));
  const satV = i32x4.splat(<i32>(tab + (<usize>T_SAT << 2))), fourV = i32x4.splat(4);
  const c2cV = i32x4.splat(<i32>(tab + (<usize>T_C2C << 2))), normalV = i32x4.splat(<i32>(tab + (<usize>T_NORMAL << 2)));
  const kStartV = i32x4.splat(<i32>(tab + (<usize>T_KSTART << 2)));
  const m16380 = i32x4.splat(4095 << 2), mC2c = i32x4.splat(~3);
  const nReads = cNReads;

  const S = scratch;
  let gi = v128.load(S, S_GI), gt = v128.load(S, S_GT), r = v128.load(S, S_R), n = v128.load(S, S_N);
  let ns = v128.load(S, S_NS), k = v128.load(S, S_K), lastDir = v128.load(S, S_LD);
  let move = v128.load(S, S_MOVE), acc = v128.load(S, S_ACC);
  let x0 = v128.load(S, S_X0), x1 = v128.load(S, S_X1), x2 = v128.load(S, S_X2), x3 = v128.load(S, S_X3);
  let fb = v128.load(S, S_FB), act = v128.load(S, S_ACT);

  while (true) {
    // ---- which lanes go on: verify read outside the band and pulses left ----
    const out = f32x4.gt(f32x4.abs(f32x4.sub(r, gt)), vtolV);
    const cont = v128.and(v128.and(out, i32x4.lt_s(n, maxPV)), act);
    const am = i32x4.bitmask(act);
    if (i32x4.bitmask(cont) != am || am == 0) { // a lane finished (or none is running)
      v128.store(S, gi, S_GI); v128.store(S, gt, S_GT); v128.store(S, r, S_R); v128.store(S, n, S_N);
      v128.store(S, ns, S_NS); v128.store(S, k, S_K); v128.store(S, lastDir, S_LD);
      v128.store(S, move, S_MOVE); v128.store(S, acc, S_ACC);
      v128.store(S, x0, S_X0); v128.store(S, x1, S_X1); v128.store(S, x2, S_X2); v128.store(S, x3, S_X3);
      v128.store(S, fb, S_FB);
      laneEvent(am & ~i32x4.bitmask(cont));
      gi = v128.load(S, S_GI); gt = v128.load(S, S_GT); r = v128.load(S, S_R); n = v128.load(S, S_N);
      ns = v128.load(S, S_NS); k = v128.load(S, S_K); lastDir = v128.load(S, S_LD);
      move = v128.load(S, S_MOVE); acc = v128.load(S, S_ACC);
      x0 = v128.load(S, S_X0); x1 = v128.load(S, S_X1); x2 = v128.load(S, S_X2); x3 = v128.load(S, S_X3);
      fb = v128.load(S, S_FB); act = v128.load(S, S_ACT);
      if (!v128.any_true(act)) break;
      continue;
    }
    // ---- one pulse per lane ----
    const isSet = f32x4.lt(r, gt); // all ones where the read is below the target
    const dir = i32x4.add(twoV, isSet); // 1 SET, 2 RESET
    if (scheme == 0) {
      // ISPP: one ladder step up while the direction holds, back to v0 on a reversal
      k = v128.and(i32x4.eq(dir, lastDir), i32x4.min_s(i32x4.add(k, oneV), lastV));
    } else if (scheme == 2) {
      // adaptive: the largest k whose amp[0..k] are all ≤ q = gain·|error| / (|step|·sat(read)) (k = 0 if none).
      // The bucket of q (its f32 bits >>> K_SHIFT) gives a start k that is never too high, and a flag when a ladder
      // amplitude falls inside the bucket; only then does k walk up.
      const need = f32x4.mul(gainV, f32x4.abs(f32x4.sub(gt, r)));
      const ri = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.sub(r, gMinV), satScaleV)), zeroV), satMaxV);
      const satR = gather(i32x4.add(i32x4.add(i32x4.shl(ri, 3), v128.andnot(fourV, isSet)), satV));
      const q = f32x4.div(need, f32x4.mul(v128.bitselect(setAbsV, resetAbsV, isSet), satR));
      const b = i32x4.min_s(i32x4.max_s(i32x4.sub(i32x4.shr_u(q, K_SHIFT), kLoV), zeroV), kMaxV);
      const ent = gather(i32x4.add(i32x4.shl(b, 2), kStartV));
      k = v128.and(ent, m255);
      let walk = v128.and(i32x4.ne(v128.and(ent, i32x4.splat(256)), zeroV), act);
      while (v128.any_true(walk)) {
        const k1 = i32x4.min_s(i32x4.add(k, oneV), lastV);
        const a1 = gather(i32x4.add(i32x4.shl(k1, 2), ampV));
        walk = v128.and(v128.and(walk, i32x4.lt_s(k, lastV)), f32x4.le(a1, q));
        k = i32x4.sub(k, walk);
      }
    } // FPPV: k = 0, the single ladder entry vFixed
    const ka = i32x4.add(i32x4.shl(k, 2), wV);
    const k0 = <usize>i32x4.extract_lane(ka, 0), k1 = <usize>i32x4.extract_lane(ka, 1);
    const k2 = <usize>i32x4.extract_lane(ka, 2), k3 = <usize>i32x4.extract_lane(ka, 3);
    let amp = f32x4.splat(0), w = f32x4.splat(0);
    amp = v128.load32_lane(k0, amp, 0, S_AMP - S_W); w = v128.load32_lane(k0, w, 0);
    amp = v128.load32_lane(k1, amp, 1, S_AMP - S_W); w = v128.load32_lane(k1, w, 1);
    amp = v128.load32_lane(k2, amp, 2, S_AMP - S_W); w = v128.load32_lane(k2, w, 2);
    amp = v128.load32_lane(k3, amp, 3, S_AMP - S_W); w = v128.load32_lane(k3, w, 3);
    acc = f32x4.add(acc, f32x4.mul(gi, w));
    // xoshiro128** step in each lane: u = rotl(x1·5, 7)·9
    const x5 = i32x4.add(i32x4.shl(x1, 2), x1);
    const rl = v128.or(i32x4.shl(x5, 7), i32x4.shr_u(x5, 25));
    const u = i32x4.add(i32x4.shl(rl, 3), rl);
    {
      const t9 = i32x4.shl(x1, 9);
      x2 = v128.xor(x2, x0); x3 = v128.xor(x3, x1); x1 = v128.xor(x1, x2); x0 = v128.xor(x0, x3);
      x2 = v128.xor(x2, t9); x3 = v128.or(i32x4.shl(x3, 11), i32x4.shr_u(x3, 21));
    }
    const m = gather(i32x4.add(v128.and(i32x4.shr_u(u, 18), mC2c), c2cV));
    // ΔG = ±step·amp(k)·m·sat(G) (0 for a stuck cell)
    const f = v128.and(f32x4.mul(f32x4.mul(v128.bitselect(setAbsV, negResetV, isSet), amp), m), move);
    const gIdx = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.sub(gi, gMinV), satScaleV)), zeroV), satMaxV);
    const sat = gather(i32x4.add(i32x4.add(i32x4.shl(gIdx, 3), v128.andnot(fourV, isSet)), satV));
    gi = f32x4.pmax(f32x4.pmin(f32x4.add(gi, f32x4.mul(f, sat)), gMaxV), gMinV);
    // row flags: byte n of the lane's slot (SET half) or byte off + n (RESET half); idle lanes write a dummy slot
    const fa = i32x4.add(i32x4.add(fb, n), v128.andnot(offV, isSet));
    store<u8>(<usize>i32x4.extract_lane(fa, 0), 1);
    store<u8>(<usize>i32x4.extract_lane(fa, 1), 1);
    store<u8>(<usize>i32x4.extract_lane(fa, 2), 1);
    store<u8>(<usize>i32x4.extract_lane(fa, 3), 1);
    n = i32x4.sub(n, act);
    ns = i32x4.sub(ns, v128.and(isSet, act));
    lastDir = dir;
    // ---- verify: read = G + (readRel·G + readAbs)·z ----
    let z = gather(i32x4.add(v128.and(i32x4.shr_u(u, 6), m16380), normalV));
    if (nReads > 1) z = f32x4.mul(z, readScaleV);
    r = f32x4.add(gi, f32x4.mul(f32x4.add(f32x4.mul(readRelV, gi), readAbsV), z));
  }
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
