import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { configFromJson, configToJson, hardwarePresets, presetNames, resolveHardware, ConfigError } from '../../hardware/index.js';
import { cellsPerWeight, magnitudeSlices, tileCols, levelSpacingUS } from '../../hardware/derived.js';
import { checkProgramming } from '../../programming/index.js';
import { UserError } from '../errors.js';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print a validated hardware config (a named preset, or a JSON file) and what it implies')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--file <path>', 'validate a JSON config file instead of a preset')
    .option('--list', 'list the presets')
    .option('--json', 'print the config as JSON')
    .action((opts: { preset: string; file?: string; list?: boolean; json?: boolean }) => {
      if (opts.list) {
        for (const [name, p] of Object.entries(hardwarePresets)) console.log(`${name.padEnd(12)} ${p.description}`);
        return;
      }
      let cfg;
      try {
        cfg = opts.file ? configFromJson(readText(opts.file), opts.file) : resolveHardware({}, opts.preset);
      } catch (e) {
        if (e instanceof ConfigError) throw new UserError(e.message);
        throw e;
      }
      // valid but doomed settings (a band no pulse can land in, a band below the read noise): said on stderr
      for (const w of checkProgramming(cfg)) console.error(`warning: ${w}`);
      if (opts.json) {
        console.log(configToJson(cfg));
        return;
      }
      console.log(`device        ${cfg.device.name} (${cfg.device.source})`);
      console.log(`crossbar      ${cfg.crossbar.rows} × ${cfg.crossbar.cols} cells`);
      console.log(`weights       ${cfg.weights.weightBits}-bit, scale per ${cfg.weights.scale}`);
      console.log(`cells         ${cfg.cells.cellBits} bits (${2 ** cfg.cells.cellBits} levels, ${levelSpacingUS(cfg).toFixed(2)} µS apart), ${cfg.cells.sign}`);
      console.log(`encoding      ${magnitudeSlices(cfg)} slices, ${cellsPerWeight(cfg)} cells per weight, tile ${cfg.crossbar.rows} × ${tileCols(cfg)} weights`);
      console.log(`io            ${cfg.io.inputBits}-bit ${cfg.io.inputSigned ? 'signed' : 'unsigned'} inputs, ${cfg.io.dacBits}-bit DAC, ${cfg.io.adcBits}-bit ADC (${cfg.io.adcRange})`);
      console.log(`programming   ${cfg.programming.scheme}, ±${cfg.programming.toleranceUS} µS, max ${cfg.programming.maxPulses} pulses, ${cfg.programming.parallelism}-parallel`);
    });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
