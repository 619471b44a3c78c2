// The page's switch is the CLI's: the worker's switching code (web/app/sim/switching.ts), run in Node, gives the
// same cycles, energy, latency, cells touched, failures and crossbars as `ha3m switch`'s scenario (runScenario) for
// the same models, config, seed, mapping and spare, switch 1 (A → B) of the sequence A, B, under every strategy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from '../../src/wasm/index.js';
import { runScenario, type ScenarioModel } from '../../src/scenario/index.js';
import { switchAction } from '../../web/app/sim/switching.js';
import { modelWithWeights, SAMPLES } from '../../web/app/sim/models.js';
import { resolveChoice } from '../../web/app/sim/hardware.js';
import type { HardwareChoice, Mapping } from '../../web/app/inputs.js';

const noProgress = (): void => {};

async function scenarioModel(name: string, id: string, seed: number): Promise<ScenarioModel> {
  const m = await modelWithWeights(id, seed);
  // accuracy is not compared here (the page scores on its own test sets); labels only need to be valid classes
  return { name, architecture: id, task: 'seeded inputs', model: m.model, calib: m.samples, calibN: SAMPLES, test: { images: m.samples, labels: new Int32Array(SAMPLES), n: SAMPLES } };
}

for (const [mapping, edits, seed] of [['baseline', {}, 3], ['xamm', { 'crossbar.rows': 64, 'crossbar.cols': 64, 'pool.spare': 0.5 }, 11]] as [Mapping, HardwareChoice['edits'], number][]) {
  test(`page switch = ha3m switch (${mapping}, edits ${JSON.stringify(edits)}, seed ${seed}): full, diff, blm`, async () => {
    await init();
    const hardware: HardwareChoice = { preset: 'default', edits };
    const page = await switchAction({ hardware, modelA: 'mlp-small-a', modelB: 'mlp-small-b', mapping, strategies: ['full', 'diff', 'blm'], seed }, noProgress);
    const hw = resolveChoice(hardware);
    const cli = runScenario({
      name: 'page vs cli', config: hw.cfg, models: [await scenarioModel('A', 'mlp-small-a', seed), await scenarioModel('B', 'mlp-small-b', seed)],
      sequence: ['A', 'B'], poolSpare: hw.spare, mapping, strategies: ['full', 'diff', 'blm'], seed, evalSamples: 8,
    }, { createdAt: 'fixed' });
    assert.is(page.header.poolCrossbars, cli.scenario.poolCrossbars);
    assert.equal(page.rows!.map((r) => r.strategy), ['full', 'diff', 'blm']);
    for (const row of page.rows!) {
      const sw = cli.strategies[row.strategy]!.switches[1]!;
      const fields = (r: { cycles: number; energyJ: number; latencyS: number; cellsTouched: number; cellsTargeted: number; failures: number }, x: number) =>
        [r.cycles, r.energyJ, r.latencyS, r.cellsTouched, r.cellsTargeted, r.failures, x];
      assert.equal(fields(row, row.crossbarsUsed), fields(sw, sw.crossbarsUsed), `${row.strategy}: page vs ha3m switch`);
      assert.ok(row.cycles > 0, `${row.strategy} programmed something`);
    }
  });
}

test('HA3M needs merged models: the page says which model has none and where merged ones come from', async () => {
  await init();
  try {
    await switchAction({ hardware: { preset: 'default', edits: {} }, modelA: 'mlp-small-a', modelB: 'mlp-small-b', mapping: 'baseline', strategies: ['ha3m'], seed: 1 }, noProgress);
    assert.unreachable('ha3m without merged models must be refused');
  } catch (e) {
    assert.match((e as Error).message, /HA3M switches MMR-retrained \(merged\) versions of A and B, and "MLP 196-64-10, weights A" has none; .*ha3m merge/);
  }
});

test('the worker\'s boundary refuses a bad seed, mapping and strategy with their names', async () => {
  await init();
  const base = { hardware: { preset: 'default', edits: {} }, modelA: 'mlp-small-a', modelB: 'mlp-small-b', mapping: 'baseline' as Mapping, strategies: ['diff'], seed: 1 };
  const refusal = async (p: unknown): Promise<string> => {
    try { await switchAction(p as typeof base, noProgress); } catch (e) { return (e as Error).message; }
    return 'accepted';
  };
  assert.match(await refusal({ ...base, seed: -3.7 }), /seed must be a whole number from 0/);
  assert.match(await refusal({ ...base, mapping: 'diagonal' }), /mapping must be "baseline" or "xamm", got "diagonal"/);
  assert.match(await refusal({ ...base, strategies: ['fastest'] }), /strategy must be one of full, diff, blm, ha3m, got fastest/);
  assert.match(await refusal({ ...base, strategies: [] }), /choose at least one strategy/);
});

test.run();
