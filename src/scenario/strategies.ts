// Where each strategy puts the incoming model (DESIGN §3.4). full and diff use the baseline (or XAMM) mapping in
// place at crossbars 0..; blm and ha3m match the incoming model's blocks onto the pool's present state.
import type { CrossbarPool } from '../hardware/pool.js';
import { mapModel } from '../mapping/map.js';
import { blmPlacement } from '../matching/blm.js';
import type { Placement } from '../mapping/placement.js';
import type { PreparedModel } from './run.js';
import type { ScenarioSpec, StrategyName } from './types.js';

export interface PlacementContext {
  spec: ScenarioSpec;
  pool: CrossbarPool;
  incoming: PreparedModel;
  resident: { name: string; placement: Placement } | null;
  models: Map<string, PreparedModel>;
}

export function placeForStrategy(strategy: StrategyName, ctx: PlacementContext): Placement {
  const cfg = ctx.spec.config;
  switch (strategy) {
    case 'full':
    case 'diff':
      return mapModel(ctx.incoming.spec.model, cfg, { xamm: ctx.spec.mapping === 'xamm' });
    case 'blm':
    case 'ha3m': {
      const o = ctx.spec.blm ?? {};
      return blmPlacement(ctx.incoming.qm, ctx.pool, {
        mode: o.mode ?? 'global', negate: o.negate ?? false, blockRows: o.blockRows, blockCols: o.blockCols,
        resident: ctx.resident?.placement,
      }).placement;
    }
  }
}
