// The page in headless Chromium, walked as a user would: map → program → every strategy → the comparison table
// (and its downloads, heatmaps, and web/README.md's figures, which must be what this build computes); refused and
// failing actions that replace the previous result; a dropped model with and without its weights; the MVM rate;
// the narrow (390 px) layout. The README screenshot is made by web/tools/screenshot.ts, not here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildSite, repoRoot } from '../../web/tools/build.js';
import { serveStatic, type StaticServer } from '../../web/tools/server.js';
import { browserGate, isolatedPage, launchChromium } from '../../web/tools/chromium.js';
import {
  clickAction, comparisonMarkdown, dropFiles, figuresBlock, figuresSetup, readComparison, readMetrics, settle,
} from '../../web/tools/page-driver.js';
import { lazy, reportSkip } from './gate.js';

/** A 300-40-10 Dense model saved as TF.js files (model.json + weights.bin). */
async function saveSmallModel(dir: string): Promise<{ json: Uint8Array; bin: Uint8Array }> {
  const tf = await import('@tensorflow/tfjs');
  const { fileSaveHandler } = await import('../../src/mapping/load-node.js');
  // other suites in this process may have registered (but not initialized) the wasm backend: pin one that is ready
  await tf.setBackend('cpu');
  await tf.ready();
  const m = tf.sequential({
    name: 'dropped_mlp',
    layers: [tf.layers.dense({ inputShape: [300], units: 40, activation: 'relu' }), tf.layers.dense({ units: 10 })],
  });
  await m.save(fileSaveHandler(dir));
  m.dispose();
  return { json: readFileSync(join(dir, 'model.json')), bin: readFileSync(join(dir, 'weights.bin')) };
}

/** RFC 4180 CSV (quoted fields may hold commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const num = (t: string): number => Number(t.replace(/[,−]/g, (c) => (c === '−' ? '-' : '')));

const gate = browserGate();
if (!gate.run) {
  reportSkip('the web page in Chromium', gate.reason);
  test.skip('page tests', () => {});
} else {
  const out = join(tmpdir(), `ha3m-web-test-${process.pid}`);
  const site = lazy(async () => { await buildSite(out); return serveStatic({ root: out }); });
  const chromium = lazy(launchChromium);
  test.after(async () => {
    await chromium.peek()?.close();
    await site.peek()?.close();
    rmSync(out, { recursive: true, force: true });
  });

  /** A fresh page at the given size, ready; fails the test on page errors and on requests leaving 127.0.0.1. */
  async function withPage(viewport: { width: number; height: number }, fn: (page: Page, server: StaticServer, browser: Browser) => Promise<void>): Promise<void> {
    const server = await site.get(), browser = await chromium.get();
    const iso = await isolatedPage(browser, server.url, viewport);
    try {
      await iso.page.goto(server.url);
      await iso.page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
      await fn(iso.page, server, browser);
      assert.equal(iso.pageErrors, []);
      assert.equal(iso.blocked, [], 'the page must not reach outside 127.0.0.1');
    } finally {
      await iso.close();
    }
  }

  const expectDone = async (page: Page, id: string): Promise<Map<string, string>> => {
    const r = await clickAction(page, id);
    assert.is(r.state, 'done', `${id}: ${r.status}`);
    return readMetrics(page);
  };

  test('workflow: map → program → every strategy → comparison table with CSV/JSON, every crossbar\'s heatmap; web/README.md figures = this build', async () => {
    await withPage({ width: 1280, height: 900 }, async (page) => {
      await figuresSetup(page);
      // ① map: a categorical layer legend and one picture per crossbar of the placement
      const mapped = await expectDone(page, 'map');
      const crossbars = Number(mapped.get('crossbars'));
      assert.ok(crossbars > 0, JSON.stringify([...mapped]));
      assert.equal(await page.$$eval('.legend .swatch-item', (s) => s.map((x) => x.textContent)), ['fc1', 'fc2', 'empty']);
      assert.is(await page.$$eval('ul.summaries li', (l) => l.length), crossbars);
      const canvas = page.locator('#crossbars canvas').first();
      assert.match((await canvas.getAttribute('aria-label')) ?? '', /^crossbar 0: fc1 [\d,]+ cells/);
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + 1, box.y + 1);
      assert.is(await page.textContent('#map-readout'), 'crossbar 0, rows 0–1, columns 0–1: fc1 — the layer most of these 2×2 cells hold');
      // header of every result: models, preset, seed, mapping
      const header = await readMetrics(page, '#result-header');
      assert.match(header.get('model')!, /MNIST digits \(task A\)/);
      assert.match(header.get('hardware')!, /^preset default \(as is\)/);
      assert.is(header.get('seed · mapping'), '1 · baseline');
      // ② program: ideal crossbar output is the quantized model, bit for bit
      const programmed = await expectDone(page, 'program');
      assert.is(programmed.get('ideal crossbar output = quantized model'), 'yes, bit for bit');
      assert.match(programmed.get('program: pulses per pulsed cell')!, /^median \d+, p90 \d+, max \d+ over the [\d,]+ cells pulsed$/);
      assert.not.ok(await page.isVisible('#comparison'), 'no comparison table after a program');
      // ③ every strategy, one click each: the table fills in, in strategy order
      for (const s of ['ha3m', 'full', 'blm', 'diff']) {
        const r = await expectDone(page, `switch-${s}`);
        assert.ok(r.has('switch: cycles'), s);
      }
      const table = await readComparison(page);
      assert.equal(table.rows.map((r) => r[0]), ['Full reprogram', 'In place (diff)', 'BLM', 'HA3M']);
      const cycles = new Map(table.rows.map((r) => [r[0], num(r[1]!)]));
      assert.ok(cycles.get('HA3M')! < 0.6 * cycles.get('In place (diff)')!, `HA3M ${cycles.get('HA3M')} vs diff ${cycles.get('In place (diff)')}`);
      assert.ok(cycles.get('In place (diff)')! < cycles.get('Full reprogram')!, 'diff programs fewer cells than a full reprogram');
      for (const r of table.rows) {
        const [ideal, analog] = r[7]!.split(' / ').map(Number);
        assert.ok(ideal! > 85 && analog! > 80, `${r[0]}: B accuracy ${r[7]}`);
      }
      // downloads carry the same numbers and the context
      const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      const csv = parseCsv(readFileSync((await csvDl.path())!, 'utf8'));
      const col = (name: string): number => csv[0]!.indexOf(name);
      assert.is(csv.length, 5);
      assert.ok(csv.every((r) => r.length === csv[0]!.length), 'every CSV row has every column');
      assert.equal(csv.slice(1).map((r) => Number(r[col('cycles')])), table.rows.map((r) => num(r[1]!)));
      assert.equal(csv.slice(1).map((r) => [r[col('preset')], r[col('seed')], r[col('mapping')]]), Array(4).fill(['default', '1', 'baseline']));
      const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.click('#download-json')]);
      const json = JSON.parse(readFileSync((await jsonDl.path())!, 'utf8')) as { header: { seed: number; preset: string; mapping: string; models: string[] }; config: { crossbar: { rows: number } }; rows: { strategy: string; cycles: number }[] };
      assert.equal([json.header.seed, json.header.preset, json.header.mapping, json.header.models.length], [1, 'default', 'baseline', 2]);
      assert.is(json.config.crossbar.rows, 128);
      assert.equal(json.rows.map((r) => r.cycles), table.rows.map((r) => num(r[1]!)));
      // heatmaps: one set per strategy run, every crossbar of the pool, paged
      const pool = num(/pool (\d+) crossbars/.exec((await readMetrics(page, '#result-header')).get('hardware')!)![1]!);
      assert.is(await page.$$eval('ul.summaries li', (l) => l.length), pool);
      assert.match((await page.textContent('#maps-range')) ?? '', new RegExp(`of ${pool}\\), page 1 of ${Math.ceil(pool / 24)}$`));
      await page.click('#maps-next');
      assert.is(await page.$$eval('#crossbars canvas', (c) => c.length), pool - 24);
      // web/README.md's figures are this build's (same setup: demo pair, default preset, seed 1, baseline)
      const readme = readFileSync(join(repoRoot, 'web/README.md'), 'utf8');
      assert.fixture(figuresBlock(readme) ?? '(no figures block)', comparisonMarkdown(table),
        'web/README.md\'s figures differ from what this build computes: run `node --import tsx web/tools/screenshot.ts`');
    });
  });

  test('refused and failing actions replace the previous result: bad seed, bad config fields, a model without its weights, a truncated model.json', async () => {
    const dir = join(out, 'user-model');
    const files = await saveSmallModel(dir);
    await withPage({ width: 1280, height: 900 }, async (page) => {
      await page.selectOption('#model', 'mlp-small-a');
      /** A good result first, then the bad input, then the action: its error must replace the result. */
      const replaced = async (id: string, message: RegExp, badInput: () => Promise<void>): Promise<void> => {
        await expectDone(page, 'map');
        assert.ok(await page.isVisible('#maps canvas'));
        await badInput();
        const r = await clickAction(page, id);
        assert.is(r.state, 'error', `${id} should fail: ${r.status}`);
        assert.match((await page.textContent('#result-error')) ?? '', message);
        assert.ok(await page.isVisible('#result-error'));
        assert.is(await page.$$eval('#results dt', (d) => d.length), 0, 'the previous metrics are gone');
        assert.not.ok(await page.isVisible('#maps'), 'the previous heatmaps are gone');
        assert.not.ok(await page.isVisible('#comparison'), 'no comparison table');
        assert.not.ok(await page.isVisible('#result-header'), 'no header of the previous result');
        assert.is(await page.$eval('#progress', (p) => (p as HTMLProgressElement).position), 0, 'the progress bar stops (not indeterminate, at 0)');
      };
      await replaced('program', /seed must be a whole number from 0 to \d+ \(got "-3.7"\)/, () => page.fill('#seed', '-3.7'));
      assert.is(await page.getAttribute('#seed', 'aria-invalid'), '');
      assert.match((await page.textContent('#seed-error')) ?? '', /seed must be a whole number/);
      await page.fill('#seed', '1');
      // config fields are checked by the CLI's schema, each problem next to its field
      await replaced('program', /crossbar\.rows: must be a number/, () => page.fill('#cfg-crossbar-rows', 'abc'));
      assert.match((await page.textContent('#cfg-crossbar-rows-error')) ?? '', /must be a number/);
      assert.is(await page.getAttribute('#cfg-crossbar-rows', 'aria-invalid'), 'true');
      await page.fill('#cfg-crossbar-rows', '128');
      await replaced('map', /cells\.cellBits: must be an integer in \[1, 4\]/, async () => {
        await page.fill('#cfg-cells-cellBits', '5');
        await page.fill('#cfg-device-faults-stuckHrsRate', '1.5');
      });
      assert.match((await page.textContent('#cfg-cells-cellBits-error')) ?? '', /integer in \[1, 4\]/);
      assert.match((await page.textContent('#cfg-device-faults-stuckHrsRate-error')) ?? '', /must be in \[0, 1\]/);
      assert.is(await page.textContent('#cfg-crossbar-rows-error'), '');
      await page.fill('#cfg-cells-cellBits', '2');
      await page.fill('#cfg-device-faults-stuckHrsRate', '0.001');
      // a worker-side failure (this model has layer shapes only)
      await replaced('program', /has layer shapes only: it can be mapped but not programmed/, () => page.selectOption('#model', 'lenet5').then(() => undefined));
      // dropped model files: the weights missing, a truncated model.json
      const dropped = async (list: { name: string; bytes: Uint8Array }[], message: RegExp): Promise<void> => {
        await dropFiles(page, list);
        assert.is(await settle(page), 'error', 'the drop should be refused');
        assert.match((await page.textContent('#result-error')) ?? '', message);
        assert.not.ok(await page.isVisible('#maps'));
      };
      await dropFiles(page, [{ name: 'model.json', bytes: files.json }]);
      assert.is(await settle(page), 'error', 'a model.json without its weights must be refused');
      assert.match((await page.textContent('#result-error')) ?? '', /model\.json needs the weight file "weights\.bin", which was not dropped with it/);
      await dropped([{ name: 'model.json', bytes: files.json.subarray(0, files.json.length >> 1) }, { name: 'weights.bin', bytes: files.bin }],
        /model\.json is not valid JSON \(.*\); the file is probably truncated/);
      await dropped([{ name: 'model.json', bytes: files.json }, { name: 'weights.bin', bytes: files.bin.subarray(0, 1000) }],
        /weights\.bin holds 1,000 bytes but model\.json describes [\d,]+ bytes of weights in it: the file is truncated/);
      // an ONNX model that keeps its weights in an external data file, dropped without it
      const fixtures = join(repoRoot, 'test/fixtures/onnx/external');
      await dropped([{ name: 'mlp.onnx', bytes: readFileSync(join(fixtures, 'mlp.onnx')) }],
        /mlp\.onnx keeps its weights in the external data file "mlp\.weights", which was not dropped with it/);
      const onnx = readFileSync(join(repoRoot, 'test/fixtures/onnx/mlp.onnx'));
      await dropped([{ name: 'mlp.onnx', bytes: onnx.subarray(0, onnx.length >> 1) }], /mlp\.onnx: not a readable ONNX protobuf .*the file is truncated/);
      await dropped([{ name: 'model.json', bytes: files.json }, { name: 'weights.bin', bytes: files.bin }, { name: 'mlp.onnx', bytes: readFileSync(join(fixtures, 'mlp.onnx')) }],
        /drop one model: a TF\.js model\.json together with its weight files \(\.bin\), or one \.onnx file/);
      assert.is(await page.$$eval('#model option', (o) => o.filter((x) => (x as HTMLOptionElement).value.startsWith('file:')).length), 0, 'no refused model joined the list');
    });
  });

  test('a dropped TF.js or ONNX model with its weights maps and programs; the MVM rate is MACs / time; controls are disabled during a run', async () => {
    const files = await saveSmallModel(join(out, 'user-model-2'));
    await withPage({ width: 1280, height: 900 }, async (page) => {
      await dropFiles(page, [{ name: 'model.json', bytes: files.json }, { name: 'weights.bin', bytes: files.bin }]);
      assert.is(await settle(page), 'done', (await page.textContent('#status')) ?? '');
      assert.match((await page.textContent('#results')) ?? '', /300 × 40 weights/);
      assert.match(await page.inputValue('#model'), /^file:/);
      assert.is((await expectDone(page, 'map')).get('crossbars'), '10'); // 300×40, 40×10 on 128×16-weight crossbars: 3·3 + 1
      assert.match((await expectDone(page, 'program')).get('model top-1 agreement with float')!, /^crossbar ideal [\d.]+ %, analog [\d.]+ %$/);
      // the MVM rate: batches × MACs per batch / time, as displayed (3 significant digits)
      const mvm = await expectDone(page, 'mvm');
      assert.is(mvm.get('ideal = integer matmul'), 'yes, exactly');
      const macs = num(mvm.get('MACs per MVM batch')!);
      assert.is(macs, 300 * 40 * 64);
      const units: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, m: 1e-3, 'µ': 1e-6 };
      for (const which of ['ideal MVM', 'analog MVM']) {
        const m = /^(\d+) batch(?:es)? in ([\d.]+) (m|µ|)s → ([\d.]+) (k|M|G|)MAC\/s$/.exec(mvm.get(which)!);
        assert.ok(m, `${which}: ${mvm.get(which)}`);
        const seconds = Number(m[2]) * units[m[3]!]!, rate = Number(m[4]) * units[m[5]!]!;
        const expected = (Number(m[1]) * macs) / seconds;
        assert.ok(Math.abs(rate - expected) / expected < 0.01, `${which}: shows ${rate} MAC/s, MACs / time = ${expected}`);
      }
      // while a run is busy, the controls are disabled and the page says so (recorded as the state changes)
      await page.evaluate(() => {
        const seen: string[] = (window as unknown as { seen: string[] }).seen = [];
        new MutationObserver(() => seen.push(`${document.body.dataset.state}:${(document.getElementById('controls-set') as HTMLFieldSetElement).disabled}:${document.body.getAttribute('aria-busy')}`))
          .observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
      });
      await page.selectOption('#model', 'mlp-small-a');
      await expectDone(page, 'program');
      assert.equal(await page.evaluate(() => (window as unknown as { seen: string[] }).seen), ['busy:true:true', 'done:false:false']);
      // an ONNX model (exported from PyTorch), with and without external data: it joins the list, maps and programs
      for (const list of [['mlp.onnx'], ['external/mlp.onnx', 'external/mlp.weights']]) {
        await dropFiles(page, list.map((f) => ({ name: f.split('/').pop()!, bytes: readFileSync(join(repoRoot, 'test/fixtures/onnx', f)) })));
        assert.is(await settle(page), 'done', (await page.textContent('#status')) ?? '');
        assert.match((await page.textContent('#result-header')) ?? '', /\(from mlp\.onnx\)/);
        assert.match((await page.textContent('#results')) ?? '', /64 × 12 weights.*12 × 4 weights/); // 8×8 → MatMul 12 → Gemm 4
        assert.is((await expectDone(page, 'map')).get('crossbars'), '2');
        assert.match((await expectDone(page, 'program')).get('ideal crossbar output = quantized model')!, /^yes, bit for bit$/);
      }
      // text alternatives and live regions
      assert.is(await page.getAttribute('#status', 'aria-live'), 'polite');
      assert.is(await page.getAttribute('#progress', 'aria-labelledby'), 'status');
      assert.ok((await page.$$eval('#crossbars canvas', (c) => c.every((x) => x.getAttribute('role') === 'img' && /^crossbar \d+: /.test(x.getAttribute('aria-label') ?? '')))));
    });
  });

  test('at 390×844: one column, no horizontal overflow (controls, results, comparison table, heatmaps); Compare all without merged models', async () => {
    await withPage({ width: 390, height: 844 }, async (page) => {
      const overflow = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.is(await overflow(), 0, 'before any action');
      await page.selectOption('#model', 'mlp-small-a');
      await expectDone(page, 'map');
      assert.is(await overflow(), 0, 'after a map (heatmaps)');
      await expectDone(page, 'switch-diff');
      const diff = (await readComparison(page)).rows[0]!;
      // Compare all on models without merged versions: the three others, and why HA3M did not run
      await expectDone(page, 'compare');
      const table = await readComparison(page);
      assert.equal(table.rows.map((r) => r[0]), ['Full reprogram', 'In place (diff)', 'BLM']);
      const without = (r: string[]): string[] => r.filter((_, i) => i !== 2); // "vs full" needs the full row
      assert.equal(without(table.rows[1]!), without(diff), 'a strategy alone and side by side start from the same pool: same figures');
      assert.match((await page.textContent('#comparison')) ?? '', /Not run — HA3M: HA3M switches MMR-retrained \(merged\) versions of A and B/);
      assert.is(await overflow(), 0, 'after switches (comparison table, heatmaps)');
      const controls = (await page.locator('#controls').boundingBox())!, results = (await page.locator('#results-panel').boundingBox())!;
      assert.ok(results.y >= controls.y + controls.height, 'results below the controls (one column)');
      assert.ok(results.width <= 390 && controls.width <= 390);
    });
  });
}

test.run();
