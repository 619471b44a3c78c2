// Building and checking configs: deep-merge user overrides onto a preset, validate every field and the rules that
// tie fields together, and round-trip through JSON.
import { ConfigError, HardwareConfigSchema, type DeepPartial, type HardwareConfig } from './config.js';
import { hardwarePresets } from './presets.js';
import { cellsPerWeight, levelSpacingUS, magnitudeSlices, tileCols } from './derived.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else (numbers, arrays, null) replaces. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (override === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override) as T;
  const out: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(override)) out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  return out as T;
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = isPlainObject(cur) || Array.isArray(cur) ? (cur as Record<PropertyKey, unknown>)[p] : undefined;
  return cur;
}

/** Problems that involve more than one field (zod checks the fields one by one). */
function crossFieldProblems(c: HardwareConfig): string[] {
  const p: string[] = [];
  if (c.device.gMaxUS <= c.device.gMinUS) {
    p.push(`device.gMaxUS (${c.device.gMaxUS}) must be greater than device.gMinUS (${c.device.gMinUS}); swap them or widen the window`);
  }
  const cpw = cellsPerWeight(c);
  const reserved = c.cells.sign === 'offset' ? 1 : 0;
  if (c.crossbar.cols - reserved < cpw) {
    p.push(`crossbar.cols (${c.crossbar.cols}) is too small: one weight needs ${cpw} cells ` +
      `(${magnitudeSlices(c)} slices × ${c.cells.sign === 'differential' ? 2 : 1} sign cells` +
      `${reserved ? ' plus a reference column' : ''}); raise cols to at least ${cpw + reserved} or raise cells.cellBits`);
  }
  if (c.io.dacBits > c.io.inputBits) {
    p.push(`io.dacBits (${c.io.dacBits}) must not exceed io.inputBits (${c.io.inputBits})`);
  }
  if (c.io.inputSigned && c.io.inputBits < 2) {
    p.push('io.inputBits must be at least 2 when io.inputSigned is true (one sign bit + magnitude)');
  }
  if (c.io.adcRange === 'calibrated' && c.io.adcRanges !== null && c.io.adcRanges.length !== magnitudeSlices(c)) {
    p.push(`io.adcRanges has ${c.io.adcRanges.length} entries but there are ${magnitudeSlices(c)} weight slices; give one half range per slice or null to calibrate`);
  }
  if (c.io.adcRange !== 'calibrated' && c.io.adcRanges !== null) {
    p.push(`io.adcRanges is only used with io.adcRange = "calibrated" (it is "${c.io.adcRange}"); set it to null`);
  }
  if (c.io.adcRange === 'granular' && !c.io.adcPerInputBit) {
    p.push('io.adcRange "granular" needs io.adcPerInputBit = true (its step is one level unit per input digit, as in CrossSim); ' +
      'set adcPerInputBit to true or use "max" / "calibrated"');
  }
  if (c.io.adcBits === 0 && c.io.adcRanges !== null) {
    p.push('io.adcRanges is not used with io.adcBits = 0 (no ADC); set it to null');
  }
  if (c.device.readNoise.model === 'proportional' && c.device.readNoise.absoluteUS !== 0) {
    p.push(`device.readNoise.absoluteUS (${c.device.readNoise.absoluteUS}) must be 0 with model "proportional" ` +
      '(σ = relative·G); set it to 0 or use model "device" for σ = relative·G + absoluteUS');
  }
  if (c.programming.vMax < c.programming.v0) {
    p.push(`programming.vMax (${c.programming.vMax}) must be at least programming.v0 (${c.programming.v0})`);
  }
  if (c.device.response.vRef <= c.device.response.vThreshold) {
    p.push(`device.response.vRef (${c.device.response.vRef}) must exceed device.response.vThreshold (${c.device.response.vThreshold})`);
  }
  const spacing = levelSpacingUS(c);
  if (c.programming.toleranceUS >= spacing / 2) {
    p.push(`programming.toleranceUS (${c.programming.toleranceUS}) must be below half the level spacing ` +
      `(${(spacing / 2).toFixed(3)} µS for ${2 ** c.cells.cellBits} levels in ${c.device.gMinUS}–${c.device.gMaxUS} µS); ` +
      'narrow the band, lower cells.cellBits or widen the conductance window');
  }
  if (c.programming.verifyMarginUS >= c.programming.toleranceUS) {
    p.push(`programming.verifyMarginUS (${c.programming.verifyMarginUS}) must be below programming.toleranceUS (${c.programming.toleranceUS}): ` +
      'a verify accepts reads within toleranceUS − verifyMarginUS of the target; lower the margin or widen the band');
  }
  if (c.device.faults.stuckHrsRate + c.device.faults.stuckLrsRate > 1) {
    p.push('device.faults.stuckHrsRate + device.faults.stuckLrsRate must not exceed 1');
  }
  if (tileCols(c) < 1) p.push('crossbar.cols leaves no room for a logical column');
  return p;
}

/** Validates a complete config; returns it typed, or throws a ConfigError listing every problem. */
export function validate(input: unknown): HardwareConfig {
  const parsed = HardwareConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') {
        return `${path === '(root)' ? '' : path + '.'}${issue.keys.join(', ')}: unknown field(s); check the spelling (known: ${knownKeys(path)})`;
      }
      return `${path}: ${issue.message} (got ${describe(valueAt(input, issue.path))})`;
    });
    throw new ConfigError(problems);
  }
  const problems = crossFieldProblems(parsed.data);
  if (problems.length) throw new ConfigError(problems);
  return parsed.data;
}

function knownKeys(path: string): string {
  const base = hardwarePresets.default!.config as unknown;
  const node = path === '(root)' ? base : valueAt(base, path.split('.'));
  return isPlainObject(node) ? Object.keys(node).join(', ') : '?';
}

export function presetNames(): string[] {
  return Object.keys(hardwarePresets);
}

/** A preset (default: "default") with optional deep-partial overrides, validated. */
export function resolveHardware(overrides: DeepPartial<HardwareConfig> = {}, preset = 'default'): HardwareConfig {
  // own keys only: "__proto__" or "constructor" must be unknown presets, not Object.prototype's members
  const base = Object.hasOwn(hardwarePresets, preset) ? hardwarePresets[preset] : undefined;
  if (!base) throw new ConfigError([`unknown preset "${preset}"; choose one of: ${presetNames().join(', ')}`]);
  return validate(deepMerge(base.config, overrides));
}

export function configToJson(c: HardwareConfig): string {
  return JSON.stringify(c, null, 2);
}

export function configFromJson(text: string, source = 'config'): HardwareConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${source}: not valid JSON (${(e as Error).message})`]);
  }
  return validate(data);
}
