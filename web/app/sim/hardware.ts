// The page's hardware choice → a validated HardwareConfig, with the CLI's rules: a preset plus overrides validated by
// the config schema (src/hardware/config.ts, zod, cross-field rules in resolve.ts), and a changed write-verify
// scheme applied as `--scheme` does (its calibrated settings). Problems come back per field.
import {
  ConfigError, hardwarePresets, presetNames, resolveHardware, configToJson, cellsPerWeight, tileCols, tileRows,
  levelsPerCell, magnitudeSlices, type HardwareConfig,
} from '../../../src/hardware/index.js';
import { withScheme } from '../../../src/programming/calibration.js';
import { CONFIG_FIELDS, DEFAULT_SPARE, SPARE_FIELD, fieldsOfProblem, type HardwareChoice } from '../inputs.js';
import type { ConfigProblem, ConfigSummary, Metric } from '../protocol.js';

export interface ResolvedHardware {
  cfg: HardwareConfig;
  /** Pool spare fraction. */
  spare: number;
  /** "path = value" for every field changed from the preset. */
  edits: string[];
}


/** Every problem of a choice, each with the editable fields it names; throws nothing. */
export function problemsOf(choice: HardwareChoice): ConfigProblem[] {
  try {
    resolveChoice(choice);
    return [];
  } catch (e) {
    const messages = e instanceof ConfigError ? e.problems : [(e as Error).message];
    return messages.map((message) => ({ fields: fieldsOfProblem(message), message }));
  }
}

function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setAt(obj: Record<string, unknown>, path: string, v: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]!] = v;
}

/** The values of the editable fields in a preset (what the page shows before any edit). */
export function presetValues(preset: string): Record<string, number | string> {
  const base = hardwarePresets[preset];
  if (!base) throw new ConfigError([`unknown preset "${preset}"; choose one of: ${presetNames().join(', ')}`]);
  const out: Record<string, number | string> = { [SPARE_FIELD]: DEFAULT_SPARE };
  for (const f of CONFIG_FIELDS) if (f.path !== SPARE_FIELD) out[f.path] = valueAt(base.config, f.path) as number | string;
  return out;
}

/** The config a choice stands for; throws a ConfigError listing every problem (each naming its field). */
export function resolveChoice(choice: HardwareChoice): ResolvedHardware {
  if (!choice || typeof choice.preset !== 'string' || typeof choice.edits !== 'object' || choice.edits === null) {
    throw new ConfigError(['hardware: expected { preset, edits } from the page']);
  }
  const known = new Set(CONFIG_FIELDS.map((f) => f.path));
  const unknown = Object.keys(choice.edits).filter((k) => !known.has(k));
  if (unknown.length) throw new ConfigError([`${unknown.join(', ')}: not an editable field (known: ${[...known].join(', ')})`]);
  const base = presetValues(choice.preset);
  const overrides: Record<string, unknown> = {};
  const edits: string[] = [];
  let scheme: string | null = null;
  let spare = DEFAULT_SPARE;
  const problems: string[] = [];
  for (const [path, v] of Object.entries(choice.edits)) {
    if (v === base[path]) continue;
    edits.push(`${path} = ${typeof v === 'string' ? JSON.stringify(v) : v}`);
    if (path === SPARE_FIELD) {
      if (typeof v !== 'number' || !(v >= 0 && v <= 10)) problems.push(`${SPARE_FIELD}: must be a number in [0, 10], a fraction of the larger model's crossbars (got ${JSON.stringify(v)})`);
      else spare = v;
    } else if (path === 'programming.scheme') scheme = String(v);
    else setAt(overrides, path, v);
  }
  let cfg: HardwareConfig | null = null;
  try {
    cfg = resolveHardware(overrides, choice.preset);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (cfg && scheme !== null) {
    try {
      cfg = withScheme(cfg, scheme);
    } catch (e) {
      problems.push(...(e instanceof ConfigError ? e.problems : [`programming.scheme: ${(e as Error).message}`]));
    }
  }
  if (problems.length || !cfg) throw new ConfigError(problems);
  return { cfg, spare, edits };
}

/** The derived layout of a config, as the page's Configuration panel lists it. */
export function configSummary(choice: HardwareChoice): ConfigSummary {
  const { cfg: c } = resolveChoice(choice);
  const metrics: Metric[] = [
    { label: 'crossbar', value: `${c.crossbar.rows} × ${c.crossbar.cols} cells` },
    { label: 'weights per crossbar', value: `${tileRows(c)} × ${tileCols(c)}` },
    { label: 'cells per weight', value: `${cellsPerWeight(c)} (${magnitudeSlices(c)} slices, ${c.cells.sign})` },
    { label: 'levels per cell', value: String(levelsPerCell(c)) },
    { label: 'device', value: c.device.name, hint: c.device.source },
    { label: 'window', value: `${c.device.gMinUS}–${c.device.gMaxUS} µS` },
    { label: 'write-verify', value: `${c.programming.scheme.toUpperCase()}, ±${c.programming.toleranceUS} µS, ≤ ${c.programming.maxPulses} pulses` },
    { label: 'I/O', value: `${c.io.inputBits}-bit inputs, ${c.io.dacBits}-bit DAC, ${c.io.adcBits}-bit ADC` },
  ];
  return { preset: choice.preset, description: hardwarePresets[choice.preset]!.description, metrics, json: configToJson(c) };
}
