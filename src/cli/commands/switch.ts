import { join } from 'node:path';
import type { Command } from 'commander';
import { presetNames } from '../../hardware/index.js';
import { runScenario, STRATEGY_NAMES, type StrategyName, type ScenarioSpec, type Results } from '../../scenario/index.js';
import { parseScenarioFile, ScenarioFileError } from '../../scenario/file.js';
import { specFromFile, specFromPath } from '../../scenario/load.js';
import { writeOutputs } from '../../report/node.js';
import { initSync } from '../../wasm/index.js';
import { userErrors } from '../common.js';
import { progressBar } from '../progress.js';
import { UserError } from '../errors.js';

interface SwitchOpts {
  scenario?: string; modelA?: string; dataA?: string; modelB?: string; dataB?: string; merged?: string; pareto?: string; rounds: string;
  strategy: string; preset: string; mapping: string; spare: string; pool?: string; evalSamples: string; calib: string;
  seed: string; out: string; dataDir?: string; json?: boolean;
}

export function parseStrategies(list: string): StrategyName[] {
  if (list === 'all') return [...STRATEGY_NAMES];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(STRATEGY_NAMES as readonly string[]).includes(n)) throw new UserError(`--strategy: unknown strategy "${n}"; use all or a list of ${STRATEGY_NAMES.join(', ')}`);
  if (!names.length) throw new UserError('--strategy is empty; use all or a list of full, diff, blm, ha3m');
  return names as StrategyName[];
}

/** Runs a scenario with a progress bar and writes its outputs. */
export async function runAndWrite(spec: ScenarioSpec, out: string, quiet = false): Promise<{ results: Results; markdown: string }> {
  const bar = progressBar('switching', spec.strategies.length * spec.sequence.length, { quiet });
  let results: Results;
  try {
    results = runScenario(spec, { onProgress: (stage, done) => bar.update(done, { detail: stage }) });
  } finally {
    bar.stop();
  }
  const markdown = writeOutputs(results, out);
  return { results, markdown };
}

export function registerSwitch(program: Command): void {
  program
    .command('switch')
    .description('simulate switching between models on one crossbar pool under each strategy (full, diff, blm, ha3m); write results.json, summary.md and report.html')
    .option('--scenario <file>', 'scenario JSON file (models, tasks, sequence, hardware, strategies)')
    .option('--model-a <path>', 'model A (.onnx or TF.js model.json, or a directory holding either), instead of --scenario')
    .option('--data-a <task>', 'task of model A (e.g. mnist)')
    .option('--model-b <path>', 'model B')
    .option('--data-b <task>', 'task of model B (e.g. fashion)')
    .option('--merged <dir>', 'output directory of `ha3m merge` (needed for the ha3m strategy)')
    .option('--pareto <dirs>', 'comma list of more `ha3m merge` outputs (other --share values) for the accuracy-vs-cycles curve')
    .option('--rounds <n>', 'rounds of A,B switching', '2')
    .option('--strategy <list>', 'all, or a comma list of full, diff, blm, ha3m', 'all')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--mapping <m>', 'baseline | xamm (for full and diff)', 'baseline')
    .option('--spare <f>', 'pool = largest model × (1 + spare) crossbars', '0.1')
    .option('--pool <n>', 'pool size in crossbars (overrides --spare)')
    .option('--eval-samples <n>', 'test samples per accuracy measurement', '1000')
    .option('--calib <n>', 'training samples to calibrate input and ADC ranges', '256')
    .option('--seed <s>', 'seed of every random draw', '1')
    .option('--data-dir <dir>', 'Fashion-MNIST IDX directory (default: auto-detect)')
    .option('--out <dir>', 'output directory', 'ha3m-out')
    .option('--json', 'print results.json instead of the summary')
    .action(async (opts: SwitchOpts) => {
      initSync();
      const spec = await userErrors(async () => {
        try {
          if (opts.scenario) return await specFromPath(opts.scenario, { dataDir: opts.dataDir });
          if (!opts.modelA || !opts.dataA || !opts.modelB || !opts.dataB) {
            throw new UserError('give --scenario FILE, or all of --model-a, --data-a, --model-b and --data-b');
          }
          const file = parseScenarioFile({
            name: `${opts.dataA} <-> ${opts.dataB}`, preset: opts.preset,
            models: [{ name: 'A', path: opts.modelA, task: opts.dataA }, { name: 'B', path: opts.modelB, task: opts.dataB }],
            rounds: Number(opts.rounds), mapping: opts.mapping, poolSpare: Number(opts.spare),
            poolCrossbars: opts.pool === undefined ? null : Number(opts.pool), strategies: parseStrategies(opts.strategy),
            ...(opts.merged ? { merged: opts.merged } : {}), ...(opts.pareto ? { pareto: opts.pareto.split(',') } : {}), seed: Number(opts.seed), evalSamples: Number(opts.evalSamples),
            calibSamples: Number(opts.calib),
          }, 'command-line flags');
          return await specFromFile(file, { dataDir: opts.dataDir });
        } catch (e) {
          if (e instanceof ScenarioFileError) throw new UserError(e.message);
          throw e;
        }
      });
      const { results, markdown } = await userErrors(() => runAndWrite(spec, opts.out, !!opts.json));
      if (opts.json) console.log(JSON.stringify(results));
      else console.log(`${markdown}\nwrote ${join(opts.out, 'results.json')}, summary.md and report.html`);
    });
}
