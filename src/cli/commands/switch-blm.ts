// `ha3m blm`: switch a pool holding model A to model B under full, diff and BLM (layer and global), print the
// programming cost of each and the time BLM took.
import type { Command } from 'commander';
import { ConfigError, presetNames, resolveHardware } from '../../hardware/index.js';
import { CrossbarPool } from '../../hardware/pool.js';
import { mapModel } from '../../mapping/map.js';
import { sizeOf } from '../../mapping/hostops.js';
import { PlacementError } from '../../mapping/placement.js';
import type { ImportedModel } from '../../mapping/types.js';
import { quantizeModel } from '../../inference/index.js';
import { HostRng, initSync } from '../../wasm/index.js';
import { switchModel, type StrategyName, type SwitchOptions } from '../../scenario/index.js';
import { UserError } from '../errors.js';
import { loadModelArg, parseIntOption } from '../common.js';

interface BlmOpts {
  modelA: string; modelB: string; preset: string; blockRows?: string; blockCols?: string; negate?: boolean;
  routing: string; mapping: string; extra: string; seed: string; candidates: string; json?: boolean;
}

export function registerBlm(program: Command): void {
  program
    .command('blm')
    .description('switch a pool holding model A to model B under full, diff and BLM (layer and global matching): programming cycles and matching time')
    .requiredOption('--model-a <path>', 'the resident model: an .onnx file, a TF.js model.json (or a directory holding either) or an http(s) URL')
    .requiredOption('--model-b <path>', 'the incoming model')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--block-rows <n>', 'BLM block rows (logical; default the whole tile)')
    .option('--block-cols <n>', 'BLM block columns (logical weights; default the whole tile)')
    .option('--negate', 'let BLM store blocks negated when cheaper')
    .option('--routing <r>', 'strict (one MVM step per crossbar and layer) or serial', 'strict')
    .option('--candidates <k>', "BLM pricing: 'all' (every block-slot pair exactly), a number k (a sketch, then the k best slots per block exactly) or 'auto' (exact up to 4 M pairs, else k = 128)", 'auto')
    .option('--mapping <m>', 'baseline | xamm: the mapping of A, and of B under full and diff (as `ha3m switch --mapping`)', 'baseline')
    .option('--extra <n>', 'free crossbars beyond what the larger model needs', '8')
    .option('--seed <s>', 'pool seed (faults, programming)', '1')
    .option('--json', 'print the results as JSON')
    .action(async (opts: BlmOpts) => {
      initSync();
      let cfg;
      try { cfg = resolveHardware({}, opts.preset); } catch (e) { if (e instanceof ConfigError) throw new UserError(e.message); throw e; }
      if (opts.routing !== 'strict' && opts.routing !== 'serial') throw new UserError(`--routing must be strict or serial, got '${opts.routing}'`);
      if (opts.mapping !== 'baseline' && opts.mapping !== 'xamm') throw new UserError(`--mapping must be baseline or xamm, got '${opts.mapping}'`);
      const mapping = opts.mapping;
      const optionalInt = (name: string, v: string | undefined) => (v === undefined ? undefined : parseIntOption(name, v, 0, 1));
      const blockRows = optionalInt('block-rows', opts.blockRows), blockCols = optionalInt('block-cols', opts.blockCols);
      const extra = parseIntOption('extra', opts.extra, 8), seed = parseIntOption('seed', opts.seed, 1);
      const [mA, mB] = [await loadModelArg(opts.modelA), await loadModelArg(opts.modelB)];
      // programming costs depend on the weights alone (quantized per layer from the weights), not on the activation
      // calibration, so one calibration input suffices here (64 took ~1 min per ResNet-18 on one core)
      const calib = (m: ImportedModel) => { const r = new HostRng(7, 0); const n = sizeOf(m.inputShape); return Float32Array.from({ length: n }, () => r.uniform()); };
      const qmA = quantizeModel(mA, cfg, calib(mA), 1), qmB = quantizeModel(mB, cfg, calib(mB), 1);
      let pA, pB;
      try { pA = mapModel(mA, cfg, { xamm: mapping === 'xamm' }); pB = mapModel(mB, cfg, { xamm: mapping === 'xamm' }); } catch (e) { if (e instanceof PlacementError) throw new UserError(e.message); throw e; }
      const pool = new CrossbarPool(cfg, { numCrossbars: Math.max(pA.crossbars, pB.crossbars) + extra, seed });
      const k = Number(opts.candidates);
      if (opts.candidates !== 'all' && opts.candidates !== 'auto' && !(Number.isInteger(k) && k >= 1)) {
        throw new UserError(`--candidates must be all, auto or an integer ≥ 1, got '${opts.candidates}'`);
      }
      const candidates: number | 'all' | 'auto' = opts.candidates === 'all' || opts.candidates === 'auto' ? opts.candidates : k;
      const blm = { blockRows, blockCols, negate: !!opts.negate, routing: opts.routing as 'strict' | 'serial', candidates };
      const runs: Array<[string, StrategyName, SwitchOptions]> = [
        ['full', 'full', {}], ['diff', 'diff', {}],
        ['blm layer', 'blm', { blm: { ...blm, mode: 'layer' } }], ['blm global', 'blm', { blm: { ...blm, mode: 'global' } }],
      ];
      const out: Array<Record<string, unknown>> = [];
      for (const [name, strategy, o] of runs) {
        // every run starts from the same state: a fresh pool (same seed) holding A in place, as a scenario starts
        pool.initialize(cfg.programming.initialState);
        let s;
        try {
          const a = switchModel(pool, qmA, 'diff', { mapping });
          s = switchModel(pool, qmB, strategy, { ...o, mapping, resident: a.placement });
        } catch (e) { throw new UserError((e as Error).message); }
        out.push({
          strategy: name, cycles: s.totals.cycles, energyJ: s.totals.energyJ, cellsTouched: s.totals.cellsTouched, failures: s.totals.failures,
          matchMs: s.matchMs, expectedCycles: s.blm?.expectedCost, inPlaceExpectedCycles: s.blm?.inPlaceCost, usedInPlace: s.blm?.usedInPlace,
          blocks: s.blm?.blocks, slots: s.blm?.slots, negatedBlocks: s.blm?.negatedBlocks, pinnedTiles: s.blm?.pinnedTiles, serialSteps: s.blm?.serialSteps,
        });
      }
      if (opts.json) { console.log(JSON.stringify({ modelA: opts.modelA, modelB: opts.modelB, preset: opts.preset, crossbars: pool.numCrossbars, results: out })); return; }
      console.log(`A = ${mA.name} (${pA.crossbars} crossbars), B = ${mB.name} (${pB.crossbars} crossbars); pool ${pool.numCrossbars} crossbars, preset ${opts.preset}, seed ${seed}`);
      const full = out[0]!.cycles as number;
      for (const r of out) {
        const c = r.cycles as number;
        const extraInfo = r.matchMs ? `  matching ${(r.matchMs as number).toFixed(1)} ms, expected ${Math.round(r.expectedCycles as number).toLocaleString('en-US')}` +
          `${r.usedInPlace ? ' (in place)' : ''}${(r.pinnedTiles as number[]).length ? ` (${(r.pinnedTiles as number[]).length} tiles pinned)` : ''}` +
          `${r.serialSteps ? ` (+${r.serialSteps as number} MVM steps)` : ''}` : '';
        console.log(`  ${String(r.strategy).padEnd(11)} ${c.toLocaleString('en-US').padStart(12)} cycles  ${(c / full).toFixed(3)} × full  ${((r.energyJ as number) * 1e6).toFixed(1)} µJ${extraInfo}`);
      }
    });
}
