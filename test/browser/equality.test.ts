// Node ↔ browser equality: the seeded fingerprint scenario (web/shared/fingerprint.ts) returns byte-identical
// JSON in Node and in headless Chromium (run in a Web Worker, like the page's simulation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fingerprintSteps, runFingerprint } from '../../web/shared/fingerprint.js';
import { bundleForBrowser } from '../../web/tools/build.js';
import { browserGate, launchChromium, runInWorker } from '../../web/tools/chromium.js';
import { lazy, reportSkip, note } from './gate.js';
import { WASM_SHA256 } from '../../src/wasm/binary.generated.js';

const SEEDS = [20261126, 1];

test('Node: the fingerprint repeats for a seed, changes with the seed, and every twin agrees', async () => {
  const a = await runFingerprint(SEEDS[0]!), b = await runFingerprint(SEEDS[0]!), c = await runFingerprint(SEEDS[1]!);
  assert.is(JSON.stringify(a), JSON.stringify(b));
  assert.is.not(a.digest, c.digest);
  assert.is(a.wasmBytesSha256, WASM_SHA256);
  assert.equal(a.steps.map((s) => s.name), fingerprintSteps.map((s) => s.name));
  for (const s of a.steps) {
    for (const [k, v] of Object.entries(s.result)) {
      if (typeof v === 'boolean') assert.ok(v, `${s.name}.${k} is false`);
    }
  }
});

test('Node: a bad seed is rejected with a message naming it', async () => {
  let msg = '';
  try { await runFingerprint(1.5); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /seed must be a non-negative safe integer, got 1\.5/);
});

const gate = browserGate();
if (!gate.run) {
  reportSkip('Node ↔ Chromium equality', gate.reason);
  test.skip('Chromium returns byte-identical fingerprints', () => {});
} else {
  const chromium = lazy(launchChromium);
  test.after(async () => { await chromium.peek()?.close(); });

  test('Chromium returns byte-identical fingerprints', async () => {
    for (const seed of SEEDS) {
      const node = JSON.stringify(await runFingerprint(seed));
      const src = [
        `import { post, fail, finish } from './web/harness/worker-runtime.ts';`,
        `import { runFingerprint } from './web/shared/fingerprint.ts';`,
        `try { post(JSON.stringify(await runFingerprint(${seed}))); } catch (e) { fail(e); }`,
        `finish();`,
      ].join('\n');
      const run = await runInWorker(await chromium.get(), (await bundleForBrowser({ source: src })).code);
      assert.equal(run.errors, [], run.errors.join('\n'));
      assert.is(run.results.length, 1);
      const browserJson = run.results[0] as string;
      if (browserJson !== node) {
        const nb = JSON.parse(browserJson) as { steps: { name: string; result: unknown }[] };
        const nn = JSON.parse(node) as { steps: { name: string; result: unknown }[] };
        const diff = nn.steps.filter((s, i) => JSON.stringify(s) !== JSON.stringify(nb.steps[i])).map((s) => s.name);
        assert.unreachable(`seed ${seed}: Node and Chromium differ in steps ${diff.join(', ')}`);
      }
      note(`browser: fingerprint seed ${seed}: ${(JSON.parse(node) as { digest: string }).digest.slice(0, 16)}… identical in Node and Chromium (${fingerprintSteps.length} steps, ${(run.ms / 1000).toFixed(1)} s)`);
    }
  });
}

test.run();
