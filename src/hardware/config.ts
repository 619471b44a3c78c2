// HardwareConfig: the one typed tree that configures the simulated accelerator (DESIGN §2). Defaults are complete;
// user input is a deep-partial override merged onto them, then validated strictly (unknown keys are errors, so a
// typo never silently falls back to a default). JSON round-trips exactly.
import { z } from 'zod';

const intIn = (min: number, max: number) =>
  z.number({ error: `must be a number (an integer in [${min}, ${max}])` })
    .int({ error: `must be an integer in [${min}, ${max}]` })
    .min(min, { error: `must be an integer in [${min}, ${max}]` })
    .max(max, { error: `must be an integer in [${min}, ${max}]` });
const numIn = (min: number, max: number, what = '') =>
  z.number({ error: `must be a finite number in [${min}, ${max}]${what}` })
    .refine(Number.isFinite, { error: `must be a finite number in [${min}, ${max}]${what}` })
    .refine((v) => v >= min && v <= max, { error: `must be in [${min}, ${max}]${what}` });
const positive = (what = '') =>
  z.number({ error: `must be a positive finite number${what}` })
    .refine((v) => Number.isFinite(v) && v > 0, { error: `must be a positive finite number${what}` });
const rate = numIn(0, 1, ' (a probability)');

export const CrossbarSchema = z.strictObject({
  /** Physical rows (word lines) per crossbar. */
  rows: intIn(1, 4096),
  /** Physical columns (bit lines) per crossbar. */
  cols: intIn(1, 4096),
  /** Crossbars in the pool; null = derived from the scenario (enough for the largest model). */
  numCrossbars: intIn(1, 1_000_000).nullable(),
});

export const WeightsSchema = z.strictObject({
  /** Signed weight precision (sign-magnitude, CrossSim convention). */
  weightBits: intIn(2, 16),
  /** One scale per layer, or one per output column. */
  scale: z.enum(['layer', 'column'], { error: 'must be "layer" or "column"' }),
});

export const CellsSchema = z.strictObject({
  /** Bits stored per cell: 2^cellBits conductance levels. */
  cellBits: intIn(1, 4),
  /** differential: a positive and a negative cell per slice; offset: one cell per slice plus a reference column. */
  sign: z.enum(['differential', 'offset'], { error: 'must be "differential" or "offset"' }),
});

export const IoSchema = z.strictObject({
  /** Input precision. Unsigned inputs use all bits; signed inputs are sign + (inputBits-1)-bit magnitude. */
  inputBits: intIn(1, 16),
  inputSigned: z.boolean({ error: 'must be true or false' }),
  /** Bits applied per read by the DAC (1 = bit-serial). */
  dacBits: intIn(1, 16),
  /** ADC resolution: 2^adcBits - 1 levels symmetric around 0; 0 = no ADC (the analog values pass unquantized). */
  adcBits: intIn(0, 24),
  /**
   * max: H = full-scale column current; calibrated: per-slice ranges (given, or calibrated on data); granular:
   * CrossSim's GRANULAR, step = 2^n/(2^n − 1) level units for n input magnitude bits (needs adcPerInputBit).
   */
  adcRange: z.enum(['max', 'calibrated', 'granular'], { error: 'must be "max", "calibrated" or "granular"' }),
  /** Per-slice half ranges H (in level units × digit units) for adcRange = calibrated; null = calibrate on data. */
  adcRanges: z.array(positive(' (an ADC half range)')).nullable(),
  /** Convert once per input digit (true) or once per slice after analog accumulation of the digits (false). */
  adcPerInputBit: z.boolean({ error: 'must be true or false' }),
});

export const DeviceSchema = z.strictObject({
  /** Preset name or "custom". */
  name: z.string(),
  /** Where the numbers come from. */
  source: z.string(),
  /** Conductance of level 0 (HRS side) in µS. */
  gMinUS: positive(' (µS)'),
  /** Conductance of the top level (LRS side) in µS. */
  gMaxUS: positive(' (µS)'),
  /**
   * Read noise, per device per read per input vector, σ(G) = relative·G + absoluteUS. model: "pair" draws the summed
   * Gaussian of a differential pair (or offset column) once per read — exact in distribution for unrectified
   * per-device Gaussians; "device" draws every device and rectifies its conductance at 0, as CrossSim does;
   * "proportional" is CrossSim's NormalProportional, G·(1 + relative·n) rectified (absoluteUS must be 0).
   */
  readNoise: z.strictObject({
    model: z.enum(['pair', 'device', 'proportional'], { error: 'must be "pair", "device" or "proportional"' }).default('pair'),
    relative: numIn(0, 1),
    absoluteUS: numIn(0, 1e6),
  }),
  /** Residual programming error when not write-verified (open loop): σ(G) = sigmaUS + slope·G (Milo et al. form). */
  programmingError: z.strictObject({ sigmaUS: numIn(0, 1e6), slope: numIn(-1, 1) }),
  /** Conductance drift G(t) = G(t0)·(t/t0)^(-nu). nu = 0 disables it. */
  drift: z.strictObject({ nu: numIn(0, 1), t0S: positive(' (seconds)') }),
  /** Stuck-at fault rates, drawn once per cell from the seed. */
  faults: z.strictObject({ stuckHrsRate: rate, stuckLrsRate: rate }),
  /** Write-verify pulses a cell survives (cycle endurance). */
  enduranceCycles: positive(' (pulses)'),
  /** Programming response of one pulse; used by the write-verify simulator. */
  response: z.strictObject({
    /** Mean |ΔG| in µS of a SET pulse at the reference amplitude, far from saturation. */
    setStepUS: positive(' (µS)'),
    /** Mean |ΔG| in µS of a RESET pulse at the reference amplitude. */
    resetStepUS: positive(' (µS)'),
    /** Reference amplitude (V) at which the steps above are measured. */
    vRef: positive(' (V)'),
    /** Threshold amplitude (V) below which a pulse does nothing. */
    vThreshold: numIn(0, 100, ' (V)'),
    /** Exponent of the amplitude dependence: step ∝ ((v - vThreshold)/(vRef - vThreshold))^ampExponent. */
    ampExponent: numIn(0, 10),
    /** Saturation: SET steps shrink as G approaches gMax (and RESET near gMin) with this exponent; 0 = linear device. */
    nonlinearity: numIn(0, 10),
    /**
     * The device's physical window extends this fraction of (gMax − gMin) beyond both ends of the programmed window;
     * saturation is measured against it, so the end levels stay reachable: SET step ∝ ((gHi − G)/(gHi − gLo))^nl,
     * RESET step ∝ ((G − gLo)/(gHi − gLo))^nl.
     */
    saturationMargin: numIn(0, 10).default(0.25),
    /** Cycle-to-cycle variation: lognormal multiplier with this σ of log(step). */
    c2cSigma: numIn(0, 5),
    /** Probability that a pulse lands an abrupt jump (heavy tail), and the jump's multiplier. */
    jumpProbability: rate,
    jumpScale: numIn(0, 100),
  }),
});

export const ProgrammingSchema = z.strictObject({
  /** ispp: amplitude rises while the direction holds; fppv: fixed amplitude; adaptive: step sized from the error. */
  scheme: z.enum(['ispp', 'fppv', 'adaptive'], { error: 'must be "ispp", "fppv" or "adaptive"' }),
  /** Accept band half width around the target conductance, in µS. */
  toleranceUS: positive(' (µS)'),
  /** Give up after this many pulses; the cell is reported as a failure. */
  maxPulses: intIn(1, 1_000_000),
  /** Reads averaged per verify. */
  readsPerVerify: intIn(1, 64),
  /**
   * Verify margin (µS): the verify read must fall within toleranceUS − verifyMarginUS of the target to accept a
   * cell, as real write-verify controllers do, so that read noise does not accept cells whose true conductance
   * sits just outside the tolerance band. 0 = accept on the band itself. Must be below toleranceUS.
   */
  verifyMarginUS: numIn(0, 1e6, ' (µS)').default(0),
  /** adaptive only: each pulse aims to close this fraction of the read error (amplitude picked from the ladder). */
  adaptiveGain: numIn(0.01, 2).default(0.7),
  /** Start amplitude, step and ceiling for ISPP and adaptive (V); fixed amplitude for FPPV. */
  v0: positive(' (V)'),
  vStep: numIn(0, 100, ' (V)'),
  vMax: positive(' (V)'),
  vFixed: positive(' (V)'),
  /** Read (verify) voltage (V). */
  vRead: positive(' (V)'),
  /** Pulse and read durations (s). */
  tPulseS: positive(' (s)'),
  tReadS: positive(' (s)'),
  /** Peripheral energy per pulse and per read (J), added to the cell's V²·G·t. */
  peripheralPulseJ: numIn(0, 1),
  peripheralReadJ: numIn(0, 1),
  /** Latency model: cell-serial or row-parallel, and how many crossbars program at once. */
  parallelism: z.enum(['cell', 'row'], { error: 'must be "cell" or "row"' }),
  crossbarsInParallel: intIn(1, 1_000_000),
  /** State of a fresh pool: all cells at HRS (gMin), or formed at random levels. */
  initialState: z.enum(['hrs', 'random'], { error: 'must be "hrs" or "random"' }),
});

export const HardwareConfigSchema = z.strictObject({
  crossbar: CrossbarSchema,
  weights: WeightsSchema,
  cells: CellsSchema,
  io: IoSchema,
  device: DeviceSchema,
  programming: ProgrammingSchema,
});

export type HardwareConfig = z.infer<typeof HardwareConfigSchema>;
export type DeviceModel = HardwareConfig['device'];
export type ProgrammingConfig = HardwareConfig['programming'];
export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid hardware config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
