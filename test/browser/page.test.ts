// The static page in headless Chromium: builds it, serves it on 127.0.0.1, picks a preset and models, runs every
// kind of action in the simulation worker (MVM, model file import, mapping, programming, a switch),
// checks the results and the heatmap, and takes the README screenshot after the switch.
// The screenshot goes to build/screenshot.png on every run, and to docs/screenshot.png when that file does not
// exist yet or HA3M_UPDATE_SCREENSHOT=1 (so ordinary test runs leave the tracked file alone).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSite, repoRoot } from '../../web/tools/build.js';
import { serveStatic } from '../../web/tools/server.js';
import { browserGate, isolatedPage, launchChromium } from '../../web/tools/chromium.js';
import { lazy, reportSkip, note } from './gate.js';

/** A 300-40-10 Dense model saved as TF.js files (model.json + weights.bin). */
async function saveSmallModel(dir: string): Promise<void> {
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
}

const gate = browserGate();
if (!gate.run) {
  reportSkip('the web page in Chromium', gate.reason);
  test.skip('page: preset → MVM, model import, map, program, switch → accuracy, heatmap, screenshot', () => {});
} else {
  const out = join(tmpdir(), `ha3m-web-test-${process.pid}`);
  const site = lazy(async () => { await buildSite(out); return serveStatic({ root: out }); });
  const chromium = lazy(launchChromium);
  test.after(async () => {
    await chromium.peek()?.close();
    await site.peek()?.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('page: preset → MVM, model import, map, program, switch → accuracy, heatmap, screenshot', async () => {
    const server = await site.get();
    const iso = await isolatedPage(await chromium.get(), server.url, { width: 1280, height: 860 });
    const { page } = iso;
    try {
      await page.goto(server.url);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
      const presets = await page.$$eval('#preset option', (os) => os.map((o) => (o as HTMLOptionElement).value));
      assert.ok(presets.includes('default') && presets.includes('neurram'), presets.join(','));
      await page.selectOption('#preset', 'neurram');
      await page.waitForFunction(() => document.getElementById('config')!.textContent!.includes('neurram'), null, { timeout: 10_000 });
      const runAction = async (id: string): Promise<string> => {
        await page.click(`#action-${id}`);
        await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
        const status = await page.textContent('#status');
        assert.is(await page.getAttribute('body', 'data-state'), 'done', `${id}: status ${status}`);
        return (await page.textContent('#results')) ?? '';
      };
      await page.selectOption('#model', 'mlp-small-a');
      assert.match(await runAction('mvm'), /ideal = integer matmulyes, exactly/);
      // A user's TF.js model dropped in: it joins the model list and maps.
      const modelDir = join(out, 'user-model');
      await saveSmallModel(modelDir);
      // Dropped on the page, as a user would (DataTransfer with the two files).
      const payload = ['model.json', 'weights.bin'].map((name) => ({ name, b64: readFileSync(join(modelDir, name)).toString('base64') }));
      const dt = await page.evaluateHandle((files) => {
        const d = new DataTransfer();
        for (const f of files) d.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
        return d;
      }, payload);
      await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 60_000 });
      assert.is(await page.getAttribute('body', 'data-state'), 'done', `import: ${await page.textContent('#status')}`);
      assert.match((await page.textContent('#results')) ?? '', /300 × 40 weights/);
      assert.match(await runAction('map-baseline'), /crossbars10(?!\d)/); // 300×40, 40×10 on 128×16-weight crossbars: 3·3 + 1
      await page.selectOption('#model', 'lenet5');
      const results = await runAction('map-xamm');
      assert.match(results, /schemeXAMM/);
      assert.match(results, /crossbars\d+ \(baseline \d+, lower bound \d+\)/);
      // A seeded pair: program A (ideal crossbar output = the quantized model, bit for bit).
      await page.selectOption('#model', 'mlp-small-a');
      assert.is(await page.inputValue('#model-b'), 'mlp-small-b');
      const programmed = await runAction('program');
      assert.match(programmed, /ideal crossbar output = quantized modelyes, bit for bit/);
      assert.match(programmed, /program: cycles[\d,]+ \(/);
      assert.match(programmed, /model A top-1 agreement with floatideal [\d.]+ %, analog [\d.]+ %/);
      // The bundled pre-trained MMR pair (MNIST digits → permuted digits, 75 % of blocks tied): switch with BLM
      // (= HA3M), real test accuracy, and far fewer cycles than the other strategies.
      await page.selectOption('#model', 'demo:mmr-a');
      assert.is(await page.inputValue('#model-b'), 'demo:mmr-b');
      const switched = await runAction('switch-blm');
      assert.match(switched, /strategyBLM: /);
      const cycles = /switch: cycles([\d,]+) \(/.exec(switched);
      const others = /other strategies \(cycles\)Full reprogram ([\d,]+) · In place \(diff\) ([\d,]+) · BLM \(layer\) ([\d,]+)/.exec(switched);
      assert.ok(cycles && others, switched.slice(0, 600));
      const num = (t: string): number => Number(t.replace(/,/g, ''));
      assert.ok(num(cycles[1]) < 0.6 * num(others[2]), `BLM on the MMR pair: ${cycles[1]} cycles vs diff ${others[2]}`);
      const acc = /model B \(after the switch\) accuracyfloat ([\d.]+) %, crossbar ideal ([\d.]+) %, analog ([\d.]+) %/.exec(switched);
      assert.ok(acc, switched.slice(0, 400));
      assert.ok(Number(acc[1]) > 85 && Number(acc[2]) > 85 && Number(acc[3]) > 60, `accuracies ${acc.slice(1).join(', ')}`);
      assert.match((await page.textContent('#heatmap-title')) ?? '', /reprogrammed cells/);
      // The heatmap really shows data: many distinct colours in the cell area.
      const colours = await page.evaluate(() => {
        const c = document.getElementById('heatmap') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, Math.max(1, c.height - 30)).data;
        const seen = new Set<number>();
        for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
        return seen.size;
      });
      assert.ok(colours > 20, `heatmap has only ${colours} colours`);
      assert.equal(iso.pageErrors, []);
      assert.equal(iso.blocked, [], 'the page must not reach outside 127.0.0.1');
      mkdirSync(join(repoRoot, 'build'), { recursive: true });
      const shot = join(repoRoot, 'build/screenshot.png');
      await page.screenshot({ path: `${shot}.tmp.png`, fullPage: true });
      renameSync(`${shot}.tmp.png`, shot);
      assert.equal([...readFileSync(shot).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      const docShot = join(repoRoot, 'docs/screenshot.png');
      if (!existsSync(docShot) || process.env.HA3M_UPDATE_SCREENSHOT === '1') {
        mkdirSync(join(repoRoot, 'docs'), { recursive: true });
        copyFileSync(shot, docShot);
        note(`browser: screenshot written to docs/screenshot.png`);
      }
    } finally {
      await iso.close();
    }
  });
}

test.run();
