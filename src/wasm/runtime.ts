// The only place that instantiates the ha3m wasm module. The bytes are embedded (binary.generated.ts), so Node,
// browsers and workers load exactly the same binary with no fs/fetch.
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { WASM_BASE64, WASM_SHA256 } from './binary.generated.js';

/** Raw exports of the kernel module. Kernel families add typed views of their functions in src/wasm/kernels.ts. */
export interface Ha3mExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  rngSeed(state: number, seedLo: number, seedHi: number, stream: number): void;
  rngFillU32(state: number, out: number, n: number): void;
  rngFillUniform(state: number, out: number, n: number): void;
  rngFillNormal(state: number, out: number, n: number): void;
  mathLog(x: number): number;
  mathExp(x: number): number;
  [name: string]: unknown;
}

let exportsCache: Ha3mExports | null = null;

function wasmBytes(): Uint8Array {
  const bin = atob(WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`ha3m wasm kernel aborted at ${line}:${col} (a kernel precondition failed; this is a bug in ha3m)`);
    },
  },
};

/** Loads the wasm module once. Safe to call many times; resolves when kernels are usable. */
export async function init(): Promise<Ha3mExports> {
  if (exportsCache) return exportsCache;
  const result = await instantiate<Ha3mExports>(wasmBytes() as unknown as BufferSource, imports);
  exportsCache ??= result.exports as unknown as Ha3mExports;
  return exportsCache;
}

/** Synchronous load (Node, workers). Browsers' main thread should use `await init()`. */
export function initSync(): Ha3mExports {
  if (exportsCache) return exportsCache;
  const result = instantiateSync<Ha3mExports>(wasmBytes() as unknown as BufferSource, imports);
  exportsCache = result.exports as unknown as Ha3mExports;
  return exportsCache;
}

/** The loaded module; throws a clear error when init() has not run. */
export function wasm(): Ha3mExports {
  if (!exportsCache) throw new Error('ha3m wasm is not loaded: call `await init()` (or initSync() in Node) first');
  return exportsCache;
}

/** Whether init()/initSync() has loaded the module (host ops with a TS path use their kernel only then). */
export function wasmLoaded(): boolean { return exportsCache !== null; }

export const wasmSha256 = WASM_SHA256;
