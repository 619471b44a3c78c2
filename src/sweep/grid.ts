// Sweep definitions: a base scenario plus parameters (dotted paths into the scenario file) with lists of values,
// expanded into the cartesian product (grid mode) or sampled from it with a budget (random mode); points carry a
// content hash so runs, shards and resumes agree on identity.
import { z } from 'zod';
import { HostRng } from '../wasm/index.js';
import { fieldProblems } from '../scenario/file.js';
import { sha256Hex } from './hash.js';
import type { ParamValue, SweepPoint } from './types.js';

const Json: z.ZodType<ParamValue> = z.lazy(() => z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]));

/** A continuous range, for random mode: uniform (or log-uniform) in [min, max], optionally whole numbers. */
const RangeSpec = z.strictObject({
  min: z.number({ error: 'must be a number' }),
  max: z.number({ error: 'must be a number' }),
  log: z.boolean().default(false),
  integer: z.boolean().default(false),
});
export type ParamRange = z.infer<typeof RangeSpec>;

const ParamSpec = z.union([
  z.array(Json, { error: 'must be a list of values' }).min(1, { error: 'needs at least one value' }),
  RangeSpec,
], { error: 'must be a list of values, or {min, max, log?, integer?} (random mode only)' });

/** Retraining (MMR) per point: the sweep merges the scenario's models at each share it needs, cached by hash. */
const MergeSpec = z.strictObject({
  epochs: z.number().int().min(0).default(1),
  finetuneEpochs: z.number().int().min(0).default(1),
  batchSize: z.number().int().min(1).default(64),
  learningRate: z.number().positive().default(1e-3),
  /** Training samples per task (default: all). */
  limit: z.number().int().min(1).optional(),
  seed: z.number().int().default(1),
});

export const GridFileSchema = z.strictObject({
  name: z.string().default('sweep'),
  /** The base scenario: a scenario file's path (relative to the grid file) or the scenario object itself. */
  scenario: z.union([z.string(), z.record(z.string(), z.unknown())], { error: 'must be a scenario file path or a scenario object' }),
  /** grid = every combination; random = `budget` points drawn from the combinations (or ranges) with `seed`. */
  mode: z.enum(['grid', 'random'], { error: 'must be "grid" or "random"' }).default('grid'),
  budget: z.number().int().min(1, { error: 'must be a positive integer' }).optional(),
  seed: z.number().int({ error: 'must be an integer' }).default(1),
  /**
   * Swept parameters: dotted path into the scenario file → values. A key naming several paths separated by
   * commas ("hardware.crossbar.rows,hardware.crossbar.cols") takes tuples, so those fields move together.
   * "merge.share" retrains (MMR) the scenario's models at that share for the ha3m strategy.
   */
  parameters: z.record(z.string(), ParamSpec).refine((p) => Object.keys(p).length > 0, { error: 'needs at least one parameter' }),
  /** Options of the MMR retraining done for "merge.share" points. */
  merge: MergeSpec.optional(),
});
export type GridFile = z.infer<typeof GridFileSchema>;

export class GridError extends Error {
  constructor(message: string) { super(message); this.name = 'GridError'; }
}

/** Scenario-file fields a sweep must not override (they define what is swept, or are handled by the sweep). */
const FORBIDDEN_ROOTS = new Set(['models', 'merged', 'pareto', 'name']);
const ALLOWED_ROOTS = new Set(['preset', 'hardware', 'sequence', 'rounds', 'poolCrossbars', 'poolSpare', 'mapping', 'strategies',
  'seed', 'evalSamples', 'calibSamples', 'blm', 'merge']);

/** Validates a parsed grid file; errors name the field and the fix. */
export function parseGridFile(data: unknown, source = 'grid'): GridFile {
  const r = GridFileSchema.safeParse(data);
  if (!r.success) throw new GridError(`invalid sweep grid ${source}:${fieldProblems(r.error)}`);
  const g = r.data;
  for (const [key, spec] of Object.entries(g.parameters)) {
    const paths = splitKey(key);
    for (const p of paths) {
      const root = p.split('.')[0]!;
      const bad = p.split('.').find((seg) => seg === '__proto__' || seg === 'constructor' || seg === 'prototype' || seg === '');
      if (bad !== undefined) throw new GridError(`invalid sweep grid ${source}: parameters.${key}: "${bad}" is not a field name`);
      if (FORBIDDEN_ROOTS.has(root)) throw new GridError(`invalid sweep grid ${source}: parameters.${key}: "${root}" cannot be swept (it is fixed by the base scenario; make one sweep per model set)`);
      if (!ALLOWED_ROOTS.has(root)) throw new GridError(`invalid sweep grid ${source}: parameters.${key}: "${root}" is not a scenario field; use one of ${[...ALLOWED_ROOTS].join(', ')} (hardware fields as hardware.<group>.<field>)`);
      if (root === 'merge' && p !== 'merge.share') throw new GridError(`invalid sweep grid ${source}: parameters.${key}: only merge.share can be swept; set the other MMR options in the grid's "merge" block`);
    }
    if (Array.isArray(spec)) {
      if (paths.length > 1) {
        spec.forEach((v, i) => {
          if (!Array.isArray(v) || v.length !== paths.length) {
            throw new GridError(`invalid sweep grid ${source}: parameters.${key}[${i}] must be a list of ${paths.length} values (one per field of the key)`);
          }
        });
      }
      const seen = new Set<string>();
      for (const v of spec) {
        const k = canonicalJson(v);
        if (seen.has(k)) throw new GridError(`invalid sweep grid ${source}: parameters.${key} lists ${k} twice`);
        seen.add(k);
      }
    } else {
      if (g.mode !== 'random') throw new GridError(`invalid sweep grid ${source}: parameters.${key} is a range; ranges need mode "random" (with a budget), or give a list of values`);
      if (paths.length > 1) throw new GridError(`invalid sweep grid ${source}: parameters.${key}: a range cannot set several fields; give tuples as a list`);
      if (!(spec.max >= spec.min)) throw new GridError(`invalid sweep grid ${source}: parameters.${key}: max (${spec.max}) is below min (${spec.min})`);
      if (spec.log && !(spec.min > 0)) throw new GridError(`invalid sweep grid ${source}: parameters.${key}: a log range needs min > 0`);
    }
  }
  if (g.mode === 'random' && g.budget === undefined) throw new GridError(`invalid sweep grid ${source}: mode "random" needs a budget (the number of points to draw)`);
  if (g.mode === 'grid' && g.budget !== undefined) throw new GridError(`invalid sweep grid ${source}: budget applies to mode "random" only; remove it or set mode: random`);
  if ('merge.share' in g.parameters && !g.merge) {
    // defaults are fine, but make them explicit so the hash of a merged model covers them
    g.merge = MergeSpec.parse({});
  }
  return g;
}

export function splitKey(key: string): string[] {
  return key.split(',').map((s) => s.trim()).filter(Boolean);
}

/** JSON with sorted object keys: equal values give equal strings (hash input). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new GridError(`a parameter value is ${v}; use finite numbers`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** Identity of a point: the hash of its parameters (field paths → values, tuple keys split). */
export function pointId(params: Record<string, ParamValue>): string {
  return sha256Hex(canonicalJson(params)).slice(0, 16);
}

/** Identity of a sweep: base scenario + parameters + mode/budget/seed + merge options. */
export function sweepId(grid: GridFile, baseScenario: unknown): string {
  return sha256Hex(canonicalJson({ scenario: baseScenario, parameters: grid.parameters, mode: grid.mode, budget: grid.budget ?? null, seed: grid.seed, merge: grid.merge ?? null })).slice(0, 16);
}

/** Turns one choice per parameter key into per-field params (tuple keys split into their fields). */
function paramsOf(keys: string[], choice: ParamValue[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  keys.forEach((key, i) => {
    const paths = splitKey(key);
    if (paths.length === 1) out[paths[0]!] = choice[i]!;
    else paths.forEach((p, j) => { out[p] = (choice[i] as ParamValue[])[j]!; });
  });
  return out;
}

/** Number of combinations of the list parameters (ranges count as infinite). */
export function gridSize(g: GridFile): number {
  let n = 1;
  for (const spec of Object.values(g.parameters)) n *= Array.isArray(spec) ? spec.length : Infinity;
  return n;
}

const MAX_POINTS = 1_000_000;

/**
 * Every point of the sweep, in a fixed order: grid mode = cartesian product, the last parameter varying fastest;
 * random mode = `budget` distinct points drawn with the grid's seed (without replacement when every parameter is a
 * list and the product is small enough, otherwise independently per parameter).
 */
export function expandGrid(g: GridFile): SweepPoint[] {
  const keys = Object.keys(g.parameters);
  const specs = keys.map((k) => g.parameters[k]!);
  const size = gridSize(g);
  const points: SweepPoint[] = [];
  const push = (choice: ParamValue[]) => {
    const params = paramsOf(keys, choice);
    points.push({ index: points.length, id: pointId(params), params });
  };
  if (g.mode === 'grid') {
    if (size > MAX_POINTS) throw new GridError(`the grid has ${size} points (more than ${MAX_POINTS}); use mode: random with a budget, or fewer values`);
    const idx = new Array<number>(keys.length).fill(0);
    for (let n = 0; n < size; n++) {
      push(specs.map((s, i) => (s as ParamValue[])[idx[i]!]!));
      for (let i = keys.length - 1; i >= 0; i--) {
        if (++idx[i]! < (specs[i] as ParamValue[]).length) break;
        idx[i] = 0;
      }
    }
    return points;
  }
  const budget = g.budget!;
  // the same bound as grid mode: the points are held in memory (a budget of 5e8 ran out of it without a word)
  if (budget > MAX_POINTS) throw new GridError(`budget ${budget} asks for more than ${MAX_POINTS} points; lower it (or split the study into several sweeps)`);
  const rng = new HostRng(g.seed >>> 0, 0x53574550); // "SWEP": the sampling stream of a sweep
  const below = (n: number) => Math.floor((rng.nextU32() / 2 ** 32) * n);
  if (Number.isFinite(size)) {
    if (budget > size) throw new GridError(`budget ${budget} is larger than the ${size} combinations of the parameters; lower it or use mode: grid`);
    // partial Fisher-Yates over combination numbers (sparse, so huge products cost only `budget` steps)
    const swapped = new Map<number, number>();
    for (let i = 0; i < budget; i++) {
      const j = i + below(size - i);
      const pick = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      let rest = pick;
      const choice = new Array<ParamValue>(keys.length);
      for (let k = keys.length - 1; k >= 0; k--) {
        const vals = specs[k] as ParamValue[];
        choice[k] = vals[rest % vals.length]!;
        rest = Math.floor(rest / vals.length);
      }
      push(choice);
    }
    return points;
  }
  const seen = new Set<string>();
  for (let tries = 0; points.length < budget; tries++) {
    if (tries > budget * 100) throw new GridError(`could not draw ${budget} distinct points (the parameters have too few values); lower the budget`);
    const choice = specs.map((s) => {
      if (Array.isArray(s)) return s[below(s.length)]!;
      const u = rng.nextU32() / 2 ** 32;
      let v = s.log ? Math.exp(Math.log(s.min) + u * (Math.log(s.max) - Math.log(s.min))) : s.min + u * (s.max - s.min);
      if (s.integer) v = Math.min(Math.floor(s.max), Math.max(Math.ceil(s.min), Math.round(v)));
      else v = Number(v.toPrecision(6)); // readable values in tables, still distinct in practice
      return v;
    });
    const id = pointId(paramsOf(keys, choice));
    if (seen.has(id)) continue;
    seen.add(id);
    push(choice);
  }
  return points;
}

/** Parses "i/n" (1-based: 1/4 … 4/4). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new GridError(`--shard must be i/n with 1 ≤ i ≤ n (e.g. 2/8; Slurm: $SLURM_ARRAY_TASK_ID/N with --array=1-N), got '${s}'`);
  }
  return { index, count };
}

/** The points of shard i of n: every n-th point starting at i − 1 (mixes cheap and dear regions of the grid). */
export function shardPoints(points: SweepPoint[], shard: { index: number; count: number }): SweepPoint[] {
  return points.filter((p) => p.index % shard.count === shard.index - 1);
}

/** Sets a dotted path in a plain object, creating objects on the way (copy-on-write of the touched branch). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const out = { ...obj };
  if (rest.length === 0) { out[head!] = value; return out; }
  const child = out[head!];
  if (child !== undefined && (child === null || typeof child !== 'object' || Array.isArray(child))) {
    throw new GridError(`cannot set ${path}: ${head} is not an object in the base scenario`);
  }
  out[head!] = setPath((child ?? {}) as Record<string, unknown>, rest.join('.'), value);
  return out;
}

/** The scenario file of one point: the base with the point's parameters applied (merge.share is the sweep's). */
export function pointScenario(base: Record<string, unknown>, params: Record<string, ParamValue>): Record<string, unknown> {
  let s = base;
  for (const [path, v] of Object.entries(params)) {
    if (path === 'merge.share') continue;
    s = setPath(s, path, v);
  }
  return s;
}
