// Host-owned wasm memory: a bump arena with 16-byte alignment, stack-like marks for scratch space, and typed views
// that are rebuilt whenever the memory has grown (a grow detaches every old view).
import { wasm } from './runtime.js';

const PAGE = 65536;
const MAX_BYTES = 4 * 1024 * 1024 * 1024 - PAGE; // wasm32 limit

export type ElementKind = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';
const BYTES: Record<ElementKind, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, f64: 8 };
type ViewOf<K extends ElementKind> = K extends 'u8' ? Uint8Array : K extends 'i8' ? Int8Array :
  K extends 'u16' ? Uint16Array : K extends 'i16' ? Int16Array : K extends 'u32' ? Uint32Array :
  K extends 'i32' ? Int32Array : K extends 'f32' ? Float32Array : Float64Array;

function makeView<K extends ElementKind>(kind: K, buffer: ArrayBuffer, ptr: number, length: number): ViewOf<K> {
  switch (kind) {
    case 'u8': return new Uint8Array(buffer, ptr, length) as ViewOf<K>;
    case 'i8': return new Int8Array(buffer, ptr, length) as ViewOf<K>;
    case 'u16': return new Uint16Array(buffer, ptr, length) as ViewOf<K>;
    case 'i16': return new Int16Array(buffer, ptr, length) as ViewOf<K>;
    case 'u32': return new Uint32Array(buffer, ptr, length) as ViewOf<K>;
    case 'i32': return new Int32Array(buffer, ptr, length) as ViewOf<K>;
    case 'f32': return new Float32Array(buffer, ptr, length) as ViewOf<K>;
    default: return new Float64Array(buffer, ptr, length) as ViewOf<K>;
  }
}

/** A typed array living in wasm memory. `.view` is always valid, even after the memory grew. */
export class WasmArray<K extends ElementKind> {
  private cached: ViewOf<K> | null = null;
  constructor(readonly kind: K, readonly ptr: number, readonly length: number) {}
  get byteLength(): number { return this.length * BYTES[this.kind]; }
  get view(): ViewOf<K> {
    const buffer = wasm().memory.buffer;
    if (!this.cached || this.cached.buffer !== buffer) this.cached = makeView(this.kind, buffer, this.ptr, this.length);
    return this.cached;
  }
  /** Copies `data` in (length must match). */
  set(data: ArrayLike<number>): this {
    if (data.length !== this.length) {
      throw new Error(`WasmArray.set: got ${data.length} elements for an array of ${this.length}`);
    }
    this.view.set(data);
    return this;
  }
  /** A view of elements [start, start + length) of this array (no copy). */
  sub(start: number, length: number): WasmArray<K> {
    if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > this.length) {
      throw new Error(`WasmArray.sub: [${start}, ${start + length}) is outside [0, ${this.length})`);
    }
    return new WasmArray(this.kind, this.ptr + start * BYTES[this.kind], length);
  }
  /** A plain JS copy, safe to keep after the arena is released. */
  copy(): ViewOf<K> { return this.view.slice() as ViewOf<K>; }
}

export class Arena {
  private top = 0;
  private base = 0;

  private ensureBase(): void {
    if (this.base === 0) {
      this.base = align16(wasm().heapBase());
      this.top = this.base;
    }
  }

  /** Bytes handed out so far. */
  get used(): number { this.ensureBase(); return this.top - this.base; }

  /** Allocates `length` zeroed elements (pass zero = false for scratch that is fully overwritten anyway). */
  alloc<K extends ElementKind>(kind: K, length: number, zero = true): WasmArray<K> {
    this.ensureBase();
    if (!Number.isInteger(length) || length < 0) throw new Error(`Arena.alloc: length must be a non-negative integer, got ${length}`);
    const bytes = length * BYTES[kind];
    const ptr = this.top;
    const end = align16(ptr + bytes);
    if (end > MAX_BYTES) {
      throw new Error(`wasm memory exhausted: ${(end / 2 ** 30).toFixed(2)} GiB requested, the wasm32 limit is 4 GiB; ` +
        'use a smaller pool or run the points in separate workers');
    }
    const memory = wasm().memory;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    this.top = end;
    const array = new WasmArray(kind, ptr, length);
    if (zero && bytes > 0) new Uint8Array(memory.buffer, ptr, bytes).fill(0);
    return array;
  }

  /** Allocates and copies `data` in. */
  from<K extends ElementKind>(kind: K, data: ArrayLike<number>): WasmArray<K> {
    return this.alloc(kind, data.length, false).set(data);
  }

  /** A position to release back to: everything allocated after it is freed at once. */
  mark(): number { this.ensureBase(); return this.top; }
  release(mark: number): void {
    this.ensureBase();
    if (mark < this.base || mark > this.top) throw new Error(`Arena.release: mark ${mark} is outside the live range`);
    this.top = mark;
  }
  /** Frees everything (between phases). WasmArrays handed out before become invalid. */
  reset(): void { this.ensureBase(); this.top = this.base; }

  /** Runs `fn` with scratch allocations that are released afterwards. */
  scoped<T>(fn: (arena: Arena) => T): T {
    const m = this.mark();
    try { return fn(this); } finally { this.release(m); }
  }
}

function align16(n: number): number { return Math.ceil(n / 16) * 16; }

/** The process-wide arena over the one wasm memory. */
export const arena = new Arena();
