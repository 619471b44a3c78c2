// Parameter block and lookup tables of the write-verify kernel (assembly/program.ts) and its TS twin
// (src/reference/program.ts). Both take exactly these arrays, so they agree bit for bit.
//
// Why tables: the kernel must do ≥ 50 M write-verify iterations per second and be reproducible in every engine, so
// it never calls pow/log/exp. The kernel computes in f32 (four cells per f32x4, two groups); the TS twin rounds with
// Math.fround after every operation. Everything non-linear is tabulated here once per config, with deterministic math only
// (detLog/detExp, + − × ÷ sqrt):
//   - amplitude ladder: amp[k] = ((v_k − vTh)/(vRef − vTh))^ampExponent and v_k² for energy;
//   - adaptive scheme: a start table over buckets of the ratio q = gain·|error|/(|step|·sat) (T_KSTART, below), so
//     the kernel finds the largest k with amp[0..k] ≤ q without a scan or a log;
//   - saturation: SET step × (1 − x)^nonlinearity, RESET step × x^nonlinearity, x = (G − gLo)/(gHi − gLo) in the
//     physical window that extends saturationMargin·(gMax − gMin) beyond the programmed one at both ends,
//     piecewise constant on SAT_N equal bins of the window (value at the bin centre; no interpolation, because
//     the lookup sits on the kernel's critical dependency chain G → step → G');
//   - random draws by inverse transform on Q_N = 4096 equal-probability bins: 12 bits of one PRNG u32 pick a bin
//     (bits 31..20 for the c2c multiplier, bits 19..8 for the verify read's normal draw of the same u; see the
//     kernel header), the draw is the quantile at the bin's centre, p = (k + 0.5)/Q_N. The c2c table is the quantile
//     function of the heavy-tailed step multiplier M = L·J (L lognormal with σ = c2cSigma, J = jumpScale with
//     probability jumpProbability, else 1), rescaled so the table's mean is exactly E[M] = 1 − p + p·jumpScale
//     (E[L] = 1); the normal table is the standard normal quantile, rescaled to variance exactly 1. Each draw is
//     thus one of 4096 values and the tails are truncated at the outermost bin (|z| ≤ 3.5 for the normal): a
//     documented approximation that costs one load instead of a log and a square root.
import type { HardwareConfig } from '../hardware/config.js';
import { detExp, detLog } from '../wasm/index.js';

// The write-verify kernel's memory layout (table offsets, parameter indices, scratch sizes) is part of the kernel
// contract: src/wasm/program-abi.ts, shared with assembly/program.ts and the reference twin.
export * from '../wasm/program-abi.js';
export { normalQuantile, normalTable } from '../wasm/index.js';
import { normalTable, quantileNode as node } from '../wasm/index.js';
import {
  K_LO, K_N, K_SHIFT, LADDER_MAX, P, PARAMS_LEN, Q_N, SAT_N, SCHEME_CODE, T_AMP, T_C2C, T_KSTART, T_NORMAL, T_SAT, T_VSQ,
  TABLES_LEN, fromBits,
} from '../wasm/program-abi.js';

/** erfc(x) (Numerical Recipes' Chebyshev fit, |rel err| < 1.2e-7), deterministic math only. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const ans = t * detExp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? ans : 2 - ans;
}
const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);

/** Quantiles of the c2c step multiplier M = L·J at the bin centres (see the header). */
export function c2cTable(sigma: number, jumpProbability: number, jumpScale: number): Float32Array {
  const t = new Float64Array(Q_N);
  const p = jumpProbability;
  const lnJ = jumpScale > 0 ? detLog(jumpScale) : -50;
  if (sigma === 0) {
    for (let k = 0; k < Q_N; k++) t[k] = p > 0 && node(k) > 1 - p ? Math.max(jumpScale, 0) : 1;
  } else {
    // CDF of ln M with ln L ~ N(−σ²/2, σ²): F(y) = (1−p)Φ((y + σ²/2)/σ) + pΦ((y − lnJ + σ²/2)/σ)
    const mu = -sigma * sigma / 2;
    const cdf = (y: number): number => (1 - p) * normalCdf((y - mu) / sigma) + p * normalCdf((y - lnJ - mu) / sigma);
    const lo0 = mu - 12 * sigma + Math.min(0, lnJ), hi0 = mu + 12 * sigma + Math.max(0, lnJ);
    for (let k = 0; k < Q_N; k++) {
      const target = node(k);
      let lo = lo0, hi = hi0;
      for (let it = 0; it < 56; it++) {
        const mid = 0.5 * (lo + hi);
        if (cdf(mid) < target) lo = mid; else hi = mid;
      }
      t[k] = detExp(0.5 * (lo + hi));
    }
  }
  let m = 0;
  for (let k = 0; k < Q_N; k++) m += t[k]!;
  m /= Q_N;
  const want = 1 - p + p * Math.max(jumpScale, 0);
  for (let k = 0; k < Q_N; k++) t[k] = t[k]! * (want / m);
  return Float32Array.from(t);
}

/** Amplitudes of the pulse ladder (V) for a scheme: FPPV = [vFixed]; ISPP/adaptive = v0, v0 + vStep, …, ≤ vMax. */
export function ladderVoltages(cfg: Pick<HardwareConfig, 'programming'>): number[] {
  const p = cfg.programming;
  if (p.scheme === 'fppv') return [p.vFixed];
  if (p.vStep === 0) return [p.v0];
  const n = Math.floor((p.vMax - p.v0) / p.vStep + 1e-9) + 1;
  if (n > LADDER_MAX) {
    throw new Error(`programming: the amplitude ladder v0..vMax in steps of vStep has ${n} steps, more than ${LADDER_MAX}; ` +
      `raise programming.vStep to at least ${((p.vMax - p.v0) / (LADDER_MAX - 1)).toPrecision(3)} V or narrow v0..vMax`);
  }
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(p.v0 + k * p.vStep);
  return out;
}

const powDet = (x: number, e: number): number => (x <= 0 ? (e === 0 ? 1 : 0) : e === 0 ? 1 : detExp(e * detLog(x)));

/**
 * Adaptive start table: for the q-bucket [lb, ub) (f32 bit ranges), start = (length of the longest prefix of the
 * ladder with amp ≤ lb) − 1 (≥ 0), never above the k the kernel wants (the longest prefix with amp ≤ q, minus 1,
 * at least 0); refine flag = the prefix may grow inside the bucket, so the kernel walks k up while
 * amp[k + 1] ≤ q. The outermost buckets (which also take every q beyond the range) start at 0 / always refine.
 */
function fillAdaptiveStarts(t: Float32Array, ladderLen: number): void {
  const iv = new Int32Array(t.buffer, t.byteOffset + 4 * T_KSTART, K_N);
  const prefix = (q: number): number => {
    let c = 0;
    while (c < ladderLen && t[T_AMP + c]! <= q) c++;
    return c;
  };
  for (let b = 0; b < K_N; b++) {
    const lb = fromBits((b + K_LO) << K_SHIFT), ub = fromBits((b + 1 + K_LO) << K_SHIFT);
    const c = prefix(lb);
    const start = b === 0 ? 0 : Math.max(0, c - 1);
    const refine = b === 0 || b === K_N - 1 || prefix(ub) !== c;
    iv[b] = start | (refine ? 256 : 0);
  }
}

const tableCache = new Map<string, Float32Array>();

/** The f32 tables block for a config (cached by the fields it depends on). */
export function buildTables(cfg: Pick<HardwareConfig, 'device' | 'programming'>): Float32Array {
  const r = cfg.device.response;
  const key = JSON.stringify([r, cfg.programming.scheme, cfg.programming.v0, cfg.programming.vStep,
    cfg.programming.vMax, cfg.programming.vFixed]);
  const hit = tableCache.get(key);
  if (hit) return hit;
  const t = new Float32Array(TABLES_LEN);
  const volts = ladderVoltages(cfg);
  volts.forEach((v, k) => {
    const x = Math.max(0, (v - r.vThreshold) / (r.vRef - r.vThreshold));
    t[T_AMP + k] = powDet(x, r.ampExponent);
    t[T_VSQ + k] = v * v;
  });
  const mg = r.saturationMargin;
  for (let i = 0; i < SAT_N; i++) {
    const x = ((i + 0.5) / SAT_N + mg) / (1 + 2 * mg); // position in the physical window [gLo, gHi]
    t[T_SAT + 2 * i] = powDet(1 - x, r.nonlinearity);
    t[T_SAT + 2 * i + 1] = powDet(x, r.nonlinearity);
  }
  fillAdaptiveStarts(t, volts.length);
  t.set(c2cTable(r.c2cSigma, r.jumpProbability, r.jumpScale), T_C2C);
  t.set(normalTable(), T_NORMAL);
  if (tableCache.size > 64) tableCache.clear();
  tableCache.set(key, t);
  return t;
}

export interface KernelOptions {
  seed: number;
  /** Verify cells whose target equals their recorded, verified level (default false: they are skipped). */
  verifyAll?: boolean;
}

/** The f64 parameter block. */
export function buildParams(cfg: Pick<HardwareConfig, 'device' | 'programming' | 'cells'>, opts: KernelOptions): Float64Array {
  const d = cfg.device, p = cfg.programming;
  const big = BigInt.asUintN(64, BigInt(opts.seed));
  const L = 2 ** cfg.cells.cellBits;
  const prm = new Float64Array(PARAMS_LEN);
  prm[P.seedLo] = Number(big & 0xffffffffn);
  prm[P.seedHi] = Number(big >> 32n);
  prm[P.gMin] = d.gMinUS;
  prm[P.gMax] = d.gMaxUS;
  prm[P.spacing] = (d.gMaxUS - d.gMinUS) / (L - 1);
  prm[P.tol] = p.toleranceUS;
  prm[P.maxPulses] = p.maxPulses;
  prm[P.readsPerVerify] = p.readsPerVerify;
  prm[P.scheme] = SCHEME_CODE[p.scheme];
  prm[P.setStep] = d.response.setStepUS;
  prm[P.resetStep] = d.response.resetStepUS;
  prm[P.readRel] = d.readNoise.relative;
  prm[P.readAbs] = d.readNoise.absoluteUS;
  prm[P.readEnergy] = p.vRead * p.vRead * p.tReadS * 1e-6; // J per µS of conductance per read
  prm[P.pulseEnergy] = p.tPulseS * 1e-6; // × V² × G[µS] = J
  prm[P.periphPulse] = p.peripheralPulseJ;
  prm[P.periphRead] = p.peripheralReadJ;
  prm[P.ladderLen] = ladderVoltages(cfg).length;
  prm[P.adaptiveGain] = p.adaptiveGain;
  prm[P.verifyAll] = opts.verifyAll ? 1 : 0;
  prm[P.numLevels] = L;
  prm[P.invRange] = 1 / (d.gMaxUS - d.gMinUS);
  prm[P.satScale] = SAT_N / (d.gMaxUS - d.gMinUS);
  prm[P.verifyTol] = p.toleranceUS - (p.verifyMarginUS ?? 0);
  return prm;
}
