import { join } from 'node:path';
import type { Command } from 'commander';
import { runDemo, defaultDemoOptions, type DemoHooks } from '../../scenario/demo.js';
import { demoMerge } from '../../training/mmr.js';
import { initSync } from '../../wasm/index.js';
import { userErrors, parseIntOption } from '../common.js';
import { progressBar, type Progress } from '../progress.js';
import { UserError } from '../errors.js';
import { parseStrategies, writeOutputs } from './switch.js';

interface DemoOpts {
  data: string; task: string; model: string; out: string; epochs: string; trainLimit: string; evalSamples: string;
  share: string; rounds: string; seed: string; strategy: string; dataDir?: string; json?: boolean;
}

/** The MMR hook of the demo (src/training/mmr.ts). */
export const mergeHook = (): DemoHooks['merge'] => demoMerge;

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the whole story on the embedded data: train two LeNet-5 models (MNIST and a derived task), merge them with MMR, switch between them under full/diff/blm/ha3m, and write the report to ./ha3m-out/')
    .option('--data <which>', 'second task: derived (an MNIST variant, no extra data) or fashion (Fashion-MNIST)', 'derived')
    .option('--task <task>', 'the derived task for model B', defaultDemoOptions.derivedTask)
    .option('--model <arch>', 'zoo architecture: lenet5 or mlp', defaultDemoOptions.architecture)
    .option('--out <dir>', 'output directory', defaultDemoOptions.out)
    .option('--epochs <n>', 'training epochs per model', String(defaultDemoOptions.epochs))
    .option('--train-limit <n>', 'training samples per task', String(defaultDemoOptions.trainLimit))
    .option('--eval-samples <n>', 'test samples per accuracy measurement', String(defaultDemoOptions.evalSamples))
    .option('--share <f>', 'fraction of blocks MMR ties (0..1)', String(defaultDemoOptions.share))
    .option('--rounds <n>', 'rounds of A,B switching', String(defaultDemoOptions.rounds))
    .option('--seed <s>', 'seed of every random draw', String(defaultDemoOptions.seed))
    .option('--strategy <list>', 'all, or a comma list of full, diff, blm, ha3m', 'all')
    .option('--data-dir <dir>', 'Fashion-MNIST IDX directory (default: auto-detect)')
    .option('--json', 'print results.json instead of the summary')
    .action(async (opts: DemoOpts) => {
      initSync();
      if (opts.data !== 'derived' && opts.data !== 'fashion') throw new UserError(`--data must be derived or fashion, got '${opts.data}'`);
      if (opts.model !== 'lenet5' && opts.model !== 'mlp') throw new UserError(`--model must be lenet5 or mlp, got '${opts.model}'`);
      const share = Number(opts.share);
      if (!(share >= 0 && share <= 1)) throw new UserError(`--share must be a fraction in [0, 1], got '${opts.share}'`);
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
      const results = await userErrors(() => runDemo({
        data: opts.data as 'derived' | 'fashion', derivedTask: opts.task, architecture: opts.model as 'lenet5', out: opts.out,
        epochs: parseIntOption('epochs', opts.epochs, 2, 1), trainLimit: parseIntOption('train-limit', opts.trainLimit, 12000, 100),
        evalSamples: parseIntOption('eval-samples', opts.evalSamples, 500, 1), share, rounds: parseIntOption('rounds', opts.rounds, 2, 1),
        seed: parseIntOption('seed', opts.seed, 1), strategies: parseStrategies(opts.strategy), dataDir: opts.dataDir,
      }, hooks));
      (bar as Progress | null)?.stop();
      const md = writeOutputs(results, opts.out);
      const minutes = (performance.now() - t0) / 60000;
      if (opts.json) { console.log(JSON.stringify(results)); return; }
      console.log(`${md}\nwrote ${join(opts.out, 'results.json')}, ${join(opts.out, 'summary.md')} and ${join(opts.out, 'report.html')} in ${minutes.toFixed(1)} min`);
    });
}
