// Makes docs/screenshot.png (the README's picture of the page) and web/README.md's figures from the current build,
// so neither can drift from what the page computes (Node-only; needs Chromium):
//   node --import tsx web/tools/screenshot.ts
// Builds the page, opens it in headless Chromium at 1280 px, compares the four strategies on the bundled pair
// (default preset, seed 1, baseline mapping: the page's initial state), screenshots the page and writes the
// comparison table between the figures markers of web/README.md. The page test checks that block against its own
// run, so a change that moves the numbers fails until this script is run again.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSite, repoRoot } from './build.js';
import { serveStatic } from './server.js';
import { isolatedPage, launchChromium } from './chromium.js';
import { clickAction, comparisonMarkdown, figuresBlock, figuresSetup, FIGURES_END, FIGURES_START, readComparison } from './page-driver.js';

async function main(): Promise<void> {
  const out = join(tmpdir(), `ha3m-screenshot-${process.pid}`);
  await buildSite(out);
  const server = await serveStatic({ root: out });
  const browser = await launchChromium();
  try {
    const iso = await isolatedPage(browser, server.url, { width: 1280, height: 900 });
    const { page } = iso;
    await page.goto(server.url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    await figuresSetup(page);
    const t0 = performance.now();
    const r = await clickAction(page, 'compare', 600_000);
    if (r.state !== 'done') throw new Error(`comparing the strategies failed: ${r.status}`);
    console.log(`compared the four strategies in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
    if (iso.pageErrors.length || iso.blocked.length) throw new Error(`page errors: ${[...iso.pageErrors, ...iso.blocked].join('; ')}`);
    const shot = join(repoRoot, 'docs/screenshot.png');
    await page.screenshot({ path: `${shot}.tmp.png`, fullPage: true });
    renameSync(`${shot}.tmp.png`, shot);
    const table = comparisonMarkdown(await readComparison(page));
    const readmePath = join(repoRoot, 'web/README.md');
    const readme = readFileSync(readmePath, 'utf8');
    if (figuresBlock(readme) === null) throw new Error(`web/README.md has no figures markers (${FIGURES_START} … ${FIGURES_END})`);
    const a = readme.indexOf(FIGURES_START) + FIGURES_START.length, b = readme.indexOf(FIGURES_END);
    writeFileSync(`${readmePath}.tmp`, `${readme.slice(0, a)}\n${table}\n${readme.slice(b)}`);
    renameSync(`${readmePath}.tmp`, readmePath);
    console.log(`wrote docs/screenshot.png and the figures of web/README.md:\n${table}`);
    await iso.close();
  } finally {
    await browser.close();
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => { console.error(`error: ${(e as Error).message}`); process.exit(1); });
