// Browser side of the test harness: runs inside a module Web Worker that web/tools/chromium.ts starts. Relays
// console output and results to the page (which the Node side reads through Playwright) and signals completion.
// Importing this module installs the console relay at once, so modules evaluated after it (uvu captures
// console.log when it loads) write through the relay.
interface WorkerScope {
  postMessage(message: unknown): void;
  addEventListener(type: string, listener: (event: { reason?: unknown; message?: string }) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return `${v.name}: ${v.message}\n${v.stack ?? ''}`;
  try { return JSON.stringify(v); } catch { return String(v); }
}

for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => scope.postMessage({ type: 'log', level, text: args.map(show).join(' ') });
}

/** Sends one JSON-able result to the Node side. */
export function post(result: unknown): void {
  scope.postMessage({ type: 'result', result });
}

/** Reports a failure that is not a thrown test assertion (the Node side fails on any of these). */
export function fail(error: unknown): void {
  scope.postMessage({ type: 'error', text: show(error) });
}

/** Signals that the worker is done; nothing after this is read. */
export function finish(): void {
  scope.postMessage({ type: 'done' });
}

scope.addEventListener('unhandledrejection', (e) => { fail(e.reason); finish(); });
