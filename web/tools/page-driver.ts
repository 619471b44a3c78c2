// Drives the page in Chromium (Node-only tooling), for the browser tests and for the script that makes the README's
// screenshot and web/README.md's figures from the current build (web/tools/screenshot.ts). Both read the page as a
// user sees it: the state flag, the status line, the results, the comparison table.
import type { Page } from 'playwright-core';

/** Clicks an action button and waits until the page is done or has failed; returns the state and the status. */
export async function clickAction(page: Page, id: string, timeout = 120_000): Promise<{ state: string; status: string }> {
  await page.click(`#action-${id}`);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout });
  return { state: (await page.getAttribute('body', 'data-state')) ?? '', status: (await page.textContent('#status')) ?? '' };
}

/** The page's state after the last action: done or error. */
export async function settle(page: Page, timeout = 120_000): Promise<string> {
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout });
  return (await page.getAttribute('body', 'data-state')) ?? '';
}

/** The label → value pairs of a <dl> (results, result header, config). */
export async function readMetrics(page: Page, selector = '#results'): Promise<Map<string, string>> {
  const pairs = await page.$$eval(`${selector} dt`, (dts) => dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? ''] as [string, string]));
  return new Map(pairs);
}

/** The comparison table as shown: header cells and one list of cell texts per row. */
export async function readComparison(page: Page): Promise<{ head: string[]; rows: string[][] }> {
  return page.$eval('#comparison-table', (t) => ({
    head: Array.from(t.querySelectorAll('thead th')).map((c) => c.textContent ?? ''),
    rows: Array.from(t.querySelectorAll('tbody tr')).map((r) => Array.from(r.children).map((c) => c.textContent ?? '')),
  }));
}

/** The comparison table as a Markdown table (web/README.md's figures). */
export function comparisonMarkdown(t: { head: string[]; rows: string[][] }): string {
  const align = t.head.map((_, i) => (i === 0 ? ':---' : '---:'));
  return [t.head, align, ...t.rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export const FIGURES_START = '<!-- page-figures:start (written by web/tools/screenshot.ts) -->';
export const FIGURES_END = '<!-- page-figures:end -->';

/** The figures block of web/README.md, or null when the markers are missing. */
export function figuresBlock(readme: string): string | null {
  const a = readme.indexOf(FIGURES_START), b = readme.indexOf(FIGURES_END);
  return a < 0 || b < a ? null : readme.slice(a + FIGURES_START.length, b).trim();
}

/** The README's figures situation: the demo pair, default preset, seed 1, baseline mapping. */
export const FIGURES_SETUP = { modelA: 'demo:mlp-a', modelB: 'demo:mlp-b', preset: 'default', seed: '1', mapping: 'baseline' } as const;

/** Puts the page in the README's figures situation (it is the page's initial state; set anyway, to be sure). */
export async function figuresSetup(page: Page): Promise<void> {
  if (await page.inputValue('#preset') !== FIGURES_SETUP.preset) {
    await page.selectOption('#preset', FIGURES_SETUP.preset);
    if (await settle(page) !== 'done') throw new Error(`preset ${FIGURES_SETUP.preset}: ${await page.textContent('#status')}`);
  }
  await page.selectOption('#model', FIGURES_SETUP.modelA);
  await page.selectOption('#model-b', FIGURES_SETUP.modelB);
  await page.selectOption('#mapping', FIGURES_SETUP.mapping);
  await page.fill('#seed', FIGURES_SETUP.seed);
}

/** Drops files on the page as a user would (a DataTransfer on the drop event). */
export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer();
    for (const f of list) d.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    return d;
  }, payload);
  await page.dispatchEvent('main', 'drop', { dataTransfer: dt });
}
