// `ha3m switch --scenario FILE` with other flags: a flag given on the command line overrides the file's field, and
// the run says so (on stderr and in the results' notes) — it used to be ignored without a word.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from './errors.js';

/** Scenario-file fields the switch flags set: flag (commander key) → field, value from the flag's text. */
export const SWITCH_FLAG_FIELDS: Record<string, { flag: string; field: string; value: (s: string) => unknown }> = {
  seed: { flag: '--seed', field: 'seed', value: Number },
  preset: { flag: '--preset', field: 'preset', value: String },
  strategy: { flag: '--strategy', field: 'strategies', value: (s) => s }, // parsed by the caller (named errors)
  evalSamples: { flag: '--eval-samples', field: 'evalSamples', value: Number },
  calib: { flag: '--calib', field: 'calibSamples', value: Number },
  rounds: { flag: '--rounds', field: 'rounds', value: Number },
  mapping: { flag: '--mapping', field: 'mapping', value: String },
  spare: { flag: '--spare', field: 'poolSpare', value: Number },
  pool: { flag: '--pool', field: 'poolCrossbars', value: Number },
  merged: { flag: '--merged', field: 'merged', value: (s) => resolve(s) },
  pareto: { flag: '--pareto', field: 'pareto', value: (s) => s.split(',').map((p) => resolve(p)) },
};

/** Flags that only make sense without --scenario (the file names the models). */
const MODEL_FLAGS: Record<string, string> = { modelA: '--model-a', dataA: '--data-a', modelB: '--model-b', dataB: '--data-b' };

const show = (v: unknown): string => (v === undefined ? 'not set' : JSON.stringify(v));

/**
 * The scenario file object with the flags given on the command line applied, and one note per override.
 * `strategies` maps the --strategy text to the field value (it validates names).
 */
export function applySwitchFlags(file: Record<string, unknown>, opts: Record<string, unknown>, cmd: Command,
  strategies: (s: string) => unknown): { file: Record<string, unknown>; notes: string[] } {
  const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
  const clash = Object.keys(MODEL_FLAGS).filter(given);
  if (clash.length) throw new UserError(`--scenario names the models and their tasks; drop ${clash.map((k) => MODEL_FLAGS[k]).join(', ')} (or drop --scenario)`);
  const out = { ...file };
  const notes: string[] = [];
  for (const [key, f] of Object.entries(SWITCH_FLAG_FIELDS)) {
    if (!given(key)) continue;
    const text = String(opts[key]);
    if (key === 'rounds' && out.sequence !== undefined) throw new UserError('--rounds: the scenario file gives an explicit "sequence"; edit the file, or drop --rounds');
    const value = key === 'strategy' ? strategies(text) : f.value(text);
    notes.push(`${f.flag} ${text} overrides the scenario file's ${f.field} (${show(out[f.field])})`);
    out[f.field] = value;
    if (key === 'spare' && !given('pool') && out.poolCrossbars != null) { // --spare sizes the pool: the file's fixed size would win
      notes.push(`--spare replaces the scenario file's poolCrossbars (${show(out.poolCrossbars)})`);
      out.poolCrossbars = null;
    }
  }
  return { file: out, notes };
}
