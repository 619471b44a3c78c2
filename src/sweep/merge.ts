// Retraining for sweep points that set merge.share: the scenario's models are merged (MMR) at that share once per
// distinct (model contents, tasks, share, MMR options, hardware) — the key is a content hash — and the merged set is
// kept under CACHE/<key>/ (default OUT/merged/; merge.json written last, so a directory without it is an unfinished merge), so
// points that differ only in what does not change the retraining, and later resumed or re-run sweeps, reuse it.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { waitForLock } from './lock.js';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModelFile } from '../mapping/load-node.js';
import { parseScenarioFile, type ScenarioFile } from '../scenario/file.js';
import { hardwareOf } from '../scenario/load.js';
import { loadTask } from '../training/data/datasets.js';
import { mergeModels, writeMerged } from '../training/mmr.js';
import { canonicalJson, GridError, type GridFile } from './grid.js';
import { sha256Hex } from './hash.js';

export type MergeOptions = NonNullable<GridFile['merge']>;

function modelJsonPath(p: string): string {
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'model.json') : p;
}

/** Hash of a TF.js model's contents: model.json and every weights file it lists. */
export function modelContentHash(path: string): string {
  const file = modelJsonPath(path);
  let json: { weightsManifest?: Array<{ paths: string[] }> };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    json = JSON.parse(text);
  } catch (e) {
    throw new GridError(`cannot read model ${file} to hash it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const parts = [sha256Hex(text)];
  for (const g of json.weightsManifest ?? []) for (const w of g.paths) parts.push(sha256Hex(readFileSync(join(dirname(file), w))));
  return sha256Hex(parts.join(':'));
}

/** The content key of one point's retraining. */
export function mergeKey(f: ScenarioFile, share: number, o: MergeOptions, hashes: Map<string, string>): string {
  const models = f.models.map((m) => {
    let h = hashes.get(m.path);
    if (!h) { h = modelContentHash(m.path); hashes.set(m.path, h); }
    return { name: m.name, task: m.task, hash: h };
  });
  return sha256Hex(canonicalJson({ models, share, options: o, hardware: hardwareOf(f), seed: f.seed })).slice(0, 16);
}

export interface MergeJob { key: string; dir: string; share: number; scenario: Record<string, unknown> }

/** The merged directory a point needs (null when it sets no share); throws what makes the point fail. */
export function mergeJobFor(scenario: Record<string, unknown>, share: unknown, o: MergeOptions, cacheDir: string, hashes: Map<string, string>): MergeJob | null {
  if (share === undefined) return null;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) throw new GridError(`merge.share must be a number in [0, 1], got ${JSON.stringify(share)}`);
  const f = parseScenarioFile(scenario, 'point');
  const key = mergeKey(f, share, o, hashes);
  return { key, dir: join(cacheDir, key), share, scenario };
}

/** A job's directory is complete once merge.json is there (it is written last). */
export function isMerged(job: MergeJob): boolean {
  return existsSync(join(job.dir, 'merge.json'));
}

/** Runs the MMR retraining of a job unless its directory is already complete. */
export async function ensureMerged(job: MergeJob, o: MergeOptions, dataDir: string | undefined, log: (m: string) => void): Promise<boolean> {
  if (isMerged(job)) return false;
  // one retraining per cache entry: sweeps (or shards) sharing the cache would otherwise each delete the other's
  // unfinished directory below; the others wait and reuse the result
  mkdirSync(dirname(job.dir), { recursive: true });
  const lock = await waitForLock(`${job.dir}.lock`, `the retraining cache entry ${job.dir}`, log);
  try {
    if (isMerged(job)) return false; // finished by the run we waited for
    await retrain(job, o, dataDir, log);
    return true;
  } finally {
    lock.release();
  }
}

async function retrain(job: MergeJob, o: MergeOptions, dataDir: string | undefined, log: (m: string) => void): Promise<void> {
  rmSync(job.dir, { recursive: true, force: true }); // an unfinished earlier attempt
  const f = parseScenarioFile(job.scenario, 'point');
  const cfg = hardwareOf(f);
  const tasks = [];
  const models: tf.LayersModel[] = [];
  for (const m of f.models) {
    const model = await loadLayersModelFile(modelJsonPath(m.path));
    const t = await loadTask(m.task, { seed: o.seed, dataDir, ...(o.limit ? { limit: o.limit } : {}) });
    models.push(model);
    tasks.push({ name: m.task, model, train: t.train, val: t.val, test: t.test });
  }
  log(`retraining (MMR) ${f.models.map((m) => m.name).join('+')} at share ${job.share} → ${job.dir}`);
  try {
    const result = await mergeModels(tasks, cfg, {
      share: job.share, epochs: o.epochs, finetuneEpochs: o.finetuneEpochs, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed,
    });
    await writeMerged(job.dir, models, result, { names: f.models.map((m) => m.name), tasks: f.models.map((m) => m.task), sources: f.models.map((m) => m.path) });
  } finally {
    for (const m of models) m.dispose();
  }
}
