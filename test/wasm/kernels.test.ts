// The kernel registry (src/wasm/kernels.ts): every export of the binary belongs to exactly one family, every family
// names its twin, and the kernels are typed from asc's declarations (a wrong call does not compile).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initSync, KERNELS, BACKENDS, resolveBackend, wasmKernels, HostRng, WasmRng, arena } from '../../src/wasm/index.js';

const exportsOf = () => initSync() as unknown as Record<string, unknown>;

test('every function the wasm module exports belongs to exactly one kernel family', () => {
  const owner = new Map<string, string>();
  for (const [family, f] of Object.entries(KERNELS)) {
    for (const name of f.wasm) {
      assert.not.ok(owner.has(name), `${name} is registered by both ${owner.get(name)} and ${family}`);
      owner.set(name, family);
      assert.type(exportsOf()[name], 'function', `${family}.${name} is not a function of the module`);
    }
  }
  // the loader adds its helpers (__getString, ...) and asc the start function; everything else is ours
  const kernels = Object.entries(exportsOf()).filter(([n, v]) => typeof v === 'function' && !n.startsWith('__') && n !== '_initialize').map(([n]) => n);
  const unregistered = kernels.filter((n) => !owner.has(n));
  assert.equal(unregistered, [], `register these exports in src/wasm/kernels.ts: ${unregistered.join(', ')}`);
});

test('every kernel family names its plain-TS twin (functions), except the runtime', () => {
  for (const [family, f] of Object.entries(KERNELS)) {
    const twins = Object.entries(f.reference);
    if (family === 'runtime') { assert.is(twins.length, 0); continue; }
    assert.ok(twins.length > 0, `${family} has no reference`);
    for (const [name, fn] of twins) assert.type(fn, 'function', `${family}.reference.${name}`);
  }
});

test('one backend option: wasm by default, reference on request, anything else named as an error', () => {
  assert.equal([...BACKENDS], ['wasm', 'reference']);
  assert.is(resolveBackend(undefined, 'f'), 'wasm');
  assert.is(resolveBackend('reference', 'f'), 'reference');
  assert.throws(() => resolveBackend('gpu' as never, 'linearAssignment'), /linearAssignment: backend must be 'wasm' or 'reference', got gpu/);
});

test('HostRng is the wasm PRNG\'s twin: same seed and stream, same numbers', () => {
  const h = new HostRng(9, 4);
  const w = arena.scoped((a) => new WasmRng(9, 4, a).u32(16));
  assert.equal(Array.from({ length: 16 }, () => h.nextU32()), Array.from(w));
});

test('the kernels are typed from asc\'s declarations', () => {
  const lap = wasmKernels('lap');
  assert.type(lap.lapScratchBytes(4, 16), 'number');
  // @ts-expect-error -- a call with the wrong number of arguments does not compile
  const wrongArity = () => lap.lapScratchBytes(4);
  // @ts-expect-error -- a family sees only its own kernels
  const otherFamily = () => lap.programCells;
  void wrongArity; void otherFamily;
});

test.run();
