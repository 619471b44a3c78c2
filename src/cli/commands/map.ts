import type { Command } from 'commander';
import { ConfigError, presetNames, resolveHardware } from '../../hardware/index.js';
import { loadModelFrom } from '../../mapping/load-node.js';
import { mapModel } from '../../mapping/map.js';
import { PlacementError, type Placement } from '../../mapping/placement.js';
import { crossbarLayers, ModelImportError, type ImportedModel } from '../../mapping/types.js';
import type { XammPlacement } from '../../mapping/xamm.js';
import { UserError } from '../errors.js';

interface MapOpts { model?: string; preset: string; xamm?: boolean; json?: boolean }

export function registerMap(program: Command): void {
  program
    .command('map')
    .description('map a model (ONNX or TF.js) onto crossbars (baseline: one tile per crossbar; --xamm: pack partly-empty tiles) and print layers, tiles, crossbars, utilization')
    .requiredOption('--model <path>', 'model: an .onnx file, a TF.js model.json (or a directory holding either) or an http(s) URL')
    .option('--preset <name>', `hardware preset (${presetNames().join(', ')})`, 'default')
    .option('--xamm', 'pack with XAMM instead of the baseline mapping')
    .option('--json', 'print the placement and summary as JSON')
    .action(async (opts: MapOpts) => {
      let cfg;
      try {
        cfg = resolveHardware({}, opts.preset);
      } catch (e) {
        if (e instanceof ConfigError) throw new UserError(e.message);
        throw e;
      }
      let model: ImportedModel;
      let placement: Placement | XammPlacement;
      try {
        const src = opts.model!;
        model = await loadModelFrom(src);
        placement = mapModel(model, cfg, { xamm: !!opts.xamm });
      } catch (e) {
        if (e instanceof ModelImportError || e instanceof PlacementError) throw new UserError(e.message);
        throw e;
      }
      const layers = crossbarLayers(model);
      const x = 'baselineCrossbars' in placement ? placement : undefined;
      if (opts.json) {
        console.log(JSON.stringify({
          model: model.name, source: opts.model, preset: opts.preset, scheme: placement.scheme,
          inputShape: model.inputShape, geometry: placement.geometry,
          layers: placement.perLayer.map((s) => ({
            ...s, kind: layers[s.layer].kind, activation: layers[s.layer].activation,
            ...(layers[s.layer].conv ? { conv: layers[s.layer].conv } : {}), folded: layers[s.layer].folded,
          })),
          hostOps: model.ops.filter((o) => o.kind !== 'dense' && o.kind !== 'conv2d').map((o) => ({ name: o.name, kind: o.kind })),
          tiles: placement.blocks.length, crossbars: placement.crossbars, utilization: placement.utilization,
          usedCells: placement.usedCells, sharing: placement.sharing,
          ...(x ? { baselineCrossbars: x.baselineCrossbars, lowerBound: x.lowerBound, fellBack: x.fellBack } : {}),
          blocks: placement.blocks,
        }, null, 2));
        return;
      }
      const g = placement.geometry;
      console.log(`model         ${model.name} (${opts.model}), input [${model.inputShape.join(', ')}]`);
      console.log(`crossbar      ${g.crossbarRows} × ${g.crossbarCols} cells = ${g.tileRows} × ${g.tileCols} weights of ${g.cellsPerWeight} cells (preset ${opts.preset})`);
      console.log('');
      console.log(`${'#'.padStart(3)}  ${'layer'.padEnd(28)} ${'kind'.padEnd(7)} ${'K × N'.padStart(13)}  ${'tiles'.padStart(5)}  ${'xbars'.padStart(5)}`);
      for (const s of placement.perLayer) {
        const op = layers[s.layer];
        const kind = op.kind === 'conv2d' ? `conv${op.conv!.kh}x${op.conv!.kw}` : 'dense';
        console.log(`${String(s.layer).padStart(3)}  ${s.name.slice(0, 28).padEnd(28)} ${kind.padEnd(7)} ${`${s.rows} × ${s.cols}`.padStart(13)}  ${String(s.blocks).padStart(5)}  ${String(s.crossbars).padStart(5)}`);
      }
      console.log('');
      console.log(`mapping       ${placement.scheme}${x?.fellBack ? ' (no crossbar to save: baseline kept)' : ''}`);
      console.log(`tiles         ${placement.blocks.length}`);
      console.log(`crossbars     ${placement.crossbars}${x ? ` (baseline ${x.baselineCrossbars}, saved ${x.baselineCrossbars - placement.crossbars}, lower bound ${x.lowerBound})` : ''}`);
      console.log(`utilization   ${(100 * placement.utilization).toFixed(2)} % of the cells of the crossbars used`);
      const sh = placement.sharing;
      console.log(`sharing       ${sh.sharedCrossbars} shared crossbars, ${sh.extraMvmSteps} extra MVM steps, at most ${sh.maxLayersPerCrossbar} layers per crossbar`);
    });
}
