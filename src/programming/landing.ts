// Can a write-verify scheme land a cell in its verify window at all? A pulse moves the conductance by
// step × amplitude factor × saturation factor × cycle-to-cycle multiplier. When even the smallest such move near a
// level is wider than the window the verify accepts (2 × (toleranceUS − verifyMarginUS)), every pulse jumps over
// the band in both directions: the cell lands only if a pulse hits the target by chance (never, for a noiseless
// device), oscillates until maxPulses and is reported failed. The lowest and highest levels are exempt: the
// conductance is clamped to [gMin, gMax], which are exactly their targets, so an overshoot towards them lands.
import type { HardwareConfig } from '../hardware/config.js';
import { buildTables, ladderVoltages, Q_N, SAT_N, T_AMP, T_C2C, T_SAT } from './tables.js';

export interface LandingProblem {
  /** Levels no pulse can land in (ascending). */
  levels: number[];
  /** The smallest conductance change a pulse can make near those levels, in µS (SET and RESET). */
  minSetStepUS: number;
  minResetStepUS: number;
  /** Width of the verify window in µS. */
  windowUS: number;
}

/** The levels whose verify window is narrower than the smallest pulse in both directions (null: none). */
export function landingProblem(cfg: HardwareConfig): LandingProblem | null {
  const d = cfg.device, p = cfg.programming, r = d.response;
  const L = 2 ** cfg.cells.cellBits;
  if (L < 3) return null; // only the clamped edge levels
  const windowUS = 2 * (p.toleranceUS - p.verifyMarginUS);
  const t = buildTables(cfg);
  const ladder = ladderVoltages(cfg).length;
  let amp = Infinity;
  for (let k = 0; k < ladder; k++) amp = Math.min(amp, t[T_AMP + k]!);
  let mult = Infinity;
  for (let k = 0; k < Q_N; k++) mult = Math.min(mult, t[T_C2C + k]!);
  const spacing = (d.gMaxUS - d.gMinUS) / (L - 1);
  const bin = (g: number) => Math.min(SAT_N - 1, Math.max(0, Math.trunc(((g - d.gMinUS) * SAT_N) / (d.gMaxUS - d.gMinUS))));
  const levels: number[] = [];
  let minSet = Infinity, minReset = Infinity;
  for (let l = 1; l < L - 1; l++) {
    // the smallest saturation factor a pulse can see while it approaches level l (from half a spacing away)
    const gt = d.gMinUS + l * spacing;
    let satSet = Infinity, satReset = Infinity;
    for (let i = bin(gt - spacing / 2); i <= bin(gt + spacing / 2); i++) {
      satSet = Math.min(satSet, t[T_SAT + 2 * i]!);
      satReset = Math.min(satReset, t[T_SAT + 2 * i + 1]!);
    }
    const set = r.setStepUS * amp * mult * satSet, reset = r.resetStepUS * amp * mult * satReset;
    if (Math.min(set, reset) > windowUS) {
      levels.push(l);
      minSet = Math.min(minSet, set);
      minReset = Math.min(minReset, reset);
    }
  }
  return levels.length ? { levels, minSetStepUS: minSet, minResetStepUS: minReset, windowUS } : null;
}

/** A warning naming the levels, the step, the window and the fix (null when every level can be landed). */
export function landingWarning(cfg: HardwareConfig): string | null {
  const lp = landingProblem(cfg);
  if (!lp) return null;
  const p = cfg.programming;
  const noisy = cfg.device.response.c2cSigma > 0 || cfg.device.response.jumpProbability > 0;
  return `programming.scheme ${p.scheme} cannot land cells at level${lp.levels.length > 1 ? 's' : ''} ${lp.levels.join(', ')}: ` +
    `the smallest pulse moves the conductance by ${lp.minSetStepUS.toFixed(3)} µS (SET) / ${lp.minResetStepUS.toFixed(3)} µS (RESET)` +
    `${noisy ? ' even with the smallest cycle-to-cycle multiplier' : ''}, wider than the ${lp.windowUS.toFixed(3)} µS the verify accepts ` +
    `(±(toleranceUS − verifyMarginUS)), so every pulse jumps over the band and those cells fail after maxPulses; ` +
    'lower device.response.setStepUS/resetStepUS or the pulse amplitude, or widen programming.toleranceUS';
}
