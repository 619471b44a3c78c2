// TF.js backend set-up for training (DESIGN §5): tensorflow (optional @tensorflow/tfjs-node) → wasm (with the ha3m
// training kernels, see kernels.ts) → cpu. One call, logs which backend runs, can be forced.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { init as initHa3mWasm } from '../wasm/runtime.js';
import { patchWasmKernels, unpatchWasmKernels, wasmKernelsPatched } from './kernels.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const backendNames: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendOptions {
  /** Force one backend (error if it cannot start); default: first that works of tensorflow, wasm, cpu. */
  backend?: BackendName;
  /** Register the ha3m training kernels on wasm (default true; false = stock tfjs-backend-wasm, for benchmarks). */
  patchWasm?: boolean;
  /** Where the tfjs-backend-wasm .wasm files are (directory URL or path ending in '/'); default: found next to the package in Node, or the CDN-less relative path in browsers. */
  wasmPaths?: string;
  /**
   * Allow tfjs-wasm's threaded-SIMD build where the platform supports it (browsers with cross-origin isolation).
   * Default false: DESIGN §4 wants no threads inside wasm (determinism); Node 20 reports no multithread support
   * for tfjs-wasm anyway, so Node always runs the single-threaded SIMD build.
   */
  wasmThreads?: boolean;
  /** Logger for the one-line "training backend: …" message; default console.error; null = silent. */
  log?: ((msg: string) => void) | null;
}

export interface BackendInfo {
  name: BackendName;
  /** wasm only: SIMD / multithreading as detected by tfjs, and whether our kernels are registered. */
  simd?: boolean;
  threads?: boolean;
  patched?: boolean;
  /** Why earlier candidates were skipped (auto mode). */
  skipped: string[];
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let wasmPathsSet = false;
let tfNodeLoaded: boolean | undefined;

async function defaultWasmDir(): Promise<string | undefined> {
  if (!isNode) return undefined;
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

async function tryTfNode(): Promise<string | undefined> {
  if (tfNodeLoaded === true) return undefined;
  if (!isNode) return 'tfjs-node only runs in Node';
  try {
    // Optional dependency: absent on machines where its libtensorflow download failed. The specifier is a variable
    // so bundlers and tsc do not require it.
    const spec = '@tensorflow/tfjs-node';
    await import(spec);
    tfNodeLoaded = true;
    return undefined;
  } catch (e) {
    tfNodeLoaded = false;
    const msg = (e as Error).message.split('\n')[0];
    return `@tensorflow/tfjs-node not available (${msg}); install it with \`npm install @tensorflow/tfjs-node\` for native training`;
  }
}

/** True once the wasm backend instance exists (tf.findBackend would start initializing it, so look at the registry). */
const wasmInitialized = (): boolean => (tf.engine() as unknown as { registry: Record<string, unknown> }).registry['wasm'] !== undefined;

async function startWasm(opts: BackendOptions): Promise<void> {
  // setWasmPaths must precede the backend's initialization; if other code already initialized it, keep its paths.
  if (!wasmPathsSet && !wasmInitialized()) {
    const dir = opts.wasmPaths ?? await defaultWasmDir();
    if (dir) setWasmPaths(dir);
    wasmPathsSet = true;
  }
  if (!opts.wasmThreads && !wasmInitialized()) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (opts.patchWasm === false) unpatchWasmKernels();
  else { await initHa3mWasm(); patchWasmKernels(); }
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('the tfjs wasm backend failed to initialize (are the tfjs-backend-wasm .wasm files reachable? pass wasmPaths)');
  await tf.ready();
}

/**
 * Picks and initializes the training backend. Auto order: tensorflow (tfjs-node) → wasm → cpu.
 * A forced backend that cannot start throws with the reason and the fix.
 */
export async function setupBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  const log = opts.log === undefined ? (m: string) => console.error(m) : opts.log;
  const skipped: string[] = [];
  const order: BackendName[] = opts.backend ? [opts.backend] : ['tensorflow', 'wasm', 'cpu'];
  if (opts.backend && !backendNames.includes(opts.backend)) {
    throw new Error(`unknown backend '${opts.backend}'; use one of ${backendNames.join(', ')}`);
  }
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        const why = await tryTfNode();
        if (why) throw new Error(why);
        if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but the tensorflow backend did not initialize');
        await tf.ready();
      } else if (name === 'wasm') {
        await startWasm(opts);
      } else {
        if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend did not initialize');
        await tf.ready();
      }
    } catch (e) {
      const msg = `${name}: ${(e as Error).message}`;
      if (opts.backend) throw new Error(`cannot start the forced training backend ${msg}`);
      skipped.push(msg);
      continue;
    }
    const info: BackendInfo = { name, skipped };
    if (name === 'wasm') {
      info.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      info.threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      info.patched = wasmKernelsPatched();
    }
    log?.(describeBackend(info));
    return info;
  }
  throw new Error(`no training backend could start: ${skipped.join('; ')}`);
}

export function describeBackend(info: BackendInfo): string {
  let s = `training backend: ${info.name}`;
  if (info.name === 'wasm') {
    s += ` (${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads ? 'threaded' : 'single-threaded'}, ${info.patched ? 'ha3m training kernels' : 'stock kernels'})`;
  }
  if (info.skipped.length) s += `; skipped ${info.skipped.map((m) => m.split(':')[0]).join(', ')}`;
  return s;
}
