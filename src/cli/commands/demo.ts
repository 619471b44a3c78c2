import { join } from 'node:path';
import type { Command } from 'commander';
import { runDemo, defaultDemoOptions, DEFAULT_PARETO_SHARES, type DemoHooks } from '../../scenario/demo.js';
import { demoMerge, mergeModels, writeMerged, type MmrProgress } from '../../training/mmr.js';
import { initSync } from '../../wasm/index.js';
import { userErrors, parseIntOption } from '../common.js';
import { progressBar, type Progress } from '../progress.js';
import { markIncomplete, UserError } from '../errors.js';
import { prepareOutDir, writeFailure } from '../out.js';
import { MAX_ROUNDS, MAX_SAMPLES } from '../../scenario/file.js';
import { markdownSummary } from '../../report/markdown.js';
import { writeOutputs } from '../../report/node.js';
import { parseStrategies } from './switch.js';

interface DemoOpts {
  data: string; task: string; tasks?: string; model: string; out: string; epochs: string; trainLimit: string; evalSamples: string;
  trackSamples: string; share: string; pareto?: string | boolean; sameBudget: boolean; rounds: string; seed: string; strategy: string;
  dataDir?: string; json?: boolean;
}

/**
 * The MMR hook of the demo (src/training/mmr.ts): two models through demoMerge, more through mergeModels (K ≥ 2 tasks,
 * model 0 the reference); the merged models are saved under `out`.
 */
export const mergeHook = (): DemoHooks['merge'] => async (models, cfg, o) => {
  const onProgress = (p: MmrProgress) => o.onProgress?.(p.done, p.total);
  const common = { share: o.share, epochs: o.epochs, finetuneEpochs: o.finetuneEpochs, seed: o.seed, log: o.log, onProgress };
  if (models.length === 2) {
    const [a, b] = models as [typeof models[0], typeof models[0]];
    const r = await demoMerge({ model: a.model, task: a.task }, { model: b.model, task: b.task }, cfg, { ...common, out: o.out });
    return { models: [r.a, r.b], tiedFractions: r.result.tied.map((t) => t.blockFraction) };
  }
  const result = await mergeModels(models.map((m) => ({ name: m.task.name, model: m.model, train: m.task.train, val: m.task.val, test: m.task.test })), cfg, common);
  await writeMerged(o.out, models.map((m) => m.model), result, { names: models.map((m) => m.name), tasks: models.map((m) => m.task.name) });
  return { models: models.map((m) => m.model), tiedFractions: result.tied.map((t) => t.blockFraction) };
};

/** --pareto (no value: the default shares) or --pareto 0.5,0.9 */
export function parsePareto(v: string | boolean | undefined): number[] | null {
  if (v === undefined || v === false) return null;
  if (v === true) return [...DEFAULT_PARETO_SHARES];
  const shares = v.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shares.length === 0 || shares.some((s) => !(s >= 0 && s <= 1))) {
    throw new UserError(`--pareto takes a comma list of MMR shares in [0, 1] (e.g. --pareto 0.5,0.75,0.9), got '${v}'`);
  }
  return [...new Set(shares)].sort((a, b) => a - b);
}

/** The models' tasks from --tasks, or from --data / --task (MNIST plus one more). */
export function demoTasks(opts: Pick<DemoOpts, 'data' | 'task' | 'tasks'>): string[] {
  if (opts.tasks !== undefined) {
    const tasks = opts.tasks.split(',').map((s) => s.trim()).filter(Boolean);
    if (tasks.length < 2) throw new UserError(`--tasks needs at least two tasks, comma-separated (e.g. mnist,rotated-mnist:90,fashion), got '${opts.tasks}'`);
    return tasks;
  }
  if (opts.data !== 'derived' && opts.data !== 'fashion') throw new UserError(`--data must be derived or fashion, got '${opts.data}'`);
  return ['mnist', opts.data === 'fashion' ? 'fashion' : opts.task];
}

/** --eval-samples all (the whole test sets) or a positive count. */
export function parseEvalSamples(v: string): number | undefined {
  return v === 'all' ? undefined : parseIntOption('eval-samples', v, 0, 1);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole story on the embedded data: train LeNet-5 models (MNIST and a derived task, or --tasks), merge them with MMR, switch between them under full/diff/blm/ha3m, and write the report to ./ha3m-out/')
    .option('--data <which>', 'second task: derived (an MNIST variant, no extra data) or fashion (Fashion-MNIST)', 'derived')
    .option('--task <task>', 'the derived task for model B', defaultDemoOptions.tasks[1])
    .option('--tasks <list>', 'every model\'s task, comma-separated (overrides --data/--task), e.g. mnist,rotated-mnist:90,fashion for a three-model round robin')
    .option('--model <arch>', 'zoo architecture: lenet5 or mlp', defaultDemoOptions.architecture)
    .option('--out <dir>', 'output directory', defaultDemoOptions.out)
    .option('--epochs <n>', 'training epochs per model (before MMR; the separate models then continue for as many epochs as MMR runs)', String(defaultDemoOptions.epochs))
    .option('--train-limit <n>', 'training samples per task', String(defaultDemoOptions.trainLimit))
    .option('--eval-samples <n>', 'test images behind each claimed accuracy: all (each whole test set) or a count', 'all')
    .option('--track-samples <n>', 'test images for the accuracies that only track drift between switches', String(defaultDemoOptions.trackSamples))
    .option('--share <f>', 'fraction of blocks MMR ties (0..1)', String(defaultDemoOptions.share))
    .option('--pareto [shares]', `also run ha3m at these MMR shares (default ${DEFAULT_PARETO_SHARES.join(',')}): accuracy vs cycles per switch`)
    .option('--no-same-budget', 'do not continue training the separate models for as many epochs as MMR runs (faster; the comparison is then not at the same budget)')
    .option('--rounds <n>', 'rounds of the round robin over the models', String(defaultDemoOptions.rounds))
    .option('--seed <s>', 'seed of every random draw', String(defaultDemoOptions.seed))
    .option('--strategy <list>', 'all, or a comma list of full, diff, blm, ha3m', 'all')
    .option('--data-dir <dir>', 'Fashion-MNIST IDX directory (default: auto-detect)')
    .option('--json', 'print results.json instead of the summary')
    .action(async (opts: DemoOpts) => {
      initSync();
      if (opts.model !== 'lenet5' && opts.model !== 'mlp') throw new UserError(`--model must be lenet5 or mlp, got '${opts.model}'`);
      const share = Number(opts.share);
      if (!(share >= 0 && share <= 1)) throw new UserError(`--share must be a fraction in [0, 1], got '${opts.share}'`);
      const tasks = demoTasks(opts);
      const pareto = parsePareto(opts.pareto);
      const evalSamples = parseEvalSamples(opts.evalSamples);
      const demoOpts = {
        tasks, architecture: opts.model as 'lenet5', out: opts.out,
        epochs: parseIntOption('epochs', opts.epochs, 2, 1), trainLimit: parseIntOption('train-limit', opts.trainLimit, 12000, 100),
        evalSamples, trackSamples: parseIntOption('track-samples', opts.trackSamples, 1000, 1), share, pareto, sameBudget: opts.sameBudget,
        rounds: parseIntOption('rounds', opts.rounds, 2, 1), seed: parseIntOption('seed', opts.seed, 1), strategies: parseStrategies(opts.strategy),
        dataDir: opts.dataDir,
      };
      if (demoOpts.rounds > MAX_ROUNDS) throw new UserError(`--rounds must be at most ${MAX_ROUNDS}, got ${demoOpts.rounds}`);
      if (typeof evalSamples === 'number' && evalSamples > MAX_SAMPLES) throw new UserError(`--eval-samples must be at most ${MAX_SAMPLES}, got ${evalSamples}`);
      prepareOutDir(opts.out); // before the training: a bad --out must not cost it
      const t0 = performance.now();
      let bar: Progress | null = null, stage = '';
      const hooks: DemoHooks = {
        log: (m) => { bar?.stop(); bar = null; stage = ''; console.error(m); },
        progress: (s, done, total) => {
          if (s !== stage) { bar?.stop(); bar = progressBar(s, total, { quiet: opts.json }); stage = s; }
          bar?.update(done);
        },
        merge: mergeHook(),
      };
      const results = await userErrors(() => runDemo(demoOpts, hooks));
      (bar as Progress | null)?.stop();
      for (const n of results.notes.filter((x) => x.startsWith('warning:'))) console.error(n);
      let md: string;
      try {
        md = writeOutputs(results, opts.out);
      } catch (e) { // the results are still printed; the exit code says they are not saved
        markIncomplete();
        console.error(`ha3m: ${writeFailure(`the results in ${opts.out}`, e)}`);
        console.log(opts.json ? JSON.stringify(results) : markdownSummary(results));
        return;
      }
      const minutes = (performance.now() - t0) / 60000;
      if (opts.json) { console.log(JSON.stringify(results)); return; }
      console.log(`${md}\nwrote ${join(opts.out, 'results.json')}, ${join(opts.out, 'summary.md')} and ${join(opts.out, 'report.html')} in ${minutes.toFixed(1)} min`);
    });
}
