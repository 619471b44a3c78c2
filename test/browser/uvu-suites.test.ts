// The pure uvu suites (kernels, encoding, write-verify, assignment), run again in headless Chromium: same files
// as in Node, bundled for the browser. A failure in the browser fails this Node test. Files that reach Node
// built-ins are skipped and listed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserGate, launchChromium } from '../../web/tools/chromium.js';
import { parseUvuTotals, pureTestFiles, runSuiteInBrowser, suiteEntrySource } from '../../web/tools/uvu-browser.js';
import { lazy, reportSkip, note } from './gate.js';

test('uvu totals parser reads passes, failures and skips (colored or not)', () => {
  assert.equal(parseUvuTotals('\n  Total:     5\u001b[32m\n  Passed:    5\u001b[39m\n  Skipped:   0\n  Duration:  3ms'),
    { total: 5, passed: 5, skipped: 0, failed: 0 });
  assert.equal(parseUvuTotals('Total:     7\n  Passed:    4\n  Skipped:   \u001b[33m1\u001b[39m'), { total: 7, passed: 4, skipped: 1, failed: 3 });
  assert.is(parseUvuTotals('• • ✘'), null);
});

test('the pure-area list finds the wasm suite and never the browser tests themselves', () => {
  const files = pureTestFiles();
  assert.ok(files.includes('test/wasm/rng.test.ts'), files.join(', '));
  assert.ok(files.every((f) => !f.startsWith('test/browser/')));
  assert.match(suiteEntrySource('test/wasm/rng.test.ts'), /uvu-prelude[\s\S]*rng\.test\.ts[\s\S]*exec\(\)/);
});

const gate = browserGate();
if (!gate.run) {
  reportSkip('uvu suites in Chromium', gate.reason);
  test.skip('pure uvu suites pass in Chromium', () => {});
} else {
  const chromium = lazy(launchChromium);
  test.after(async () => { await chromium.peek()?.close(); });

  const files = pureTestFiles();
  let ran = 0;
  for (const file of files) {
    test(`${file} passes in Chromium`, async () => {
      const r = await runSuiteInBrowser(await chromium.get(), file);
      if (r.skippedBecause) { note(`browser: skipped ${file}: ${r.skippedBecause}`); return; }
      ran++;
      const t = r.totals;
      note(`browser: ${file}: ${t ? `${t.passed}/${t.total} passed, ${t.skipped} skipped` : 'no totals'} (${(r.ms / 1000).toFixed(1)} s)`);
      const ok = r.errors.length === 0 && t && t.failed === 0 && t.total > 0;
      assert.ok(ok, `${file} in Chromium:\n${[...r.errors, r.output.trim()].join('\n')}`);
    });
  }
  test('at least one pure suite ran in the browser', () => {
    assert.ok(ran > 0, `none of ${files.length} pure suites ran in the browser (${files.join(', ')})`);
  });

  test('a failing assertion in the browser is reported as a failure', async () => {
    // A known-bad suite proves failures travel back (a runner that always says "pass" would not catch this).
    const { bundleForBrowser } = await import('../../web/tools/build.js');
    const { runInWorker } = await import('../../web/tools/chromium.js');
    const src = [
      `import './web/harness/uvu-prelude.ts';`,
      `import { test } from 'uvu'; import * as assert from 'uvu/assert';`,
      `test('ok', () => assert.is(1, 1)); test('bad', () => assert.is(1 + 1, 3)); test.run();`,
      `import { exec } from 'uvu'; import { finish } from './web/harness/worker-runtime.ts';`,
      `await exec(); finish();`,
    ].join('\n');
    const run = await runInWorker(await chromium.get(), (await bundleForBrowser({ source: src })).code);
    const out = run.logs.map((l) => l.text).join('');
    assert.equal(parseUvuTotals(out), { total: 2, passed: 1, skipped: 0, failed: 1 });
    assert.match(out, /bad/);
  });
}

test.run();
