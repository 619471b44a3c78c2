// One spec over every kernel backend (as tfjs runs one spec over all its backends): the wasm kernels and their
// plain-TypeScript twins (src/wasm/kernels.ts) must pass the same assertions.
//
//   forEachBackend('linearAssignment is optimal', (backend) => {
//     assert.is(linearAssignment(c, n, m, { backend }).total, best);
//   });
import { test } from 'uvu';
import { BACKENDS, type Backend } from '../../src/wasm/index.js';

/** Registers `spec` once per backend, as the test `name [backend]`. */
export function forEachBackend(name: string, spec: (backend: Backend) => void | Promise<void>): void {
  for (const backend of BACKENDS) test(`${name} [${backend}]`, () => spec(backend));
}

/** Runs `fn` on every backend and returns the results (or the errors thrown), by backend, for comparisons. */
export function onEachBackend<T>(fn: (backend: Backend) => T): Record<Backend, T | Error> {
  const out = {} as Record<Backend, T | Error>;
  for (const backend of BACKENDS) {
    try { out[backend] = fn(backend); } catch (e) { out[backend] = e as Error; }
  }
  return out;
}
