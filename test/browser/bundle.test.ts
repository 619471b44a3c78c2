// The library bundles for browsers: same source, same embedded wasm bytes, no Node built-in on the library path.
// (No Chromium needed.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bundleForBrowser } from '../../web/tools/build.js';
import { WASM_BASE64 } from '../../src/wasm/binary.generated.js';

test('src/index.ts bundles for platform=browser with no node: (or bare built-in) imports', async () => {
  const b = await bundleForBrowser({ entry: 'src/index.ts', sourcemap: false });
  assert.equal(b.nodeImports, [], `Node built-ins on the library path: ${JSON.stringify(b.nodeImports)}`);
  assert.ok(b.inputs.includes('src/wasm/runtime.ts'));
  assert.ok(b.code.includes(WASM_BASE64), 'the bundle must embed the same wasm bytes as Node loads');
  assert.not.match(b.code, /\brequire\(["']node:/);
});

test('the import guard catches Node built-ins, direct or transitive, and names the importer', async () => {
  const b = await bundleForBrowser({ source: `import { readFileSync } from 'node:fs'; import * as p from 'path'; console.log(readFileSync, p);`, sourcemap: false });
  assert.equal(b.nodeImports.map((n) => n.specifier).sort(), ['node:fs', 'path']);
  const t = await bundleForBrowser({ entry: 'web/tools/server.ts', sourcemap: false });
  assert.ok(t.nodeImports.some((n) => n.specifier === 'node:http' && n.importer === 'web/tools/server.ts'));
});

test('the page sources (web/app) and the fingerprint scenario are browser-pure', async () => {
  for (const entry of ['web/app/main.ts', 'web/app/worker.ts', 'web/shared/fingerprint.ts']) {
    const b = await bundleForBrowser({ entry, sourcemap: false });
    assert.equal(b.nodeImports, [], `${entry}: ${JSON.stringify(b.nodeImports)}`);
  }
});

test.run();
