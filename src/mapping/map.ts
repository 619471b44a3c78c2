// One call from a model (or its layer matrices) and a hardware config to a validated placement.
import type { HardwareConfig } from '../hardware/config.js';
import { baselinePlacement, checkPlacement, layerMatrices, mappingGeometry, PlacementError, type LayerMatrix, type Placement } from './placement.js';
import type { ImportedModel } from './types.js';
import { xammPlacement, type XammPlacement } from './xamm.js';

export interface MapOptions { /** Pack with XAMM instead of the baseline (default false). */ xamm?: boolean }

/**
 * Maps a model's crossbar layers (baseline or XAMM) and checks the result. If the config fixes the pool size
 * (crossbar.numCrossbars), a model that needs more crossbars is an error.
 */
export function mapModel(
  model: ImportedModel | LayerMatrix[], cfg: Pick<HardwareConfig, 'crossbar' | 'weights' | 'cells'>, opts: MapOptions = {},
): Placement | XammPlacement {
  const layers = Array.isArray(model) ? model : layerMatrices(model);
  const g = mappingGeometry(cfg);
  const p = opts.xamm ? xammPlacement(layers, g) : baselinePlacement(layers, g);
  checkPlacement(p);
  const pool = cfg.crossbar.numCrossbars;
  if (pool != null && p.crossbars > pool) {
    const name = Array.isArray(model) ? 'the model' : `model ${model.name}`;
    const hint = opts.xamm ? '' : 'map with XAMM (--xamm), ';
    throw new PlacementError(`${name} needs ${p.crossbars} crossbars (${p.scheme} mapping) but the pool has ${pool}; ${hint}use larger crossbars or a bigger pool (crossbar.numCrossbars)`);
  }
  return p;
}
