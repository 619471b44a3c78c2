// Node ↔ browser equality: the seeded fingerprint scenario (web/shared/fingerprint.ts) returns byte-identical
// JSON in Node and in headless Chromium (run in a Web Worker, like the page's simulation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fingerprintSteps, runFingerprint, type FingerprintSummary } from '../../web/shared/fingerprint.js';
import { bundleForBrowser } from '../../web/tools/build.js';
import { browserGate, launchChromium, runInWorker } from '../../web/tools/chromium.js';
import { lazy, reportSkip, note } from './gate.js';
import { WASM_SHA256 } from '../../src/wasm/binary.generated.js';

const SEED = 20261126;
let nodeJson: string | null = null; // the Node result, computed once and compared with Chromium's
const nodeFingerprint = async (): Promise<string> => (nodeJson ??= JSON.stringify(await runFingerprint(SEED)));

test('Node: the fingerprint repeats for a seed, changes with the seed, and every twin agrees', async () => {
  const a = JSON.parse(await nodeFingerprint()) as FingerprintSummary, b = await runFingerprint(SEED);
  assert.is(JSON.stringify(a), JSON.stringify(b));
  const cheap = fingerprintSteps.filter((s) => s.name !== 'program-switch-infer');
  assert.is.not((await runFingerprint(SEED, cheap)).digest, (await runFingerprint(1, cheap)).digest);
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
  test.skip('Chromium returns a byte-identical fingerprint', () => {});
} else {
  const chromium = lazy(launchChromium);
  test.after(async () => { await chromium.peek()?.close(); });

  test('Chromium returns a byte-identical fingerprint', async () => {
    for (const seed of [SEED]) {
      const node = await nodeFingerprint();
      const src = [
        `import { post, fail, finish } from './web/harness/worker-runtime.ts';`,
        `import { runFingerprint } from './web/shared/fingerprint.ts';`,
        `try { post(JSON.stringify(await runFingerprint(${seed}))); } catch (e) { fail(e); }`,
        `finish();`,
      ].join('\n');
      const run = await runInWorker(await chromium.get(), (await bundleForBrowser({ source: src, sourcemap: false })).code, { timeoutMs: 60_000 });
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
