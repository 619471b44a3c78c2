// Node-only: turning a scenario file into a ScenarioSpec — loading models from disk and tasks from their datasets.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { deepMerge, resolveHardware, validate, type HardwareConfig } from '../hardware/index.js';
import { isModelUrl, loadModelFrom } from '../mapping/load-node.js';
import { loadTask } from '../training/data/datasets.js';
import { modelTaskMismatch } from '../training/data/fit.js';
import { parseScenarioFile, sequenceOf, ScenarioFileError, type ScenarioFile } from './file.js';
import type { ScenarioModel, ScenarioSpec } from './types.js';

/**
 * A scenario object with its relative paths (models[].path, merged, pareto[]) made absolute against `baseDir` —
 * the directory of the file that holds it — so it means the same from any working directory (and when a sweep
 * stores it in OUT/sweep.json). URLs, absolute paths and everything else are left as they are; runs before
 * validation, so malformed fields are left for it to report.
 */
export function resolveScenarioPaths(data: unknown, baseDir: string): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const fix = (p: unknown) => (typeof p === 'string' && p !== '' && !isModelUrl(p) && !isAbsolute(p) ? resolve(baseDir, p) : p);
  const o = { ...(data as Record<string, unknown>) };
  if (Array.isArray(o.models)) {
    o.models = o.models.map((m) => (m && typeof m === 'object' && !Array.isArray(m) ? { ...m, path: fix((m as { path?: unknown }).path) } : m));
  }
  if ('merged' in o) o.merged = fix(o.merged);
  if (Array.isArray(o.pareto)) o.pareto = o.pareto.map(fix);
  return o;
}

/** Loads one model and its task (calibration samples from the training split, test samples for accuracy). */
export async function loadScenarioModel(entry: { name: string; path: string; task: string; architecture?: string },
  opts: { seed: number; calibSamples: number; evalSamples: number; dataDir?: string }): Promise<ScenarioModel> {
  const model = await loadModelFrom(entry.path);
  let task;
  try {
    task = await loadTask(entry.task, { seed: opts.seed, dataDir: opts.dataDir });
  } catch (e) {
    throw new ScenarioFileError(`model ${entry.name}: task "${entry.task}": ${(e as Error).message}`);
  }
  const mismatch = modelTaskMismatch(model, task.test, `${entry.name} (${entry.path})`, entry.task);
  if (mismatch) throw new ScenarioFileError(mismatch);
  const inSize = model.inputShape.reduce((a, b) => a * b, 1);
  const calibN = Math.min(opts.calibSamples, task.train.n);
  // the whole test set: the scenario measures claims on evalSamples of it (and says so when it holds fewer)
  return {
    name: entry.name, architecture: entry.architecture ?? model.name, task: entry.task, model,
    calib: task.train.images.slice(0, calibN * inSize), calibN,
    test: { images: task.test.images, labels: task.test.labels, n: task.test.n },
  };
}

export interface MergeManifest {
  share: number;
  tiedFraction: number;
  models: Array<{ name: string; path: string }>;
}

/** Reads OUT/merge.json written by `ha3m merge` (model paths relative to OUT). */
export function readMergeManifest(dir: string): MergeManifest {
  const file = join(dir, 'merge.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ScenarioFileError(`cannot read the merged models' manifest ${file}: ${(e as Error).message}; run \`ha3m merge --out ${dir}\` first`);
  }
  const m = data as Partial<MergeManifest>;
  if (!m || !Array.isArray(m.models) || typeof m.tiedFraction !== 'number') {
    throw new ScenarioFileError(`${file} is not a merge manifest (needs models[] and tiedFraction)`);
  }
  return { share: m.share ?? NaN, tiedFraction: m.tiedFraction, models: m.models.map((x) => ({ name: x.name, path: join(dir, x.path) })) };
}

export function hardwareOf(f: Pick<ScenarioFile, 'preset' | 'hardware'>): HardwareConfig {
  const base = resolveHardware({}, f.preset);
  return validate(deepMerge(base, f.hardware));
}

/** Loaded models and tasks by (entry, options): sweeps load each once per worker, whatever the hardware. */
export type ModelCache = Map<string, Promise<ScenarioModel>>;

/** A validated scenario file → a runnable ScenarioSpec (models and tasks loaded). */
export async function specFromFile(f: ScenarioFile, opts: { dataDir?: string; cache?: ModelCache } = {}): Promise<ScenarioSpec> {
  const config = hardwareOf(f);
  const lo = { seed: f.seed, calibSamples: f.calibSamples, evalSamples: f.evalSamples, dataDir: opts.dataDir };
  const loadScenarioModelCached = (e: Parameters<typeof loadScenarioModel>[0], o: typeof lo): Promise<ScenarioModel> => {
    if (!opts.cache) return loadScenarioModel(e, o);
    const key = JSON.stringify([e.name, e.path, e.task, e.architecture ?? null, o]);
    let hit = opts.cache.get(key);
    if (!hit) {
      hit = loadScenarioModel(e, o);
      opts.cache.set(key, hit);
      hit.catch(() => opts.cache!.delete(key)); // a failed load is retried by the next point
    }
    return hit;
  };
  const models: ScenarioModel[] = [];
  for (const m of f.models) models.push(await loadScenarioModelCached(m, lo));
  const loadMerged = async (dir: string): Promise<NonNullable<ScenarioSpec['merged']>> => {
    const man = readMergeManifest(dir);
    const mm: ScenarioModel[] = [];
    for (const m of f.models) {
      const e = man.models.find((x) => x.name === m.name);
      if (!e) throw new ScenarioFileError(`merged models in ${dir} lack model "${m.name}"`);
      mm.push(await loadScenarioModelCached({ ...m, path: e.path }, lo));
    }
    return { models: mm, tiedFraction: man.tiedFraction, share: man.share };
  };
  const merged = f.merged ? await loadMerged(f.merged) : undefined;
  const pareto: NonNullable<ScenarioSpec['pareto']> = [];
  for (const dir of f.pareto ?? []) pareto.push(await loadMerged(dir));
  const strategies = f.merged ? f.strategies : f.strategies.filter((s) => s !== 'ha3m');
  const notes = strategies.length < f.strategies.length ? ['ha3m was skipped: the scenario names no merged models (run `ha3m merge` and set "merged")'] : [];
  if (strategies.length === 0) throw new ScenarioFileError('the only strategy left is ha3m, which needs merged models: set "merged" to a `ha3m merge` output directory');
  return {
    notes,
    name: f.name, config, models, sequence: sequenceOf(f), mapping: f.mapping, strategies, seed: f.seed,
    evalSamples: f.evalSamples, poolCrossbars: f.poolCrossbars ?? undefined, poolSpare: f.poolSpare, merged, blm: f.blm,
    ...(pareto.length ? { pareto } : {}),
  };
}

/** A scenario file as written (not yet validated), its relative paths made absolute against its directory. */
export function readScenarioPath(path: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ScenarioFileError(`cannot read scenario file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return resolveScenarioPaths(data, dirname(resolve(path)));
}

export async function specFromPath(path: string, opts: { dataDir?: string } = {}): Promise<ScenarioSpec> {
  return specFromFile(parseScenarioFile(readScenarioPath(path), path), opts);
}
