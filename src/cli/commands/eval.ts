import type { Command } from 'commander';
import { presetNames } from '../../hardware/index.js';
import { CrossbarPool } from '../../hardware/pool.js';
import { mapModel } from '../../mapping/map.js';
import { sizeOf } from '../../mapping/hostops.js';
import { quantizeModel, programModel, CrossbarEngine, evaluate, type InferenceMode } from '../../inference/index.js';
import { loadTask, taskHelp } from '../../training/data/datasets.js';
import { modelTaskMismatch } from '../../training/data/fit.js';
import { initSync } from '../../wasm/index.js';
import { loadHardware, loadModelArg, parseIntOption, userErrors } from '../common.js';
import { progressBar } from '../progress.js';
import { UserError } from '../errors.js';
import { applyScheme } from './program.js';

interface EvalOpts {
  model: string; data: string; preset: string; config?: string; scheme?: string; mode: string; xamm?: boolean;
  limit?: string; calib?: string; seed?: string; dataDir?: string; json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('accuracy of a model on a labelled test set: float, quantized (software), on-crossbar ideal and analog (after write-verify programming)')
    .requiredOption('--model <path>', 'model: an .onnx file, a TF.js model.json (or a directory holding either) or an http(s) URL')
    .requiredOption('--data <task>', taskHelp)
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--config <file>', 'hardware config JSON file (instead of --preset)')
    .option('--scheme <name>', 'write-verify scheme: ispp | fppv | adaptive')
    .option('--mode <mode>', 'on-crossbar modes to evaluate: ideal | analog | all', 'all')
    .option('--xamm', 'map with XAMM instead of the baseline')
    .option('--limit <n>', 'evaluate on the first N test samples', '10000')
    .option('--calib <n>', 'training samples used to calibrate input ranges', '256')
    .option('--seed <s>', 'seed (pool faults, programming, read noise)', '1')
    .option('--data-dir <dir>', 'IDX directory for Fashion-MNIST (default: auto-detect)')
    .option('--json', 'print the accuracies as JSON (keys float, quantized, ideal, analog)')
    .action(async (opts: EvalOpts) => {
      initSync();
      if (!['ideal', 'analog', 'all'].includes(opts.mode)) throw new UserError(`--mode must be ideal, analog or all, got '${opts.mode}'`);
      let cfg = await loadHardware(opts);
      if (opts.scheme) cfg = applyScheme(cfg, opts.scheme);
      const seed = parseIntOption('seed', opts.seed, 1);
      const limit = parseIntOption('limit', opts.limit, 10000, 1);
      const calibN = parseIntOption('calib', opts.calib, 256, 1);
      const model = await loadModelArg(opts.model);
      const task = await userErrors(() => loadTask(opts.data, { seed, dataDir: opts.dataDir }).catch((e: Error) => { throw new UserError(e.message); }));
      const mismatch = modelTaskMismatch(model, task.test, opts.model, opts.data);
      if (mismatch) throw new UserError(mismatch);
      const inSize = sizeOf(model.inputShape);
      const nCal = Math.min(calibN, task.train.n);
      const qm = quantizeModel(model, cfg, task.train.images.subarray(0, nCal * inSize), nCal);
      const placement = await userErrors(() => mapModel(model, cfg, { xamm: !!opts.xamm }));
      const pool = new CrossbarPool(cfg, { numCrossbars: placement.crossbars, seed });
      const pbar = progressBar('programming', pool.numCells, { quiet: opts.json });
      const prog = programModel(qm, placement, pool, { onProgress: (d) => pbar.update(d) });
      pbar.stop();
      const engine = new CrossbarEngine(qm, placement, pool, { seed });
      const modes: InferenceMode[] = ['float', 'quantized', ...(opts.mode === 'all' ? ['ideal', 'analog'] as const : [opts.mode as InferenceMode])];
      const n = Math.min(limit, task.test.n);
      const bar = progressBar('evaluating', n * modes.length, { quiet: opts.json });
      const t0 = performance.now();
      const acc = evaluate(engine, task.test, modes, { limit: n, onProgress: (d) => bar.update(d) });
      bar.stop();
      const out = {
        model: model.name, data: opts.data, samples: n, preset: opts.config ?? opts.preset, mapping: placement.scheme,
        crossbars: placement.crossbars, programmingCycles: prog.report.totals.cycles, programmingFailures: prog.report.failures.count,
        ...acc, seconds: (performance.now() - t0) / 1000,
      };
      if (opts.json) { console.log(JSON.stringify(out)); return; }
      console.log(`model ${model.name} on ${opts.data} (${n} test samples), ${placement.crossbars} crossbars, programmed in ${prog.report.totals.cycles.toLocaleString('en-US')} cycles (${prog.report.failures.count} failed cells)`);
      for (const m of modes) console.log(`  ${m.padEnd(10)} ${(100 * acc[m]!).toFixed(2)} %`);
    });
}
