import { join } from 'node:path';
import type { Command } from 'commander';
import { presetNames } from '../../hardware/index.js';
import { runScenario, STRATEGY_NAMES, type StrategyName, type ScenarioSpec, type Results } from '../../scenario/index.js';
import { parseScenarioFile, ScenarioFileError } from '../../scenario/file.js';
import { readScenarioPath, specFromFile } from '../../scenario/load.js';
import { markdownSummary } from '../../report/markdown.js';
import { writeOutputs } from '../../report/node.js';
import { initSync } from '../../wasm/index.js';
import { userErrors } from '../common.js';
import { progressBar } from '../progress.js';
import { markIncomplete, UserError } from '../errors.js';
import { prepareOutDir, writeFailure } from '../out.js';
import { applySwitchFlags } from '../scenario-flags.js';

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

/** Runs a scenario with a progress bar. */
export async function runWithBar(spec: ScenarioSpec, quiet = false): Promise<Results> {
  const bar = progressBar('switching', spec.strategies.length * spec.sequence.length, { quiet });
  try {
    return runScenario(spec, { onProgress: (stage, done) => bar.update(done, { detail: stage }) });
  } finally {
    bar.stop();
  }
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
    .action(async (opts: SwitchOpts, cmd: Command) => {
      const notes: string[] = [];
      let fromFile: Record<string, unknown> | null = null;
      if (opts.scenario) {
        const raw = await userErrors(() => readScenarioPath(opts.scenario!));
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`scenario file ${opts.scenario} must hold a JSON object`);
        const applied = applySwitchFlags(raw as Record<string, unknown>, opts as unknown as Record<string, unknown>, cmd, parseStrategies);
        fromFile = applied.file;
        notes.push(...applied.notes);
      } else if (!opts.modelA || !opts.dataA || !opts.modelB || !opts.dataB) {
        throw new UserError('give --scenario FILE, or all of --model-a, --data-a, --model-b and --data-b');
      }
      prepareOutDir(opts.out); // before loading and running: a bad --out must not cost the run
      for (const n of notes) console.error(`note: ${n}`);
      initSync();
      const spec = await userErrors(async () => {
        try {
          const file = parseScenarioFile(fromFile ?? {
            name: `${opts.dataA} <-> ${opts.dataB}`, preset: opts.preset,
            models: [{ name: 'A', path: opts.modelA, task: opts.dataA }, { name: 'B', path: opts.modelB, task: opts.dataB }],
            rounds: Number(opts.rounds), mapping: opts.mapping, poolSpare: Number(opts.spare),
            poolCrossbars: opts.pool === undefined ? null : Number(opts.pool), strategies: parseStrategies(opts.strategy),
            ...(opts.merged ? { merged: opts.merged } : {}), ...(opts.pareto ? { pareto: opts.pareto.split(',') } : {}), seed: Number(opts.seed), evalSamples: Number(opts.evalSamples),
            calibSamples: Number(opts.calib),
          }, opts.scenario ?? 'command-line flags');
          const s = await specFromFile(file, { dataDir: opts.dataDir });
          return { ...s, notes: [...notes, ...(s.notes ?? [])] };
        } catch (e) {
          if (e instanceof ScenarioFileError) throw new UserError(e.message);
          throw e;
        }
      });
      const results = await userErrors(() => runWithBar(spec, !!opts.json));
      let markdown: string;
      try {
        markdown = writeOutputs(results, opts.out);
      } catch (e) { // the results are still printed; the exit code says they are not saved
        markIncomplete();
        console.error(`ha3m: ${writeFailure(`the results in ${opts.out}`, e)}`);
        if (opts.json) console.log(JSON.stringify(results));
        else console.log(markdownSummary(results));
        return;
      }
      if (opts.json) console.log(JSON.stringify(results));
      else console.log(`${markdown}\nwrote ${join(opts.out, 'results.json')}, summary.md and report.html`);
    });
}
