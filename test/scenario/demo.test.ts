// The demo's pipeline end to end on a tiny configuration: train two small models, (merge), switch, report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initSync } from '../../src/wasm/index.js';
import { runDemo } from '../../src/scenario/demo.js';
import { mergeHook } from '../../src/cli/commands/demo.js';
import { writeOutputs } from '../../src/cli/commands/switch.js';
import { validateResults } from '../../src/report/schema.js';

initSync();

test('demo pipeline: trains, switches under every strategy, writes a valid report; full ≥ diff ≥ blm (≥ ha3m)', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ha3m-demo-'));
  try {
    const merge = mergeHook();
    const results = await runDemo({
      architecture: 'mlp', trainLimit: 600, epochs: 1, evalSamples: 40, calibSamples: 32, rounds: 1, out, mergeEpochs: 1,
      hardware: { crossbar: { rows: 256, cols: 256 } }, seed: 2,
    }, { merge });
    const s = results.strategies;
    assert.ok(s.full && s.diff && s.blm, 'full, diff and blm ran');
    assert.ok(s.full.cyclesPerSwitch >= s.diff.cyclesPerSwitch, `full ${s.full.cyclesPerSwitch} < diff ${s.diff.cyclesPerSwitch}`);
    assert.ok(s.diff.cyclesPerSwitch >= s.blm.cyclesPerSwitch, `diff ${s.diff.cyclesPerSwitch} < blm ${s.blm.cyclesPerSwitch}`);
    if (merge) {
      assert.ok(s.ha3m, 'ha3m ran');
      assert.ok(s.blm.cyclesPerSwitch >= s.ha3m!.cyclesPerSwitch, `blm ${s.blm.cyclesPerSwitch} < ha3m ${s.ha3m!.cyclesPerSwitch}`);
    }
    for (const st of Object.values(s)) {
      for (const sw of st.switches) assert.is(sw.accuracy[sw.to]!.ideal, sw.accuracy[sw.to]!.quantized, `${st.name}: ideal == quantized`);
    }
    writeOutputs(results, out);
    for (const f of ['results.json', 'summary.md', 'report.html']) assert.ok(existsSync(join(out, f)), f);
    validateResults(JSON.parse(JSON.stringify(results)));
    assert.ok(existsSync(join(out, 'models', 'A', 'model.json')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
