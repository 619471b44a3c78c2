import type { Command } from 'commander';
import { presetNames, type HardwareConfig } from '../../hardware/index.js';
import { CrossbarPool } from '../../hardware/pool.js';
import { mapModel } from '../../mapping/map.js';
import { sizeOf } from '../../mapping/hostops.js';
import { quantizeModel } from '../../inference/index.js';
import { switchModel } from '../../scenario/index.js';
import { withScheme } from '../../programming/calibration.js';
import { initSync } from '../../wasm/index.js';
import { loadHardware, loadModelArg, parseIntOption, userErrors } from '../common.js';
import { progressBar } from '../progress.js';
import { UserError } from '../errors.js';

interface ProgramOpts { model: string; preset: string; config?: string; xamm?: boolean; spare?: string; seed?: string; scheme?: string; json?: boolean }

export function registerProgram(program: Command): void {
  program
    .command('program')
    .description('map a TF.js model and program it into a fresh crossbar pool with the write-verify simulator; print the cost')
    .requiredOption('--model <path>', 'model: an .onnx file, a TF.js model.json (or a directory holding either) or an http(s) URL')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--config <file>', 'hardware config JSON file (instead of --preset)')
    .option('--scheme <name>', 'write-verify scheme: ispp | fppv | adaptive (calibrated presets)')
    .option('--xamm', 'map with XAMM instead of the baseline')
    .option('--spare <n>', 'crossbars in the pool beyond what the model needs', '0')
    .option('--seed <s>', 'seed of the pool (faults, programming noise)', '1')
    .option('--json', 'print the result as JSON')
    .action(async (opts: ProgramOpts) => {
      initSync();
      let cfg = await loadHardware(opts);
      if (opts.scheme) cfg = applyScheme(cfg, opts.scheme);
      const model = await loadModelArg(opts.model);
      const seed = parseIntOption('seed', opts.seed, 1);
      const spare = parseIntOption('spare', opts.spare, 0);
      const placement = await userErrors(() => mapModel(model, cfg, { xamm: !!opts.xamm }));
      // programming needs only the weights: input ranges are irrelevant here
      const qm = quantizeModel(model, cfg, new Float32Array(sizeOf(model.inputShape)), 1);
      const pool = new CrossbarPool(cfg, { numCrossbars: placement.crossbars + spare, seed });
      const bar = progressBar('programming', pool.numCells, { quiet: opts.json });
      const t0 = performance.now();
      // programming a fresh pool is a switch in place from the reset state
      const res = switchModel(pool, qm, 'diff', { mapping: opts.xamm ? 'xamm' : 'baseline', program: { onProgress: (d) => bar.update(d) } }).write;
      bar.stop();
      const seconds = (performance.now() - t0) / 1000;
      const r = res.report;
      const summary = {
        model: model.name, preset: opts.config ?? opts.preset, scheme: r.scheme, mapping: placement.scheme,
        crossbars: placement.crossbars, poolCrossbars: pool.numCrossbars, utilization: placement.utilization,
        cells: r.totals.cellsTargeted, cellsTouched: r.totals.cellsTouched, cycles: r.totals.cycles,
        setPulses: r.totals.setPulses, resetPulses: r.totals.resetPulses, verifyReads: r.totals.verifyReads,
        energyJ: r.totals.energyJ, latencyS: r.latencyS, latencyCellS: r.latencyCellS, latencyRowS: r.latencyRowS,
        failures: r.failures.count, failureRate: r.distribution.failureRate, ok: r.ok,
        pulsesPerCell: { mean: r.distribution.mean, median: r.distribution.median, p90: r.distribution.p90, p99: r.distribution.p99 },
        wear: { maxWear: r.wear.maxWear, switchesLeft: r.wear.switchesLeft },
        perLayer: res.perLayer.map((l) => ({ layer: l.layer, name: l.name, cycles: l.totals?.cycles ?? 0, energyJ: l.totals?.energyJ ?? 0, failures: l.totals?.failures ?? 0 })),
        warnings: r.warnings, seconds,
      };
      if (opts.json) { console.log(JSON.stringify(summary, null, 2)); return; }
      console.log(`model ${model.name}: ${placement.crossbars} crossbars (${placement.scheme}, ${(100 * placement.utilization).toFixed(1)} % cells used), ${summary.cells} cells programmed with ${r.scheme}`);
      console.log(`  programming cycles  ${summary.cycles.toLocaleString('en-US')}  (mean ${r.distribution.mean.toFixed(2)}, median ${r.distribution.median}, p90 ${r.distribution.p90}, p99 ${r.distribution.p99} pulses/cell)`);
      console.log(`  energy              ${(summary.energyJ * 1e6).toFixed(3)} µJ`);
      console.log(`  latency             ${summary.latencyS.toFixed(4)} s (${r.parallelism}-parallel, ${r.crossbarsInParallel} crossbar(s) at once); cell-serial ${summary.latencyCellS.toFixed(3)} s`);
      // failed (e.g. stuck) cells are a result of the simulation, reported here, not an error of the command: exit 0
      console.log(`  failures            ${summary.failures} (${(100 * summary.failureRate).toFixed(3)} %)${r.ok ? '' : '  — programming did NOT fully succeed'}`);
      for (const l of summary.perLayer) console.log(`    layer ${String(l.layer).padStart(2)} ${l.name.padEnd(20)} ${l.cycles.toLocaleString('en-US').padStart(12)} cycles`);
      for (const w of r.warnings) console.log(`  warning: ${w}`);
    });
}

/** Applies a calibrated scheme preset; an unknown name is the user's error. */
export function applyScheme(cfg: HardwareConfig, scheme: string): HardwareConfig {
  try {
    return withScheme(cfg, scheme);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}
