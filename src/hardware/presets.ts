// Named device presets and the default hardware config. Every number cites where it comes from; numbers that no
// source gives are marked "assumed" and are parameters like any other.
import type { DeviceModel, HardwareConfig, ProgrammingConfig } from './config.js';

/**
 * 1T1R HfOx multi-level cell, 2 bits per cell — the default.
 * Pulse-count statistics of write-verify (ISPP mean 21.8 / median 11 / p90 51 pulses; FPPV 17.0 / 8 / 34;
 * RADAR 8.7 / 6 / 19): Le, Levy et al., "RADAR: A Fast and Energy-Efficient Programming Technique for Multiple
 * Bits-Per-Cell RRAM Arrays", IEEE TED 68(9), 2021 (statistics recomputed from their public raw data; DESIGN §6).
 * The response parameters below are fitted so that programming random 2-bit levels from reset reproduces those
 * statistics (see src/programming/calibration.ts). Conductance window: assumed 5–100 µS (typical of 1T1R HfOx
 * multi-level cells; the paper reports levels in resistance). Endurance ~1e6 cycles for multi-level HfOx (DESIGN §6).
 * Stuck-at rates: assumed 0.1 % HRS + 0.05 % LRS, the low end of the 0.1–10 % range simulators use.
 */
export const hfoxRadar: DeviceModel = {
  name: 'hfox-radar',
  source: 'Le, Levy et al., IEEE TED 2021 (RADAR) pulse statistics; window and fault rates assumed',
  gMinUS: 5,
  gMaxUS: 100,
  readNoise: { model: 'pair', relative: 0.01, absoluteUS: 0.2 },
  programmingError: { sigmaUS: 3.0, slope: 0 },
  drift: { nu: 0, t0S: 1 },
  faults: { stuckHrsRate: 0.001, stuckLrsRate: 0.0005 },
  enduranceCycles: 1e6,
  // fitted to the ISPP statistics (src/programming/calibration.ts); FPPV and adaptive carry their own fitted
  // response overrides there (schemePresets)
  response: {
    setStepUS: 6.191,
    resetStepUS: 13.075,
    vRef: 1.5,
    vThreshold: 0.5,
    ampExponent: 1.0,
    nonlinearity: 1.504,
    saturationMargin: 0,
    c2cSigma: 0.851,
    jumpProbability: 0,
    jumpScale: 1,
  },
};

/**
 * NeuRRAM chip (Wan et al., "A compute-in-memory chip based on resistive random-access memory", Nature 608, 2022):
 * conductances programmed within 1–40 µS, accept band ±1 µS, 1 µs programming pulses, cell-by-cell write-verify.
 * Read noise and response: assumed.
 */
export const neurram: DeviceModel = {
  name: 'neurram',
  source: 'Wan et al., Nature 2022 (NeuRRAM): 1–40 µS window, ±1 µS band, 1 µs pulses; noise and response assumed',
  gMinUS: 1,
  gMaxUS: 40,
  readNoise: { model: 'pair', relative: 0.01, absoluteUS: 0.1 },
  programmingError: { sigmaUS: 1.0, slope: 0 },
  drift: { nu: 0, t0S: 1 },
  faults: { stuckHrsRate: 0.001, stuckLrsRate: 0.001 },
  enduranceCycles: 1e6,
  response: {
    setStepUS: 1.2,
    resetStepUS: 1.2,
    vRef: 1.5,
    vThreshold: 0.5,
    ampExponent: 2,
    nonlinearity: 1,
    saturationMargin: 0.25,
    c2cSigma: 0.6,
    jumpProbability: 0.01,
    jumpScale: 4,
  },
};

/**
 * HfO2 RRAM, Milo et al., "Optimized programming algorithms for multilevel RRAM in hardware neural networks",
 * IRPS 2021: conductance 50–225 µS, programming spread σ ≈ −0.0091·G + 4.78 µS (DESIGN §6).
 */
export const miloHfo2: DeviceModel = {
  name: 'milo-hfo2',
  source: 'Milo et al., IRPS 2021: 50–225 µS window, σ(G) = −0.0091·G + 4.78 µS; response assumed',
  gMinUS: 50,
  gMaxUS: 225,
  readNoise: { model: 'pair', relative: 0.005, absoluteUS: 0.5 },
  programmingError: { sigmaUS: 4.78, slope: -0.0091 },
  drift: { nu: 0, t0S: 1 },
  faults: { stuckHrsRate: 0.001, stuckLrsRate: 0.001 },
  enduranceCycles: 1e6,
  response: {
    setStepUS: 10,
    resetStepUS: 10,
    vRef: 1.5,
    vThreshold: 0.5,
    ampExponent: 2,
    nonlinearity: 1,
    saturationMargin: 0.25,
    c2cSigma: 0.6,
    jumpProbability: 0.01,
    jumpScale: 4,
  },
};

/**
 * A noiseless, fault-free device for checking the arithmetic (no source: by construction). Every pulse moves the
 * conductance by exactly 5.5 µS whatever its amplitude (ampExponent 0, no saturation, no cycle-to-cycle spread), so
 * every scheme (ISPP, FPPV, adaptive) lands every cell: with 2-bit cells a level is exactly 6 pulses away (the
 * level spacing is 33 µS) and cells sit exactly on their targets; with other cellBits the 5.5 µS step still fits
 * in the preset's ±3 µS band. (A step wider than the band cannot land: a noiseless cell would jump over its band
 * forever — see src/programming/landing.ts.)
 */
export const idealDevice: DeviceModel = {
  name: 'ideal',
  source: 'none: noiseless, fault-free reference device',
  gMinUS: 1,
  gMaxUS: 100,
  readNoise: { model: 'pair', relative: 0, absoluteUS: 0 },
  programmingError: { sigmaUS: 0, slope: 0 },
  drift: { nu: 0, t0S: 1 },
  faults: { stuckHrsRate: 0, stuckLrsRate: 0 },
  enduranceCycles: 1e9,
  response: {
    setStepUS: 5.5,
    resetStepUS: 5.5,
    vRef: 1.5,
    vThreshold: 0.5,
    ampExponent: 0,
    nonlinearity: 0,
    saturationMargin: 0.25,
    c2cSigma: 0,
    jumpProbability: 0,
    jumpScale: 1,
  },
};

export const devicePresets: Record<string, DeviceModel> = {
  'hfox-radar': hfoxRadar,
  neurram,
  'milo-hfo2': miloHfo2,
  ideal: idealDevice,
};

/**
 * Default write-verify settings. Timings: 1 µs pulses as in NeuRRAM (Wan et al. 2022); read 100 ns and the
 * voltages are assumed; energy per pulse is V²·G·t as NeuroSim prices it.
 */
export const defaultProgramming: ProgrammingConfig = {
  scheme: 'ispp',
  toleranceUS: 3,
  maxPulses: 200,
  // verify as the calibrated ISPP preset does (src/programming/calibration.ts): the mean of 4 reads, accepted only
  // 1.5 µS inside the ±3 µS band, so read noise rarely lets an out-of-band cell pass (99.7 % end in band, as
  // measured arrays do; with 1 read and no margin only ~60 % did)
  readsPerVerify: 4,
  verifyMarginUS: 1.5,
  adaptiveGain: 0.7,
  // ISPP ladder fitted with the hfox-radar response and that verify (calibration.ts: mean/median/p90 within ±20 %
  // of DESIGN §6)
  v0: 1.416,
  vStep: 0.08017,
  vMax: 6.094,
  vFixed: 2.075,
  vRead: 0.2,
  tPulseS: 1e-6,
  tReadS: 1e-7,
  peripheralPulseJ: 0,
  peripheralReadJ: 0,
  parallelism: 'row',
  crossbarsInParallel: 1,
  initialState: 'hrs',
};

/** DESIGN §2 defaults: 128×128 crossbars, 8-bit weights, 2-bit cells, differential, 8-bit inputs, 1-bit DAC, 8-bit ADC with a range calibrated on data. */
export const defaultHardware: HardwareConfig = {
  crossbar: { rows: 128, cols: 128, numCrossbars: null },
  weights: { weightBits: 8, scale: 'layer' },
  cells: { cellBits: 2, sign: 'differential' },
  io: {
    inputBits: 8,
    inputSigned: false,
    dacBits: 1,
    adcBits: 8,
    adcRange: 'calibrated',
    adcRanges: null,
    adcPerInputBit: true,
  },
  device: hfoxRadar,
  programming: defaultProgramming,
};

/** Whole-config presets: a device plus any settings that go with it. */
export const hardwarePresets: Record<string, { description: string; config: HardwareConfig }> = {
  default: { description: 'DESIGN §2 defaults on the HfOx 1T1R device (RADAR statistics)', config: defaultHardware },
  neurram: {
    description: 'NeuRRAM-like: 1–40 µS, ±1 µS band, 1 µs pulses',
    // the verify margin and averaging were fitted for hfox-radar's band: plain single-read verify here
    config: { ...defaultHardware, device: neurram, programming: { ...defaultProgramming, toleranceUS: 1, readsPerVerify: 1, verifyMarginUS: 0 } },
  },
  'milo-hfo2': {
    description: 'HfO2 50–225 µS (Milo et al. IRPS 2021)',
    config: { ...defaultHardware, device: miloHfo2, programming: { ...defaultProgramming, toleranceUS: 6, readsPerVerify: 1, verifyMarginUS: 0 } },
  },
  ideal: {
    description: 'noiseless, fault-free device with a 24-bit ADC: analog equals ideal up to one LSB',
    config: {
      ...defaultHardware,
      device: idealDevice,
      io: { ...defaultHardware.io, adcBits: 24 },
      // ±3 µS: wider than half the 5.5 µS step (so every cell lands) and below half the level spacing up to 4-bit cells (3.3 µS)
      programming: { ...defaultProgramming, toleranceUS: 3, readsPerVerify: 1, verifyMarginUS: 0 },
    },
  },
};
