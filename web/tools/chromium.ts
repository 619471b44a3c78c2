// Headless Chromium for the browser tests and the bench (Node-only tooling). Uses the system Chromium (Debian's
// `chromium` package, /usr/bin/chromium, or HA3M_CHROMIUM) through playwright-core; never downloads a browser.
// Pages run against a local 127.0.0.1 server and every other request is aborted.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveStatic } from './server.js';

export const CHROMIUM_PATH = process.env.HA3M_CHROMIUM || '/usr/bin/chromium';

/** Launch flags. Playwright gives every launch a fresh temporary profile (it rejects --user-data-dir here). */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run', '--disable-extensions', '--disable-default-apps',
  '--disable-dev-shm-usage', // containers often have a tiny /dev/shm
];

export type BrowserGate = { run: true } | { run: false; reason: string };

/**
 * Whether browser tests run here. They skip only when Chromium is absent AND the CI variable is unset; in CI a
 * missing Chromium makes them run (and fail with a message saying how to install it).
 */
export function browserGate(): BrowserGate {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return { run: true };
  return { run: false, reason: `${CHROMIUM_PATH} not found (install it: apt-get install chromium, or set HA3M_CHROMIUM)` };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; browser tests must run in CI: apt-get install chromium ` +
      '(.ci/run does), or point HA3M_CHROMIUM at a Chromium binary');
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}

/** A page that may talk only to `allowedOrigin` (everything else is aborted and recorded). */
export async function isolatedPage(browser: Browser, allowedOrigin: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; blocked: string[]; pageErrors: string[]; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  const blocked: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(allowedOrigin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
  return { page, blocked, pageErrors, close: () => context.close() };
}

export interface WorkerRun {
  /** Results the worker posted with post(). */
  results: unknown[];
  /** Console output of the worker, in order. */
  logs: { level: string; text: string }[];
  /** Failures outside assertions: worker errors, unhandled rejections, page errors, blocked requests, timeout. */
  errors: string[];
  ms: number;
}

const HARNESS_HTML = `<!doctype html><meta charset="utf-8"><title>ha3m worker harness</title>
<script type="module">
const h = window.__ha3m = { results: [], logs: [], errors: [], done: false };
const w = new Worker('./entry.js', { type: 'module' });
w.onmessage = (e) => {
  const m = e.data;
  if (m && m.type === 'log') h.logs.push({ level: m.level, text: m.text });
  else if (m && m.type === 'result') h.results.push(m.result);
  else if (m && m.type === 'error') h.errors.push(m.text);
  else if (m && m.type === 'done') h.done = true;
};
w.onerror = (e) => { h.errors.push('worker error: ' + e.message + ' (' + e.filename + ':' + e.lineno + ')'); h.done = true; };
w.onmessageerror = () => { h.errors.push('worker message could not be deserialized'); h.done = true; };
</script>`;

/** Runs a bundled ES module (see web/harness/worker-runtime.ts) in a module Worker of a fresh page. */
export async function runInWorker(browser: Browser, code: string, opts: { timeoutMs?: number } = {}): Promise<WorkerRun> {
  const t0 = performance.now();
  const server = await serveStatic({ files: { '/index.html': HARNESS_HTML, '/entry.js': code } });
  const iso = await isolatedPage(browser, server.url);
  try {
    await iso.page.goto(server.url);
    let timedOut = false;
    await iso.page.waitForFunction(() => (window as unknown as { __ha3m: { done: boolean } }).__ha3m.done, null,
      { timeout: opts.timeoutMs ?? 30_000, polling: 50 }).catch(() => { timedOut = true; });
    const h = await iso.page.evaluate(() => (window as unknown as { __ha3m: Omit<WorkerRun, 'ms'> }).__ha3m);
    const errors = [...h.errors, ...iso.pageErrors, ...iso.blocked.map((u) => `blocked a request to ${u}`)];
    if (timedOut) errors.push(`timed out after ${opts.timeoutMs ?? 30_000} ms without a done signal`);
    return { results: h.results, logs: h.logs, errors, ms: performance.now() - t0 };
  } finally {
    await iso.close();
    await server.close();
  }
}
