// The switching strategies (DESIGN §3.4): the one table every caller switches through — the CLI (`switch`, `blm`,
// `program`), scenarios and sweeps, the page's worker and the benches — so that a strategy means the same thing
// everywhere. src/scenario/switch.ts carries a strategy out; this file only says what each one is.
//
// Adding a strategy: one entry here (and its name in the results schema's StrategyName, src/report/types.ts).
import type { StrategyName } from '../report/types.js';

export type { StrategyName };

export interface Strategy {
  name: StrategyName;
  /** Short label for buttons and tables. */
  label: string;
  /** One line, as results.json and the page describe the strategy. */
  description: string;
  /**
   * Where the incoming model goes: 'mapping' = its own mapping (baseline, or XAMM when asked) in place from crossbar
   * 0; 'blm' = block-based layer matching onto the slots the pool holds now.
   */
  placement: 'mapping' | 'blm';
  /** The incoming model's cells are first erased to HRS (level 0), then written: the conventional no-reuse switch. */
  erase: boolean;
  /** Switches to MMR-retrained (merged) models: the caller passes those; tied blocks are identical, hence free. */
  merged: boolean;
}

export const STRATEGIES: Readonly<Record<StrategyName, Strategy>> = {
  full: {
    name: 'full', label: 'Full reprogram', placement: 'mapping', erase: true, merged: false,
    description: 'conventional: erase the incoming model\'s cells to HRS, then write-verify every cell (no reuse)',
  },
  diff: {
    name: 'diff', label: 'In place (diff)', placement: 'mapping', erase: false, merged: false,
    description: 'baseline mapping in place: write-verify only the cells whose level differs',
  },
  blm: {
    name: 'blm', label: 'BLM', placement: 'blm', erase: false, merged: false,
    description: 'XAMM + block-based layer matching onto the cheapest programmed/free slots, no retraining',
  },
  ha3m: {
    name: 'ha3m', label: 'HA3M', placement: 'blm', erase: false, merged: true,
    description: 'XAMM + BLM + multi-model retraining: tied blocks are identical and never reprogrammed',
  },
};

export const STRATEGY_NAMES: readonly StrategyName[] = Object.keys(STRATEGIES) as StrategyName[];

export const STRATEGY_DESCRIPTIONS: Record<StrategyName, string> = Object.fromEntries(
  STRATEGY_NAMES.map((n) => [n, STRATEGIES[n].description]),
) as Record<StrategyName, string>;

/** The strategy of that name, or an error listing the strategies. */
export function strategyOf(name: string): Strategy {
  const s = (STRATEGIES as Record<string, Strategy | undefined>)[name];
  if (!s || !Object.hasOwn(STRATEGIES, name)) {
    throw new Error(`switch: strategy must be one of ${STRATEGY_NAMES.join(', ')}, got ${String(name)}`);
  }
  return s;
}
