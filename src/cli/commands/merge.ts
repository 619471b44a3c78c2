// `ha3m merge`: MMR (DESIGN §3.3) of two TF.js models on their tasks — pairing, ties, joint QAT retraining with a
// growing equality penalty, exact equalization, tied fine-tune. Writes OUT/A, OUT/B (model.json with the fixed
// weight scales in userDefinedMetadata.ha3m.weightScales) and OUT/merge.json (ties, accuracies, share), atomically.
import path from 'node:path';
import type { Command } from 'commander';
import { markIncomplete, UserError } from '../errors.js';
import { prepareOutDir, writeFailure } from '../out.js';
import { intArg as int, numArg as num } from '../common.js';
import { loadHardware, userErrors } from '../common.js';
import { presetNames } from '../../hardware/index.js';
import { loadLayersModelFile } from '../../mapping/load-node.js';
import { backendNames, setupBackend, type BackendName } from '../../training/backend.js';
import { limit, loadTask, taskHelp, type TaskSplits } from '../../training/data/datasets.js';
import { mergeManifest, mergeModels, writeMerged, type MmrProgress } from '../../training/mmr.js';
import { progressBar, type Progress } from '../progress.js';

interface MergeCliOptions {
  modelA: string; dataA: string; modelB: string; dataB: string; share?: string; maxDrop?: string; shareUnit: string;
  epochs: string; finetuneEpochs: string; batchSize: string; lr: string; lambda: string; blockRows?: string; blockCols?: string;
  limit?: string; testLimit?: string; dataDir?: string; out?: string; seed: string; preset: string; config?: string;
  backend?: string; json?: boolean; progress: boolean; nameA: string; nameB: string; exclude?: string;
}


export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('MMR: retrain two models jointly so that matched crossbar blocks hold identical integers (no reprogramming when switching)')
    .requiredOption('--model-a <path>', 'model A: TF.js model.json or its directory (the resident model)')
    .requiredOption('--data-a <task>', `task of model A: ${taskHelp}`)
    .requiredOption('--model-b <path>', 'model B: TF.js model.json or its directory')
    .requiredOption('--data-b <task>', 'task of model B')
    .option('--share <x>', 'fraction 0..1 of B\'s blocks to tie (default 0.5)')
    .option('--max-drop <pp>', 'instead of --share: largest of 0.25, 0.5, 0.75, 0.9 keeping both validation accuracies within PP points')
    .option('--share-unit <u>', 'what --share counts: blocks | weights', 'blocks')
    .option('--epochs <n>', 'epochs of joint training with the equality penalty', '1')
    .option('--finetune-epochs <n>', 'epochs of tied fine-tuning after exact equalization', '2')
    .option('--batch-size <n>', 'batch size', '64')
    .option('--lr <x>', 'Adam learning rate (halved for the fine-tune)', '0.001')
    .option('--lambda <x>', 'final weight of the equality penalty per LSB² (grows exponentially from 0)', '0.01')
    .option('--exclude <layers>', 'comma-separated layer names never tied (e.g. out: keep the task heads apart)')
    .option('--block-rows <n>', 'block rows (default: tile rows; must divide them)')
    .option('--block-cols <n>', 'block columns in weights (default: tile columns; must divide them)')
    .option('--limit <n>', 'use only the first N training samples of each task')
    .option('--test-limit <n>', 'evaluate on the first N test samples (default: the whole test set)')
    .option('--data-dir <dir>', 'Fashion-MNIST IDX directory (default /usr/share/datasets/fashion-mnist)')
    .option('--out <dir>', 'write DIR/A, DIR/B (TF.js models with weight scales) and DIR/merge.json')
    .option('--name-a <name>', 'name of model A in merge.json (and its directory under --out)', 'A')
    .option('--name-b <name>', 'name of model B in merge.json (and its directory under --out)', 'B')
    .option('--seed <s>', 'seed (validation split, shuffles)', '1')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--config <file>', 'hardware config JSON (instead of --preset)')
    .option('--backend <name>', `force a training backend: ${backendNames.join(', ')}`)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print a JSON result object as the last line')
    .action(async (o: MergeCliOptions) => { await runMerge(o); });
}

async function runMerge(o: MergeCliOptions): Promise<void> {
  const t0 = performance.now();
  if (o.share !== undefined && o.maxDrop !== undefined) throw new UserError('give either --share or --max-drop, not both');
  let share: number | undefined;
  if (o.share !== undefined) {
    share = Number(o.share);
    if (!Number.isFinite(share) || share < 0 || share > 1) throw new UserError(`--share must be a number in [0, 1] (the fraction of B's blocks to tie), got '${o.share}'`);
  }
  const names = [o.nameA, o.nameB];
  if (names[0] === names[1] || names.some((n) => !/^[A-Za-z0-9_.-]+$/.test(n) || n === '.' || n === '..')) {
    throw new UserError(`--name-a/--name-b must be two different plain names (letters, digits, _ . -), got '${names[0]}' and '${names[1]}'`);
  }
  const maxDrop = o.maxDrop !== undefined ? num(o.maxDrop, 'max-drop') : undefined;
  if (o.shareUnit !== 'blocks' && o.shareUnit !== 'weights') throw new UserError(`--share-unit must be blocks or weights, got '${o.shareUnit}'`);
  if (o.backend && !backendNames.includes(o.backend as BackendName)) throw new UserError(`unknown backend '${o.backend}'; use one of ${backendNames.join(', ')}`);
  const seed = int(o.seed, 'seed');
  const lim = o.limit !== undefined ? int(o.limit, 'limit', 1) : undefined;
  const testLim = o.testLimit !== undefined ? int(o.testLimit, 'test-limit', 1) : undefined;
  const cfg = await loadHardware({ preset: o.preset, config: o.config });
  if (o.out) prepareOutDir(o.out); // before the retraining: a bad --out must not cost it
  const log = (s: string) => { if (!o.json) console.log(s); else console.error(s); };

  await setupBackend({ backend: o.backend as BackendName | undefined, log: o.json ? null : undefined });
  const [modelA, modelB] = await userErrors(async () => [await loadLayersModelFile(o.modelA), await loadLayersModelFile(o.modelB)] as const);
  const tasks: Array<{ splits: TaskSplits; test: TaskSplits['test'] }> = [];
  for (const d of [o.dataA, o.dataB]) {
    let splits: TaskSplits, test: TaskSplits['test'];
    try {
      splits = await loadTask(d, { seed, dataDir: o.dataDir, limit: lim });
      test = lim === undefined ? splits.test : (await loadTask(d, { seed, dataDir: o.dataDir })).test;
      if (testLim !== undefined) test = limit(test, testLim);
    } catch (e) { throw new UserError((e as Error).message); }
    tasks.push({ splits, test });
    log(`data ${d}: ${splits.train.n} train, ${splits.val.n} validation, ${test.n} test`);
  }

  let bar: Progress | undefined;
  let barKey = '';
  const onProgress = (p: MmrProgress) => {
    if (!o.progress || o.json) return;
    const key = `${p.phase}:${p.trial}`;
    if (key !== barKey) {
      bar?.stop();
      barKey = key;
      bar = p.phase === 'penalty' || p.phase === 'finetune'
        ? progressBar(`${p.phase}${p.trials > 1 ? ` ${p.trial}/${p.trials}` : ''} share ${p.share}`, p.total)
        : undefined;
    }
    bar?.update(p.done, p.loss !== undefined ? { detail: `loss ${p.loss.toFixed(4)}` } : {});
  };
  let result;
  try {
    result = await mergeModels([
      { name: o.dataA, model: modelA, train: tasks[0]!.splits.train, val: tasks[0]!.splits.val, test: tasks[0]!.test },
      { name: o.dataB, model: modelB, train: tasks[1]!.splits.train, val: tasks[1]!.splits.val, test: tasks[1]!.test },
    ], cfg, {
      share: share ?? (maxDrop === undefined ? 0.5 : undefined), maxDrop, shareUnit: o.shareUnit as 'blocks' | 'weights',
      epochs: int(o.epochs, 'epochs'), finetuneEpochs: int(o.finetuneEpochs, 'finetune-epochs'), batchSize: int(o.batchSize, 'batch-size', 1),
      learningRate: num(o.lr, 'lr'), lambdaMax: num(o.lambda, 'lambda'), seed,
      blockRows: o.blockRows !== undefined ? int(o.blockRows, 'block-rows', 1) : undefined,
      blockCols: o.blockCols !== undefined ? int(o.blockCols, 'block-cols', 1) : undefined,
      exclude: o.exclude ? o.exclude.split(',').map((x) => x.trim()).filter(Boolean) : undefined,
      onProgress, log,
    });
  } catch (e) {
    const msg = (e as Error).message;
    if (/^internal:/.test(msg)) throw e;
    throw new UserError(msg);
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const extra = {
    seed,
    hardware: { preset: o.config ? null : o.preset, config: o.config ?? null, weightBits: cfg.weights.weightBits, crossbar: cfg.crossbar, cellBits: cfg.cells.cellBits },
    training: { epochs: Number(o.epochs), finetuneEpochs: Number(o.finetuneEpochs), batchSize: Number(o.batchSize), lr: Number(o.lr), lambda: Number(o.lambda), limit: lim ?? null, testLimit: testLim ?? null },
    totalSeconds: seconds,
  };
  const mo = { names, tasks: [o.dataA, o.dataB], sources: [o.modelA, o.modelB], extra };
  let out = mergeManifest(result, mo), saved = !!o.out;
  if (o.out) {
    try {
      out = await writeMerged(o.out, [modelA, modelB], result, mo);
    } catch (e) { // the manifest is still printed (--json); the exit code says the merged models are not saved
      saved = false;
      markIncomplete();
      console.error(`ha3m: ${writeFailure(`the merged models in ${o.out}`, e)}`);
    }
  }
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  for (const a of result.accuracy) log(`${a.task}: float ${pct(a.before.float)} → ${pct(a.after.float)}, quantized ${pct(a.before.quantized)} → ${pct(a.after.quantized)}`);
  log(`tied ${result.ties.length} blocks (share ${result.share}): ${result.tied.map((t, k) => `${k ? 'B' : 'A'} ${pct(t.blockFraction)} of blocks, ${pct(t.cellFraction)} of cells`).join('; ')}; ${seconds.toFixed(1)} s${saved ? `; saved to ${o.out}` : ''}`);
  if (o.json) console.log(JSON.stringify(out));
  modelA.dispose(); modelB.dispose();
}
