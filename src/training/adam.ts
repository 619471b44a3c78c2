// Adam outside tfjs (DESIGN §5): the same update as tf.train.adam (bias-corrected moments, ε added after the square
// root, one global step count), but one fused SIMD pass per variable (adamStepF32 in assembly/gemm.ts, moments kept
// as host Float32Arrays and copied through the arena) instead of ~12 tfjs element-wise kernels per variable — on tfjs-wasm those dominated a training step once the matmuls were fast. Its
// state is plain arrays, so a checkpoint can carry it (train.ts puts it into TrainState.optimizer) and --resume
// continues with the same moments instead of restarting Adam cold.
import * as tf from '@tensorflow/tfjs';
import { arena } from '../wasm/arena.js';
import { initSync } from '../wasm/runtime.js';

interface AdamExports {
  adamStepF32(w: number, g: number, m: number, v: number, n: number, lr: number, b1: number, b2: number, c1: number, c2: number, eps: number): void;
}
const adamKernel = (): AdamExports => initSync() as unknown as AdamExports;

/** The values of a float32 tensor without a copy on tfjs-wasm (a view on its heap: use before the next tfjs call). */
function readF32(t: tf.Tensor): Float32Array {
  const b = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array };
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm' && b.typedArrayFromHeap) return b.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

export interface AdamSlots { m: Float32Array; v: Float32Array }

/** Serializable Adam state: global step and, per variable key, the two moment vectors (base64 of f32 LE bytes). */
export interface AdamStateJson { kind: 'adam'; step: number; beta1: number; beta2: number; epsilon: number; slots: Record<string, { m: string; v: string }> }

type BufferLike = { from(b: Uint8Array | string, enc?: string): Uint8Array & { toString(enc: string): string } };
const NodeBuffer = (globalThis as unknown as { Buffer?: BufferLike }).Buffer;

export function f32ToBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (NodeBuffer) return NodeBuffer.from(bytes).toString('base64'); // native; the loop below is the browser path
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

export class HostAdam {
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Number of applyGradients calls so far (the bias-correction exponent). */
  step = 0;
  private readonly slots = new Map<string, AdamSlots>();

  constructor(learningRate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    this.learningRate = learningRate; this.beta1 = beta1; this.beta2 = beta2; this.epsilon = epsilon;
  }

  /** Moments of a variable (by name), created at zero on first use. */
  slotsOf(name: string, size: number): AdamSlots {
    let s = this.slots.get(name);
    if (!s) { s = { m: new Float32Array(size), v: new Float32Array(size) }; this.slots.set(name, s); }
    if (s.m.length !== size) throw new Error(`Adam: variable '${name}' has ${size} values but its optimizer state has ${s.m.length}; the checkpoint does not match the model`);
    return s;
  }

  /** One Adam step for every (variable name → gradient) pair; variables are looked up in the tfjs engine. */
  applyGradients(grads: tf.NamedTensorMap): void {
    this.step++;
    const c1 = 1 - this.beta1 ** this.step, c2 = 1 - this.beta2 ** this.step;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const lr = this.learningRate;
    const registry = tf.engine().registeredVariables;
    const k = adamKernel();
    for (const [name, grad] of Object.entries(grads)) {
      if (!grad) continue;
      const variable = registry[name];
      if (!variable) throw new Error(`Adam: no variable named '${name}' is registered; it was disposed before the step`);
      const g = readF32(grad), wOld = readF32(variable);
      const { m, v } = this.slotsOf(name, wOld.length);
      if (g.length !== wOld.length) throw new Error(`Adam: gradient of '${name}' has ${g.length} values, the variable ${wOld.length}`);
      const w = arena.scoped((ar) => {
        const W = ar.from('f32', wOld), G = ar.from('f32', g), M = ar.from('f32', m), V = ar.from('f32', v);
        k.adamStepF32(W.ptr, G.ptr, M.ptr, V.ptr, wOld.length, lr, b1, b2, c1, c2, eps);
        m.set(M.view); v.set(V.view);
        return W.copy();
      });
      tf.tidy(() => variable.assign(tf.tensor(w, variable.shape, 'float32'))); // a new buffer: clones of the old value stay intact
    }
  }

  /** The state, with variables renamed by `key` (names are not stable across processes; keys are). */
  toJson(key: (name: string) => string | undefined = (n) => n): AdamStateJson {
    const slots: AdamStateJson['slots'] = {};
    for (const [name, s] of this.slots) {
      const k = key(name);
      if (k !== undefined) slots[k] = { m: f32ToBase64(s.m), v: f32ToBase64(s.v) };
    }
    return { kind: 'adam', step: this.step, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, slots };
  }

  /** Restores toJson output; `name` maps a key back to the current variable name. */
  loadJson(j: AdamStateJson, name: (key: string) => string | undefined = (k) => k): void {
    if (j.kind !== 'adam') throw new Error(`optimizer state of kind '${j.kind}' cannot resume an Adam run`);
    this.step = j.step;
    this.slots.clear();
    for (const [k, s] of Object.entries(j.slots)) {
      const n = name(k);
      if (n === undefined) throw new Error(`optimizer state for '${k}' matches no variable of the model; the checkpoint belongs to another model`);
      const m = base64ToF32(s.m, `Adam m of ${k}`), v = base64ToF32(s.v, `Adam v of ${k}`);
      if (m.length !== v.length) throw new Error(`Adam state of ${k}: m has ${m.length} values, v ${v.length}; the checkpoint is corrupt`);
      this.slots.set(n, { m, v });
    }
  }

  dispose(): void { this.slots.clear(); }
}
