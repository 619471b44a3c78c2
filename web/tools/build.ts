// esbuild helpers for the browser side (Node-only tooling; never imported by the library). One bundler
// configuration for everything that runs in a browser: the library check, the uvu suites, the equality scenario,
// the kernel bench and the static page. Imports of Node built-ins are caught by a plugin and reported with the
// module that pulled them in, so a caller can fail (library, page) or skip-and-report (test files).
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import { copyFileSync, cpSync, mkdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Repository-relative path with forward slashes, for messages. */
export const rel = (p: string): string => relative(repoRoot, p).split('\\').join('/');

export interface NodeImport {
  /** The specifier, e.g. "node:fs" or "path". */
  specifier: string;
  /** Repository-relative module that imports it. */
  importer: string;
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

const GUARD = Symbol('ha3m-node-import-guard');
const NODE_IMPORT_STOP = 'ha3m: Node built-in reached:';

/**
 * Lets esbuild resolve every bare specifier that names a Node built-in; those a package maps away for browsers
 * (package.json "browser" field, a same-named polyfill package) pass, the rest are recorded and left external.
 */
function nodeImportGuard(found: NodeImport[], failFast = false): esbuild.Plugin {
  return {
    name: 'ha3m-node-import-guard',
    setup(build) {
      build.onResolve({ filter: /^[a-z_:/]+$/ }, async (args) => {
        if (args.pluginData === GUARD) return undefined;
        const root = args.path.startsWith('node:') ? args.path : args.path.split('/')[0]!;
        if (!builtins.has(root) && !args.path.startsWith('node:')) return undefined;
        const r = await build.resolve(args.path, {
          kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: GUARD,
        });
        if (r.errors.length === 0 && !args.path.startsWith('node:')) return undefined; // esbuild resolves it as usual
        found.push({ specifier: args.path, importer: args.importer ? rel(args.importer) : '(entry)' });
        if (failFast) return { errors: [{ text: `${NODE_IMPORT_STOP} ${args.path}` }] };
        return { path: args.path, external: true };
      });
    },
  };
}

const common: esbuild.BuildOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  logLevel: 'silent',
  absWorkingDir: repoRoot,
  legalComments: 'none',
};

export interface BrowserBundle {
  /** The bundled ES module. */
  code: string;
  /** Node built-ins reached from the entry (empty for browser-pure code). */
  nodeImports: NodeImport[];
  /** Repository-relative inputs that went into the bundle. */
  inputs: string[];
}

export interface BundleInput {
  /** An entry file (absolute or repo-relative) ... */
  entry?: string;
  /** ... or generated entry source, resolved from the repository root. */
  source?: string;
  minify?: boolean;
  /** Inline source maps (default true; V8 does not apply them to Error.stack, so tests turn them off). */
  sourcemap?: boolean;
  /** Stop at the first Node built-in (the result then has no code): a cheap "is this browser-pure?" check. */
  stopAtNodeImport?: boolean;
}

/** Bundles one entry for the browser, in memory. */
export async function bundleForBrowser(input: BundleInput): Promise<BrowserBundle> {
  if (!input.entry === !input.source) throw new Error('bundleForBrowser: pass exactly one of `entry` or `source`');
  const nodeImports: NodeImport[] = [];
  const build = esbuild.build({
    ...common,
    ...(input.entry
      ? { entryPoints: [resolve(repoRoot, input.entry)] }
      : { stdin: { contents: input.source!, resolveDir: repoRoot, sourcefile: 'generated-entry.ts', loader: 'ts' } }),
    outfile: join(repoRoot, 'build/web-bundle.js'),
    write: false,
    metafile: true,
    minify: input.minify ?? false,
    sourcemap: input.sourcemap === false ? false : 'inline',
    plugins: [nodeImportGuard(nodeImports, input.stopAtNodeImport)],
  });
  let result: Awaited<typeof build>;
  try {
    result = await build;
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors ?? [];
    if (nodeImports.length > 0 && errors.length > 0 && errors.every((x) => x.text.startsWith(NODE_IMPORT_STOP))) {
      return { code: '', nodeImports, inputs: [] };
    }
    throw e;
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (!js) throw new Error('bundleForBrowser: esbuild produced no JavaScript output');
  return { code: js.text, nodeImports, inputs: Object.keys(result.metafile.inputs) };
}

/** The files of the static page, relative to web/app/. */
const STATIC_FILES = ['index.html', 'style.css'];

export interface SiteBuild {
  outDir: string;
  files: { name: string; bytes: number }[];
}

/**
 * Builds the static page into `outDir` (default build/web): app.js (page), worker.js (simulation worker),
 * index.html, style.css, chunks/ (TF.js, loaded on demand) and demo/ (the bundled pre-trained pair). Written to a temp folder and swapped in, so a failed build never leaves a half page.
 */
export async function buildSite(outDir = join(repoRoot, 'build/web'), opts: { minify?: boolean } = {}): Promise<SiteBuild> {
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const nodeImports: NodeImport[] = [];
  try {
    const result = await esbuild.build({
      ...common,
      entryPoints: { app: join(repoRoot, 'web/app/main.ts'), worker: join(repoRoot, 'web/app/worker.ts') },
      outdir: tmp,
      splitting: true, // TF.js (model files) loads as a separate chunk, only when a user drops a model in
      chunkNames: 'chunks/[name]-[hash]',
      metafile: true,
      minify: opts.minify ?? false,
      sourcemap: true,
      plugins: [nodeImportGuard(nodeImports)],
    });
    if (nodeImports.length > 0) {
      throw new Error(`the page imports Node built-ins: ${nodeImports.map((n) => `${n.specifier} (from ${n.importer})`).join(', ')}; ` +
        'keep Node-only code out of web/app and the library path');
    }
    for (const f of STATIC_FILES) copyFileSync(join(repoRoot, 'web/app', f), join(tmp, f));
    // Bundled data (the pre-trained demo pair and its test set): web/assets/* → the site root.
    if (existsSync(join(repoRoot, 'web/assets'))) cpSync(join(repoRoot, 'web/assets'), tmp, { recursive: true });
    const files = [
      ...Object.entries(result.metafile.outputs).map(([p, o]) => ({ name: relative(tmp, resolve(repoRoot, p)), bytes: o.bytes })),
      ...STATIC_FILES.map((name) => ({ name, bytes: 0 })),
    ].filter((f) => !f.name.endsWith('.map'));
    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
    return { outDir, files };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
