// One call from a model (or its layer matrices) and a hardware config to a validated placement.
import type { HardwareConfig } from '../hardware/config.js';
import { baselinePlacement, checkPlacement, layerMatrices, mappingGeometry, type LayerMatrix, type Placement } from './placement.js';
import type { ImportedModel } from './types.js';
import { xammPlacement, type XammPlacement } from './xamm.js';

export interface MapOptions { /** Pack with XAMM instead of the baseline (default false). */ xamm?: boolean }

/** Maps a model's crossbar layers (baseline or XAMM) and checks the result. */
export function mapModel(
  model: ImportedModel | LayerMatrix[], cfg: Pick<HardwareConfig, 'crossbar' | 'weights' | 'cells'>, opts: MapOptions = {},
): Placement | XammPlacement {
  const layers = Array.isArray(model) ? model : layerMatrices(model);
  const g = mappingGeometry(cfg);
  const p = opts.xamm ? xammPlacement(layers, g) : baselinePlacement(layers, g);
  checkPlacement(p);
  return p;
}
