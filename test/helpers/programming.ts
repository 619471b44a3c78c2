// Shared by the BLM and switch tests.
import * as assert from 'uvu/assert';
import type { CrossbarPool } from '../../src/hardware/pool.js';
import { programModel, placementTargets, type QuantizedModel } from '../../src/inference/index.js';
import { NO_TARGET } from '../../src/programming/program.js';

/**
 * Programs `placement` and checks that only cells not verified at their level were looked at: a cell verified at
 * its target level is skipped (costs nothing), so with no unverified cells (a device that never fails) the switch
 * costs 0 cycles. Returns the number of unverified targeted cells.
 */
export function programsOnlyUnverified(qm: QuantizedModel, placement: Parameters<typeof programModel>[1], pool: CrossbarPool, what = ''): number {
  const { targets } = placementTargets(qm, placement, pool);
  const lv = pool.levels().view, st = pool.status().view;
  let stale = 0;
  for (let i = 0; i < targets.length; i++) {
    if (targets[i] === NO_TARGET) continue;
    assert.is(lv[i], targets[i], `${what}: cell ${i} already holds its level`);
    if (st[i] !== 0) stale++;
  }
  const t = programModel(qm, placement, pool).report.totals;
  assert.is(t.cellsChecked, stale, what);
  if (stale === 0) assert.is(t.cycles, 0, what);
  return stale;
}
