// Adam outside tfjs (DESIGN §5): the same update as tf.train.adam (bias-corrected moments, ε added after the square
// root, one global step count), but one fused SIMD pass per variable (adamStepF32 in assembly/gemm.ts) instead of ~12
// tfjs element-wise kernels per variable — on tfjs-wasm those dominated a training step once the matmuls were fast.
// The moments and a copy of the weights live in our wasm memory for the optimizer's life (arena allocations made at
// the top of the training loop, released by dispose() when nothing was allocated after them), so a step copies only
// the gradient in and the new weights out — straight into a tfjs-wasm output buffer — and the weights in only when
// something else assigned the variable since. Copying the moments in and out every step took a third of the
// optimizer's time. The weights' copy is also registered in residentF32 (gemm.ts), so the next step's matmuls read
// them without another copy. Its state converts to plain arrays, so a checkpoint can carry it
// (train.ts puts it into TrainState.optimizer) and --resume continues with the same moments instead of restarting
// Adam cold.
import * as tf from '@tensorflow/tfjs';
import { arena, type WasmArray } from '../wasm/arena.js';
import { wasmKernels } from '../wasm/index.js';
import { residentF32 } from './gemm.js';


/** The values of a float32 tensor without a copy on tfjs-wasm (a view on its heap: use before the next tfjs call). */
function readF32(t: tf.Tensor): Float32Array {
  const b = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm' && b.typedArrayFromHeap) return b.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

export interface AdamSlots { m: Float32Array; v: Float32Array }

/** Serializable Adam state: global step and, per variable key, the two moment vectors (base64 of f32 LE bytes). */
export interface AdamStateJson { kind: 'adam'; step: number; beta1: number; beta2: number; epsilon: number; slots: Record<string, { m: string; v: string }> }

type NodeBuf = Uint8Array & { toString(enc: string): string };
type BufferLike = { from(b: Uint8Array | string, enc?: string): NodeBuf; from(b: ArrayBufferLike, offset: number, length: number): NodeBuf };
const NodeBuffer = (globalThis as unknown as { Buffer?: BufferLike }).Buffer;

export function f32ToBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (NodeBuffer) return NodeBuffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'); // native, no copy; the loop below is the browser path
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToF32(s: string, what: string): Float32Array {
  if (NodeBuffer) {
    const b = NodeBuffer.from(s, 'base64');
    if (b.length % 4) throw new Error(`${what}: ${b.length} bytes is not a whole number of float32 values; the checkpoint is corrupt`);
    return new Float32Array(new Uint8Array(b).buffer); // a copy: Buffer.slice would share the pool
  }
  const bin = atob(s);
  if (bin.length % 4) throw new Error(`${what}: ${bin.length} bytes is not a whole number of float32 values; the checkpoint is corrupt`);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** The parts of tfjs-backend-wasm's backend object used to write the new weights straight into its heap. */
interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** A tensor holding a copy of `values` (on tfjs-wasm made in its heap directly: one copy, no intermediate array). */
function tensorFrom(values: Float32Array, shape: number[]): tf.Tensor {
  if (tf.getBackend() === 'wasm') {
    const b = tf.backend() as unknown as WasmBackendLike;
    const info = b.makeOutput(shape, 'float32');
    b.typedArrayFromHeap(info).set(values); // view taken after makeOutput (it may grow the heap)
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  return tf.tensor(values.slice(), shape, 'float32'); // other backends may keep the array they are given
}

/** Per variable: the moments, and the weights as last written (`w`, valid while the variable still holds `wId`). */
interface Slot { m: WasmArray<'f32'>; v: WasmArray<'f32'>; w: WasmArray<'f32'>; wId: object | null }

export class HostAdam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Number of applyGradients calls so far (the bias-correction exponent). */
  step = 0;
  private readonly slots = new Map<string, Slot>();
  /** Arena span of the moments: [base, end) (base = -1 before the first allocation); `contiguous` is false once
   *  something else was allocated between two of our allocations (then dispose() must not release the span). */
  private base = -1;
  private end = -1;
  private contiguous = true;

  constructor(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    this.learningRate = learningRate; this.beta1 = beta1; this.beta2 = beta2; this.epsilon = epsilon;
  }

  /** Throws when arena memory below the moments was released (someone released a mark taken before them). */
  private checkArena(): void {
    if (this.end >= 0 && arena.mark() < this.end) {
      throw new Error('Adam: the wasm arena was released below the optimizer moments (an arena mark taken before training was released during it); release arena marks only after train() returns');
    }
  }

  private slotArrays(name: string, size: number): Slot {
    let s = this.slots.get(name);
    if (!s) {
      this.checkArena();
      const top = arena.mark();
      if (this.base < 0) this.base = top;
      else if (top !== this.end) this.contiguous = false;
      s = { m: arena.alloc('f32', size), v: arena.alloc('f32', size), w: arena.alloc('f32', size, false), wId: null };
      this.end = arena.mark();
      this.slots.set(name, s);
    }
    if (s.m.length !== size) throw new Error(`Adam: variable '${name}' has ${size} values but its optimizer state has ${s.m.length}; the checkpoint does not match the model`);
    return s;
  }

  /** Copies of the moments of a variable (by name), created at zero on first use. */
  slotsOf(name: string, size: number): AdamSlots {
    const s = this.slotArrays(name, size);
    return { m: s.m.copy(), v: s.v.copy() };
  }

  /** One Adam step for every (variable name → gradient) pair; variables are looked up in the tfjs engine. */
  applyGradients(grads: tf.NamedTensorMap): void {
    this.checkArena();
    this.step++;
    const c1 = 1 - this.beta1 ** this.step, c2 = 1 - this.beta2 ** this.step;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const lr = this.learningRate;
    const registry = tf.engine().registeredVariables;
    const k = wasmKernels('adam');
    for (const [name, grad] of Object.entries(grads)) {
      if (!grad) continue;
      const variable = registry[name];
      if (!variable) throw new Error(`Adam: no variable named '${name}' is registered; it was disposed before the step`);
      const size = variable.size;
      if (grad.size !== size) throw new Error(`Adam: gradient of '${name}' has ${grad.size} values, the variable ${size}`);
      const s = this.slotArrays(name, size);
      // our copy of the weights is current when the variable still holds what we wrote last (a projection, QAT or a
      // restore assigns a new dataId); it is about to change, so it stops standing for that dataId
      const current = s.wId !== null && (variable as unknown as { dataId: object }).dataId === s.wId;
      if (s.wId) residentF32.delete(s.wId);
      s.wId = null;
      if (!current) s.w.set(readF32(variable));
      arena.scoped((ar) => {
        const G = ar.from('f32', readF32(grad));
        k.adamStepF32(s.w.ptr, G.ptr, s.m.ptr, s.v.ptr, size, lr, b1, b2, c1, c2, eps);
      });
      const next = tensorFrom(s.w.view, variable.shape);
      variable.assign(next); // a new buffer: clones of the old value stay intact
      next.dispose();
      s.wId = (variable as unknown as { dataId: object }).dataId;
      residentF32.set(s.wId, s.w);
    }
  }

  /** The state, with variables renamed by `key` (names are not stable across processes; keys are). */
  toJson(key: (name: string) => string | undefined = (n) => n): AdamStateJson {
    const slots: AdamStateJson['slots'] = {};
    for (const [name, s] of this.slots) {
      const k = key(name);
      if (k !== undefined) slots[k] = { m: f32ToBase64(s.m.view), v: f32ToBase64(s.v.view) };
    }
    return { kind: 'adam', step: this.step, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, slots };
  }

  /** Restores toJson output; `name` maps a key back to the current variable name. */
  loadJson(j: AdamStateJson, name: (key: string) => string | undefined = (k) => k): void {
    if (j.kind !== 'adam') throw new Error(`optimizer state of kind '${j.kind}' cannot resume an Adam run`);
    const loaded = Object.entries(j.slots).map(([k, s]) => {
      const n = name(k);
      if (n === undefined) throw new Error(`optimizer state for '${k}' matches no variable of the model; the checkpoint belongs to another model`);
      const m = base64ToF32(s.m, `Adam m of ${k}`), v = base64ToF32(s.v, `Adam v of ${k}`);
      if (m.length !== v.length) throw new Error(`Adam state of ${k}: m has ${m.length} values, v ${v.length}; the checkpoint is corrupt`);
      return { n, m, v };
    });
    this.dispose();
    this.step = j.step;
    for (const { n, m, v } of loaded) {
      const s = this.slotArrays(n, m.length);
      s.m.set(m); s.v.set(v);
    }
  }

  /** Drops the moments; their arena memory is released when nothing was allocated after it (else at the next reset). */
  dispose(): void {
    for (const s of this.slots.values()) if (s.wId) residentF32.delete(s.wId);
    if (this.base >= 0 && this.contiguous && arena.mark() === this.end) arena.release(this.base);
    this.slots.clear();
    this.base = this.end = -1;
    this.contiguous = true;
  }
}
