// What the user chooses on the page, and the checks both sides run on it: the page before it sends an action, the
// worker again at its boundary. Pure data and functions (no DOM, no engine), so page and worker share them.

export type Mapping = 'baseline' | 'xamm';

/** One editable field of the hardware config; `path` is the config tree path the CLI's JSON config uses. */
export interface ConfigField {
  path: string;
  label: string;
  kind: 'int' | 'number' | 'choice';
  choices?: string[];
  step?: number;
  hint: string;
}

/** The pool's spare crossbars: not part of the hardware config (a scenario setting, `ha3m switch --spare`). */
export const SPARE_FIELD = 'pool.spare';

export const CONFIG_FIELDS: readonly ConfigField[] = [
  { path: 'programming.scheme', label: 'write-verify scheme', kind: 'choice', choices: ['ispp', 'fppv', 'adaptive'], hint: 'as `--scheme`: a changed scheme brings its calibrated pulse settings' },
  { path: 'crossbar.rows', label: 'crossbar rows', kind: 'int', step: 1, hint: 'physical rows (word lines) per crossbar' },
  { path: 'crossbar.cols', label: 'crossbar columns', kind: 'int', step: 1, hint: 'physical columns (bit lines) per crossbar' },
  { path: 'cells.cellBits', label: 'bits per cell', kind: 'int', step: 1, hint: '2^bits conductance levels per cell' },
  { path: SPARE_FIELD, label: 'spare crossbars (fraction)', kind: 'number', step: 0.05, hint: 'pool = the larger model × (1 + spare) crossbars, as `ha3m switch --spare`' },
  { path: 'device.faults.stuckHrsRate', label: 'stuck at HRS (rate)', kind: 'number', step: 0.0005, hint: 'probability that a cell is stuck at the lowest conductance' },
  { path: 'device.faults.stuckLrsRate', label: 'stuck at LRS (rate)', kind: 'number', step: 0.0005, hint: 'probability that a cell is stuck at the highest conductance' },
  { path: 'device.readNoise.relative', label: 'read noise (relative)', kind: 'number', step: 0.005, hint: 'σ(G) per read = relative·G + absolute' },
  { path: 'device.readNoise.absoluteUS', label: 'read noise (absolute, µS)', kind: 'number', step: 0.05, hint: 'σ(G) per read = relative·G + absolute' },
  { path: 'device.response.c2cSigma', label: 'cycle-to-cycle σ', kind: 'number', step: 0.05, hint: 'σ of log(step) of one programming pulse (lognormal)' },
];

export const DEFAULT_SPARE = 0.1;

/**
 * The hardware as the page sends it: a preset and the fields the user changed (numbers, or the text typed when it
 * is not a number, so that the config schema reports it as the CLI would).
 */
export interface HardwareChoice { preset: string; edits: Record<string, number | string> }

/** A typed field value: a number when the text is one, else the text itself (the schema then names the problem). */
export function fieldValue(field: ConfigField, text: string): number | string {
  if (field.kind === 'choice') return text;
  const t = text.trim();
  const n = t === '' ? Number.NaN : Number(t);
  return Number.isFinite(n) ? n : text;
}

/** The largest seed the engine takes (seeds are split into two u32 halves; JS integers are exact up to here). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** A seed from what the user typed, or an error message saying what a seed must be. */
export function parseSeed(text: string | number): { seed: number } | { error: string } {
  const t = String(text).trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    return { error: `seed must be a whole number from 0 to ${MAX_SEED} (got "${String(text)}"); the same seed gives the same results` };
  }
  return { seed: Number(t) };
}

/** The seed, or an Error (the worker's boundary check). */
export function checkSeed(seed: unknown): number {
  const r = typeof seed === 'number' || typeof seed === 'string' ? parseSeed(seed) : { error: `seed must be a whole number, got ${typeof seed}` };
  if ('error' in r) throw new Error(r.error);
  return r.seed;
}

export function checkMapping(m: unknown): Mapping {
  if (m !== 'baseline' && m !== 'xamm') throw new Error(`mapping must be "baseline" or "xamm", got ${JSON.stringify(m)}`);
  return m;
}

/**
 * Which editable fields a config problem names (a problem may name several, e.g. a tolerance that must stay below
 * half the level spacing names cells.cellBits too); empty when it names none of them.
 */
export function fieldsOfProblem(problem: string): string[] {
  return CONFIG_FIELDS.map((f) => f.path).filter((p) => new RegExp(`(^|[\\s(])${p.replace(/\./g, '\\.')}(?=[\\s:(),.]|$)`).test(problem));
}
