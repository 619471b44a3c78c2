import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';

const run = (args: string[]) => runCli(args);

test('program-stats --json prints the distribution, energy, latency and failure rate', async () => {
  const r = await run(['program-stats', '--scheme', 'fppv', '--cells', '4096', '--seed', '3', '--json']);
  const j = JSON.parse(r.out);
  for (const k of ['meanPulses', 'medianPulses', 'p90Pulses', 'p99Pulses', 'failureRate', 'energyJ', 'latencyS']) {
    assert.type(j[k], 'number', k);
  }
  assert.is(j.scheme, 'fppv');
  assert.is(j.cells, 4096);
  assert.ok(j.meanPulses > 1 && j.p90Pulses >= j.medianPulses && j.p99Pulses >= j.p90Pulses);
  assert.ok(j.energyJ > 0 && j.latencyS > 0);
  assert.equal(j.measured, { mean: 17, median: 8, p90: 34 });
  const again = JSON.parse((await run(['program-stats', '--scheme', 'fppv', '--cells', '4096', '--seed', '3', '--json'])).out);
  assert.is(again.meanPulses, j.meanPulses, 'same seed, same statistics');
});

test('program-stats text output, cell bits and bad input', async () => {
  const r = await run(['program-stats', '--cells', '2000', '--cell-bits', '3', '--preset', 'neurram']);
  assert.match(r.out, /pulses per cell\s+mean/);
  assert.match(r.out, /3 bits\/cell/);
  assert.is((await run(['program-stats', '--scheme', 'radar'])).code, 2);
  assert.match((await run(['program-stats', '--scheme', 'radar'])).err, /--scheme must be one of ispp, fppv, adaptive/);
  assert.match((await run(['program-stats', '--cells', '-5'])).err, /--cells must be an integer/);
  assert.match((await run(['program-stats', '--preset', 'nope'])).err, /unknown preset "nope"/);
});

test.run();
