// Runs uvu test files in headless Chromium (Node-only tooling): the very same test files as `npm test` runs in
// Node, bundled for the browser with a prelude that puts uvu in deferred mode, executed in a module Worker, with
// uvu's printed totals parsed back. Only files in the allow-listed "pure" areas run; a file that reaches a Node
// built-in (directly or through a helper) is skipped and reported with the import chain's end.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { bundleForBrowser, rel, repoRoot, type NodeImport } from './build.js';
import { runInWorker } from './chromium.js';

/**
 * Test areas whose code is platform-independent (kernels, encoding, write-verify, assignment). Matched against
 * the repository-relative path of each *.test.ts file; grows as areas land (a new pure area is one line here).
 */
export const PURE_TEST_AREAS: readonly RegExp[] = [
  /^test\/wasm\//,
  /^test\/reference\//,
  /^test\/hardware\/(encode|mvm|quantize|pool)[^/]*\.test\.ts$/,
  /^test\/programming\//,
  /^test\/matching\/(assignment|lap|cost)[^/]*\.test\.ts$/,
];

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(rel(p));
  }
  return out;
}

/** Repository-relative test files in the pure areas, sorted. */
export function pureTestFiles(areas: readonly RegExp[] = PURE_TEST_AREAS): string[] {
  return walk(join(repoRoot, 'test'), []).filter((f) => areas.some((a) => a.test(f))).sort();
}

export interface UvuTotals { total: number; passed: number; skipped: number; failed: number }

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Parses uvu's closing summary ("Total: N / Passed: M / Skipped: K"); null when it never printed one. */
export function parseUvuTotals(output: string): UvuTotals | null {
  const text = output.replace(ANSI, '');
  const num = (label: string): number | null => {
    const m = new RegExp(`${label}:\\s+(\\d+)`).exec(text);
    return m ? Number(m[1]) : null;
  };
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
  if (total === null || passed === null || skipped === null) return null;
  return { total, passed, skipped, failed: total - passed };
}

export interface SuiteRun {
  file: string;
  /** Set when the file was not run in the browser (it reaches Node built-ins). */
  skippedBecause?: string;
  totals?: UvuTotals;
  /** uvu's output with colors stripped (failure details are in here). */
  output: string;
  errors: string[];
  ms: number;
}

/** The generated entry of a suite bundle. */
export function suiteEntrySource(file: string): string {
  return [
    `import './web/harness/uvu-prelude.ts';`,
    `import ${JSON.stringify(`./${file}`)};`,
    `import { exec } from 'uvu';`,
    `import { fail, finish } from './web/harness/worker-runtime.ts';`,
    `try { await exec(); } catch (e) { fail(e); }`,
    `finish();`,
  ].join('\n');
}

const describeImports = (n: NodeImport[]): string =>
  [...new Set(n.map((i) => `${i.specifier} (imported by ${i.importer})`))].join(', ');

/** Node built-ins the test file itself imports (a quick look before bundling anything). */
export function directNodeImports(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/\bfrom\s+['"](node:[^'"]+)['"]|\bimport\s*\(\s*['"](node:[^'"]+)['"]/g)) found.add((m[1] ?? m[2])!);
  // The CLI (src/cli, commander) is Node-only by design.
  for (const m of text.matchAll(/\bfrom\s+['"]([^'"]*\/src\/cli\/[^'"]+)['"]/g)) found.add(`${m[1]} (the Node-only CLI)`);
  return [...found];
}

/** Bundles and runs one test file in the browser. */
export async function runSuiteInBrowser(browser: Browser, file: string, timeoutMs = 30_000): Promise<SuiteRun> {
  const t0 = performance.now();
  const direct = directNodeImports(file);
  if (direct.length > 0) {
    return { file, skippedBecause: `imports Node built-ins: ${direct.join(', ')}`, output: '', errors: [], ms: performance.now() - t0 };
  }
  const bundle = await bundleForBrowser({ source: suiteEntrySource(file), sourcemap: false, stopAtNodeImport: true });
  if (bundle.nodeImports.length > 0) {
    return { file, skippedBecause: `reaches Node built-ins: ${describeImports(bundle.nodeImports)}`, output: '', errors: [], ms: performance.now() - t0 };
  }
  const run = await runInWorker(browser, bundle.code, { timeoutMs });
  const output = run.logs.map((l) => l.text).join('').replace(ANSI, '');
  const totals = parseUvuTotals(output) ?? undefined;
  const errors = [...run.errors];
  if (!totals) errors.push('uvu printed no totals (the suite did not finish)');
  return { file, totals, output, errors, ms: performance.now() - t0 };
}
