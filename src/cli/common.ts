// Shared CLI plumbing: hardware config from a preset or file (+ overrides), a model from a path/URL, and errors that
// are the user's to fix turned into UserError (no stack trace, exit code 2).
import { readFileSync } from 'node:fs';
import { ConfigError, configFromJson, resolveHardware, deepMerge, validate, type HardwareConfig } from '../hardware/index.js';
import { loadModelFrom } from '../mapping/load-node.js';
import { PlacementError } from '../mapping/placement.js';
import { ModelImportError, type ImportedModel } from '../mapping/types.js';
import { ScenarioError } from '../scenario/types.js';
import { UserError } from './errors.js';

export interface HardwareOpts { preset: string; config?: string; seed?: string }

/** Runs fn, turning config/model/placement errors into UserErrors. */
export async function userErrors<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ModelImportError || e instanceof PlacementError || e instanceof ScenarioError) throw new UserError(e.message);
    throw e;
  }
}

export function loadHardware(opts: HardwareOpts, overrides: Record<string, unknown> = {}): Promise<HardwareConfig> {
  return userErrors(() => {
    if (opts.config) {
      let text: string;
      try { text = readFileSync(opts.config, 'utf8'); } catch (e) {
        throw new UserError(`cannot read config file ${opts.config}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      return validate(deepMerge(configFromJson(text, opts.config), overrides));
    }
    return resolveHardware(overrides, opts.preset);
  });
}

export function loadModelArg(src: string): Promise<ImportedModel> {
  return userErrors(() => loadModelFrom(src));
}

/** An integer option value ≥ min, or a UserError naming the option. */
export function intArg(value: string, name: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** A non-negative finite number option value, or a UserError naming the option. */
export function numArg(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`--${name} must be a non-negative number, got '${value}'`);
  return n;
}

export function parseIntOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  return value === undefined ? fallback : intArg(value, name, min);
}
