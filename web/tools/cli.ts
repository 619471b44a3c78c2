// `npm run build:web` and `npm run web` (Node-only): build the static page into build/web, and serve it on
// 127.0.0.1 with a printed URL. Also `fingerprint --seed N`, the Node side of the equality scenario.
//   node --import tsx web/tools/cli.ts build [--out DIR] [--minify]
//   node --import tsx web/tools/cli.ts serve [--port N]            (builds first)
//   node --import tsx web/tools/cli.ts fingerprint [--seed N]
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
  throw new Error(`unknown command "${command}"; use build, serve or fingerprint`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
