// Scenario files (JSON): which models, on which tasks, in which order, on which hardware, under which strategies.
// Validated with errors that name the field; loading the models and tasks is Node-only (load.ts).
import { z } from 'zod';
import { STRATEGY_NAMES } from './types.js';

const ModelEntry = z.strictObject({
  /** Short name used in the sequence. */
  name: z.string({ error: 'must be a short model name like "A"' }).min(1, { error: 'must not be empty' }),
  /** model.json path (or its directory) or URL. */
  path: z.string({ error: 'must be the path of a TF.js model.json or its directory' }),
  /** Task the model was trained on (mnist, fashion, permuted-mnist:SEED, ...). */
  task: z.string({ error: 'must name a task (mnist, fashion, permuted-mnist, rotated-mnist:DEG, ...)' }),
  architecture: z.string().optional(),
});

/**
 * Bounds that stop a typo from exhausting memory before anything is reported (rounds: 1e8 ran out of memory after
 * 2.6 GB): a round programs every model once per strategy, so 10,000 rounds of LeNet-5 are already hours.
 */
export const MAX_ROUNDS = 10_000;
export const MAX_SEQUENCE = 2 * MAX_ROUNDS;
export const MAX_SAMPLES = 1_000_000;

export const ScenarioFileSchema = z.strictObject({
  name: z.string().default('scenario'),
  /** Hardware preset, and deep-partial overrides of it. */
  preset: z.string().default('default'),
  hardware: z.record(z.string(), z.unknown()).default({}),
  models: z.array(ModelEntry, { error: 'must be a list of {name, path, task}' }).min(1, { error: 'needs at least one model' }),
  /** Explicit order of model names; or rounds of round robin over the models. */
  sequence: z.array(z.string()).min(2, { error: 'needs at least two entries (a start and one switch)' })
    .max(MAX_SEQUENCE, { error: `must have at most ${MAX_SEQUENCE} entries (each is a full programming of the pool)` }).optional(),
  rounds: z.number().int({ error: 'must be a whole number of rounds' }).min(1, { error: 'must be at least 1' })
    .max(MAX_ROUNDS, { error: `must be at most ${MAX_ROUNDS} (each round programs every model once per strategy)` }).optional(),
  /** Crossbars in the pool; default = largest model × (1 + poolSpare). */
  poolCrossbars: z.number().int().min(1, { error: 'must be a positive integer' }).nullable().default(null),
  poolSpare: z.number().min(0, { error: 'must be in [0, 10]' }).max(10, { error: 'must be in [0, 10]' }).default(0.1),
  mapping: z.enum(['baseline', 'xamm'], { error: 'must be "baseline" or "xamm"' }).default('baseline'),
  strategies: z.array(z.enum(STRATEGY_NAMES, { error: `must be one of ${STRATEGY_NAMES.join(', ')}` })).min(1).default([...STRATEGY_NAMES]),
  /** Directory written by `ha3m merge` (merge.json + one model directory per model) for the ha3m strategy. */
  merged: z.string().optional(),
  /** More `ha3m merge` outputs (other shares): ha3m runs on each, giving the accuracy-vs-cycles Pareto curve. */
  pareto: z.array(z.string()).optional(),
  seed: z.number().int({ error: 'must be an integer' }).default(1),
  evalSamples: z.number().int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' })
    .max(MAX_SAMPLES, { error: `must be at most ${MAX_SAMPLES} (a test set holds 10,000; more are never used)` }).default(1000),
  calibSamples: z.number().int({ error: 'must be a positive integer' }).min(1, { error: 'must be a positive integer' })
    .max(MAX_SAMPLES, { error: `must be at most ${MAX_SAMPLES}` }).default(256),
  blm: z.strictObject({
    mode: z.enum(['layer', 'global']).optional(),
    negate: z.boolean().optional(),
    blockRows: z.number().int().min(1).optional(),
    blockCols: z.number().int().min(1).optional(),
  }).optional(),
});

export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;

import { ScenarioError as ScenarioFileError } from './types.js';
export { ScenarioFileError };

/** One line per schema problem, each naming its field (for files users write: scenarios, sweep grids). */
export function fieldProblems(error: z.ZodError): string {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.') || '(root)';
    if (i.code === 'unrecognized_keys') return `${path === '(root)' ? '' : path + '.'}${i.keys.join(', ')}: unknown field(s)`;
    return `${path}: ${i.message}`;
  }).map((line) => `\n  - ${line}`).join('');
}

/** Validates a parsed scenario file; every problem names its field. */
export function parseScenarioFile(data: unknown, source = 'scenario'): ScenarioFile {
  const r = ScenarioFileSchema.safeParse(data);
  if (!r.success) throw new ScenarioFileError(`invalid scenario file ${source}:${fieldProblems(r.error)}`);
  const f = r.data;
  const names = f.models.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ScenarioFileError(`invalid scenario file ${source}: models: the name "${dup}" is used twice`);
  if (f.sequence && f.rounds) throw new ScenarioFileError(`invalid scenario file ${source}: give either sequence or rounds, not both`);
  for (const [i, n] of (f.sequence ?? []).entries()) {
    if (!names.includes(n)) throw new ScenarioFileError(`invalid scenario file ${source}: sequence[${i}] is "${n}", which is not one of the models (${names.join(', ')})`);
  }
  if (f.models.length < 2 && !f.sequence) throw new ScenarioFileError(`invalid scenario file ${source}: a round robin needs at least two models`);
  return f;
}

/** The programming order: the explicit sequence, or `rounds` rounds of round robin (A,B,…,A,B,… then back to A). */
export function sequenceOf(f: Pick<ScenarioFile, 'models' | 'sequence' | 'rounds'>): string[] {
  if (f.sequence) return f.sequence;
  const names = f.models.map((m) => m.name);
  const rounds = f.rounds ?? 2;
  const seq: string[] = [];
  for (let r = 0; r < rounds; r++) seq.push(...names);
  return seq;
}
