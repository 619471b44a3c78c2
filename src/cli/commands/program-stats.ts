// `ha3m program-stats`: program N cells from the reset state to uniformly random levels with a write-verify scheme
// and print the pulse distribution, energy, latency and failure rate (DESIGN §2.1, §6).
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { ConfigError, presetNames, resolveHardware } from '../../hardware/index.js';
import { CrossbarPool } from '../../hardware/pool.js';
import { initSync } from '../../wasm/runtime.js';
import { StreamPurpose, streamId } from '../../wasm/rng.js';
import { HostRng } from '../../wasm/index.js';
import { programPool } from '../../programming/program.js';
import { CALIBRATED_DEVICE, calibrationTargets, schemeNames, withScheme, type SchemeName } from '../../programming/calibration.js';
import { UserError } from '../errors.js';

interface Bar { start(total: number, value: number): void; update(value: number): void; stop(): void }
interface CliProgress { SingleBar: new (opts: object, preset: object) => Bar; Presets: { shades_classic: object } }
/** cli-progress is an untyped CommonJS package (no @types installed). */
const loadCliProgress = (): CliProgress => createRequire(import.meta.url)('cli-progress') as CliProgress;

interface Opts { preset: string; scheme: string; cells: string; cellBits?: string; seed: string; json?: boolean; progress?: boolean }

function intOpt(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
  return n;
}

export function registerProgramStats(program: Command): void {
  program
    .command('program-stats')
    .description('program N cells from reset to random levels and print the write-verify pulse statistics')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--scheme <name>', `write-verify scheme (${schemeNames().join('|')})`, 'ispp')
    .option('--cells <n>', 'cells to program', '65536')
    .option('--cell-bits <b>', 'bits per cell (default: the preset\'s)')
    .option('--seed <s>', 'seed of the pool and of the random levels', '1')
    .option('--json', 'print JSON')
    .option('--no-progress', 'no progress bar')
    .action((opts: Opts) => {
      const cells = intOpt(opts.cells, 'cells', 1, 300_000_000);
      const seed = intOpt(opts.seed, 'seed', -(2 ** 52), 2 ** 52);
      if (!schemeNames().includes(opts.scheme as SchemeName)) {
        throw new UserError(`--scheme must be one of ${schemeNames().join(', ')}, got "${opts.scheme}"`);
      }
      let cfg;
      try {
        const over = opts.cellBits === undefined ? {} : { cells: { cellBits: intOpt(opts.cellBits, 'cell-bits', 1, 4) } };
        cfg = withScheme(resolveHardware({ ...over, programming: { initialState: 'hrs' } }, opts.preset), opts.scheme);
      } catch (e) {
        if (e instanceof ConfigError || (e instanceof Error && /scheme|preset/.test(e.message))) throw new UserError(e.message);
        throw e;
      }
      initSync();
      const cpc = cfg.crossbar.rows * cfg.crossbar.cols;
      const pool = new CrossbarPool(cfg, { numCrossbars: Math.ceil(cells / cpc), seed });
      const L = 2 ** cfg.cells.cellBits;
      const targets = new Uint8Array(pool.numCells).fill(255);
      const rng = new HostRng(seed, streamId(StreamPurpose.misc, 1));
      for (let i = 0; i < cells; i++) targets[i] = Math.floor((rng.nextU32() * L) / 2 ** 32);
      const showBar = opts.progress !== false && cells >= 2_000_000 && process.stderr.isTTY;
      const cliProgress = showBar ? loadCliProgress() : null;
      const bar = cliProgress ? new cliProgress.SingleBar({ format: 'programming [{bar}] {percentage}% | {value}/{total} cells | ETA {eta}s', stream: process.stderr },
        cliProgress.Presets.shades_classic) : null;
      bar?.start(pool.numCells, 0);
      const t0 = performance.now();
      const warnings: string[] = [];
      const { report } = programPool(pool, targets, {
        perCell: false, chunkCells: 1 << 20, onProgress: (done) => bar?.update(done), onWarning: (w) => warnings.push(w),
      });
      bar?.stop();
      const wallS = (performance.now() - t0) / 1000;
      const d = report.distribution;
      // the measured statistics were fitted on the calibrated device's 2-bit cells; other devices are not compared
      const target = cfg.cells.cellBits === 2 && cfg.device.name === CALIBRATED_DEVICE ? calibrationTargets[opts.scheme as SchemeName] : null;
      const out = {
        preset: opts.preset, device: cfg.device.name, scheme: opts.scheme, cellBits: cfg.cells.cellBits, cells, seed,
        meanPulses: d.mean, medianPulses: d.median, p90Pulses: d.p90, p99Pulses: d.p99, maxPulses: d.max,
        meanPulsesTouched: d.meanTouched, failureRate: d.failureRate, failures: report.failures.count,
        inBandRate: d.inBandRate, cycles: report.totals.cycles, setPulses: report.totals.setPulses,
        resetPulses: report.totals.resetPulses, verifyReads: report.totals.verifyReads, energyJ: report.totals.energyJ,
        latencyS: report.latencyS, latencyCellS: report.latencyCellS, latencyRowS: report.latencyRowS,
        parallelism: report.parallelism, crossbarsInParallel: report.crossbarsInParallel, ok: report.ok,
        measured: target, simulationWallS: wallS, histogram: d.histogram.slice(0, d.max + 1), warnings,
      };
      if (opts.json) {
        console.log(JSON.stringify(out, null, 2));
        return;
      }
      const f = (x: number, n = 2): string => x.toFixed(n);
      console.log(`${cells} cells, ${cfg.device.name}, ${opts.scheme}, ${cfg.cells.cellBits} bits/cell, ±${cfg.programming.toleranceUS} µS, seed ${seed}`);
      console.log(`pulses per cell  mean ${f(d.mean)}  median ${d.median}  p90 ${d.p90}  p99 ${d.p99}  max ${d.max}` +
        (target ? `   (measured: mean ${target.mean}, median ${target.median}, p90 ${target.p90})` : ''));
      console.log(`cycles           ${report.totals.cycles} (${report.totals.setPulses} SET, ${report.totals.resetPulses} RESET), ${report.totals.verifyReads} verify reads`);
      console.log(`energy           ${report.totals.energyJ.toExponential(3)} J`);
      console.log(`latency          ${report.latencyS.toExponential(3)} s (${report.parallelism}-parallel, ${report.crossbarsInParallel} crossbar(s) at once; ` +
        `cell-serial ${report.latencyCellS.toExponential(3)} s, row-parallel ${report.latencyRowS.toExponential(3)} s)`);
      console.log(`failures         ${report.ok ? "none" : "FAILED CELLS: " + report.failures.count} (${f(100 * d.failureRate, 3)} %), true conductance in band ${f(100 * d.inBandRate, 2)} %`);
      for (const w of warnings) console.log(`warning          ${w}`);
      console.log(`(simulated in ${f(wallS, 2)} s)`);
    });
}
