// The only place that instantiates the ha3m wasm module. The bytes are embedded (binary.generated.ts), so Node,
// browsers and workers load exactly the same binary with no fs/fetch.
import { instantiate, instantiateSync } from '@assemblyscript/loader';
import { WASM_BASE64, WASM_SHA256 } from './binary.generated.js';
import type { WasmExports } from './exports.generated.js';

/**
 * The exports of the kernel module, typed once from the declarations asc emits (exports.generated.ts); the kernel
 * families that use them are registered in src/wasm/kernels.ts.
 */
export type Ha3mExports = WasmExports;

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
  const result = await instantiate<Ha3mExports>(wasmBytes() as BufferSource, imports);
  exportsCache ??= result.exports;
  return exportsCache;
}

/** Synchronous load (Node, workers). Browsers' main thread should use `await init()`. */
export function initSync(): Ha3mExports {
  if (exportsCache) return exportsCache;
  const result = instantiateSync<Ha3mExports>(wasmBytes() as BufferSource, imports);
  exportsCache = result.exports;
  return exportsCache;
}

/**
 * The loaded module. Where it has not been loaded yet it is loaded synchronously (Node, workers); a browser's main
 * thread may refuse that (it compiles only small modules synchronously): there, `await init()` first.
 */
export function wasm(): Ha3mExports {
  if (exportsCache) return exportsCache;
  try {
    return initSync();
  } catch (e) {
    throw new Error(`ha3m wasm could not be loaded synchronously here (${(e as Error).message}): call \`await init()\` first`);
  }
}

export const wasmSha256 = WASM_SHA256;
