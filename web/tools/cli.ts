// `npm run build:web` and `npm run web` (Node-only): build the static page into build/web, and serve it on
// 127.0.0.1 with a printed URL. Also `fingerprint --seed N`, the Node side of the equality scenario.
//   node --import tsx web/tools/cli.ts build [--out DIR] [--minify]
//   node --import tsx web/tools/cli.ts serve [--port N]            (builds first)
//   node --import tsx web/tools/cli.ts fingerprint [--seed N]
//   node --import tsx web/tools/cli.ts bench [--budget MS] [--repeat N]        (kernel throughput, Node vs headless Chromium)
import { buildSite, rel, repoRoot } from './build.js';
import { serveStatic } from './server.js';
import { join, resolve } from 'node:path';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...args] = argv;
  if (command === 'build' || command === 'serve') {
    const out = resolve(option(args, '--out') ?? join(repoRoot, 'build/web'));
    const t0 = performance.now();
    const site = await buildSite(out, { minify: args.includes('--minify') });
    const kb = site.files.filter((f) => f.bytes).map((f) => `${f.name} ${(f.bytes / 1024).toFixed(0)} KiB`).join(', ');
    console.log(`built ${rel(site.outDir)}/ in ${(performance.now() - t0).toFixed(0)} ms (${kb})`);
    if (command === 'build') return;
    const portText = option(args, '--port') ?? process.env.PORT ?? '8080';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in 0..65535, got ${portText}`);
    const server = await serveStatic({ root: site.outDir, port });
    console.log(`ha3m web page: ${server.url}  (127.0.0.1 only; Ctrl+C to stop)`);
    const stop = (): void => { void server.close().then(() => process.exit(0)); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  if (command === 'fingerprint') {
    const { runFingerprint } = await import('../shared/fingerprint.js');
    const seedText = option(args, '--seed') ?? '1';
    console.log(JSON.stringify(await runFingerprint(Number(seedText)), null, 2));
    return;
  }
  if (command === 'bench') {
    const budgetText = option(args, '--budget') ?? '800';
    const budgetMs = Number(budgetText);
    if (!(budgetMs > 0)) throw new Error(`--budget must be a positive number of milliseconds, got ${budgetText}`);
    const { runKernelBench } = await import('../shared/kernel-bench.js');
    const { bundleForBrowser } = await import('./build.js');
    const { launchChromium, runInWorker } = await import('./chromium.js');
    const repeatText = option(args, '--repeat') ?? '3';
    const repeat = Number(repeatText);
    if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer, got ${repeatText}`);
    const bundle = await bundleForBrowser({
      source: [
        `import { post, fail, finish } from './web/harness/worker-runtime.ts';`,
        `import { runKernelBench } from './web/shared/kernel-bench.ts';`,
        `try { post(await runKernelBench({ budgetMs: ${budgetMs} })); } catch (e) { fail(e); }`,
        `finish();`,
      ].join('\n'),
      sourcemap: false,
    });
    type Results = Awaited<ReturnType<typeof runKernelBench>>;
    // Alternate Node and Chromium runs and keep each host's best (the machine is shared: the best run is the one
    // least disturbed by other load).
    const best = (acc: Results | null, r: Results): Results =>
      acc ? acc.map((a, i) => (r[i]!.unitsPerSecond > a.unitsPerSecond ? r[i]! : a)) : r;
    let node: Results | null = null, chrome: Results | null = null;
    const browser = await launchChromium();
    try {
      const version = browser.version();
      for (let k = 0; k < repeat; k++) {
        node = best(node, await runKernelBench({ budgetMs }));
        const run = await runInWorker(browser, bundle.code, { timeoutMs: 120_000 });
        if (run.errors.length) throw new Error(`bench failed in Chromium: ${run.errors.join('; ')}`);
        chrome = best(chrome, run.results[0] as Results);
      }
      console.log(`kernel throughput, same bench code (web/shared/kernel-bench.ts), best of ${repeat} alternating runs: ` +
        `Node ${process.versions.node} vs Chromium ${version} (Web Worker)`);
      for (const [i, n] of node!.entries()) {
        const c = chrome![i]!;
        const g = (v: number): string => `${(v / 1e9).toFixed(3)} G${n.unit}/s`;
        console.log(`  ${n.name}: Node ${g(n.unitsPerSecond)}, Chromium ${g(c.unitsPerSecond)}, Chromium/Node = ${(c.unitsPerSecond / n.unitsPerSecond).toFixed(2)}`);
      }
    } finally {
      await browser.close();
    }
    return;
  }
  throw new Error(`unknown command "${command}"; use build, serve, fingerprint or bench`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
