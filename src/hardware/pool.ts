// CrossbarPool: the persistent state of every cell of every crossbar, in wasm memory (DESIGN §2, §2.1, §3.4).
//
// Layout (others depend on it; never change): physical cell index = (crossbar·rows + row)·cols + col, row-major
// per crossbar. Five parallel arrays, one element per cell, each allocated once from the process arena:
//   conductance f32 µS      — what the analog MVM reads (the state the last write-verify left)
//   level       u8          — the level this cell is meant to hold (the last target programmed into it)
//   status      u8          — 0: the last programming verified it in band at `level`; 1: not verified (failed,
//                             or a fresh "random" pool); the write-verify driver skips verified cells whose target
//                             equals their level
//   fault       u8          — 0 none, 1 stuck at HRS (sits at gMin), 2 stuck at LRS (sits at gMax); drawn once
//   wear        u32         — cumulative pulses applied to the cell
// Accessors return WasmArrays (whole pool, or one crossbar's sub-range, no copy): `.view` is a typed array that stays
// valid across memory growth, `.ptr` the byte address for kernels. Example (MVM of crossbar 3):
//   const g = pool.conductances(3); wasm().someKernel(g.ptr, ...)   // rows × cols f32, row-major
// The pool lives until the arena is reset; allocate it at top level (not inside arena.scoped()).
import { arena as defaultArena, type Arena, type WasmArray } from '../wasm/arena.js';
import { WasmArray as WA } from '../wasm/arena.js';
import { StreamPurpose, streamId } from '../wasm/rng.js';
import { HostRng } from '../wasm/index.js';
import type { HardwareConfig } from './config.js';
import { normalTable, Q_SHIFT } from '../wasm/index.js';

export const FAULT_NONE = 0;
export const FAULT_STUCK_HRS = 1;
export const FAULT_STUCK_LRS = 2;
export const STATUS_VERIFIED = 0;
export const STATUS_UNVERIFIED = 1;

export interface PoolOptions {
  numCrossbars?: number;
  /** Seed of the fault map, the initial state and every programming operation on this pool. */
  seed?: number;
  /** Overrides config.programming.initialState. */
  initialState?: 'hrs' | 'random';
  arena?: Arena;
}

export class CrossbarPool {
  readonly rows: number;
  readonly cols: number;
  readonly numCrossbars: number;
  readonly cellsPerCrossbar: number;
  readonly numCells: number;
  readonly seed: number;
  /** Programming operations run so far; the next one uses stream streamId(programming, crossbar, opCounter). */
  opCounter = 0;
  private readonly g: WasmArray<'f32'>;
  private readonly lv: WasmArray<'u8'>;
  private readonly st: WasmArray<'u8'>;
  private readonly ft: WasmArray<'u8'>;
  private readonly wr: WasmArray<'u32'>;

  constructor(readonly config: HardwareConfig, opts: PoolOptions = {}) {
    const n = opts.numCrossbars ?? config.crossbar.numCrossbars;
    if (n === null || n === undefined || !Number.isInteger(n) || n < 1) {
      throw new Error(`CrossbarPool: numCrossbars must be a positive integer (got ${n}); pass { numCrossbars } or set crossbar.numCrossbars`);
    }
    this.rows = config.crossbar.rows;
    this.cols = config.crossbar.cols;
    this.numCrossbars = n;
    this.cellsPerCrossbar = this.rows * this.cols;
    this.numCells = n * this.cellsPerCrossbar;
    this.seed = opts.seed ?? 0;
    if (!Number.isSafeInteger(this.seed)) throw new Error(`CrossbarPool: seed must be a safe integer, got ${this.seed}`);
    const bytes = this.numCells * 11;
    if (bytes > 3.5 * 2 ** 30) {
      throw new Error(`CrossbarPool: ${this.numCells} cells need ${(bytes / 2 ** 30).toFixed(2)} GiB of wasm memory (11 B per cell), ` +
        'more than fits in one wasm32 memory; split the pool over workers or use fewer crossbars');
    }
    const a = opts.arena ?? defaultArena;
    this.g = a.alloc('f32', this.numCells);
    this.wr = a.alloc('u32', this.numCells);
    this.lv = a.alloc('u8', this.numCells);
    this.st = a.alloc('u8', this.numCells);
    this.ft = a.alloc('u8', this.numCells);
    this.initialize(opts.initialState ?? config.programming.initialState);
  }

  /** Physical cell index of (crossbar, row, col). */
  cellIndex(crossbar: number, row: number, col: number): number {
    return (crossbar * this.rows + row) * this.cols + col;
  }

  private sub<K extends 'f32' | 'u8' | 'u32'>(arr: WasmArray<K>, crossbar?: number): WasmArray<K> {
    if (crossbar === undefined) return arr;
    if (!Number.isInteger(crossbar) || crossbar < 0 || crossbar >= this.numCrossbars) {
      throw new Error(`crossbar ${crossbar} is out of range: the pool has crossbars 0..${this.numCrossbars - 1}`);
    }
    const bytes = arr.kind === 'u8' ? 1 : 4;
    return new WA(arr.kind, arr.ptr + crossbar * this.cellsPerCrossbar * bytes, this.cellsPerCrossbar) as WasmArray<K>;
  }
  /** Conductances in µS (f32), whole pool or one crossbar (rows × cols, row-major). */
  conductances(crossbar?: number): WasmArray<'f32'> { return this.sub(this.g, crossbar); }
  /** Level each cell is meant to hold (u8). */
  levels(crossbar?: number): WasmArray<'u8'> { return this.sub(this.lv, crossbar); }
  /** 0 verified in band at its level, 1 not verified (u8). */
  status(crossbar?: number): WasmArray<'u8'> { return this.sub(this.st, crossbar); }
  /** 0 none, 1 stuck at HRS, 2 stuck at LRS (u8). */
  faults(crossbar?: number): WasmArray<'u8'> { return this.sub(this.ft, crossbar); }
  /** Cumulative pulses per cell (u32). */
  wear(crossbar?: number): WasmArray<'u32'> { return this.sub(this.wr, crossbar); }

  /** Target conductance of a level, µS. */
  levelConductance(level: number): number {
    const d = this.config.device;
    return d.gMinUS + level * ((d.gMaxUS - d.gMinUS) / (2 ** this.config.cells.cellBits - 1));
  }

  /**
   * Fresh state: faults drawn per cell (stream streamId(faults, crossbar)), then either all cells reset to gMin at
   * level 0 (verified; stuck-at-LRS cells are not), or formed at uniformly random levels with the device's open-loop
   * programming error σ = sigmaUS + slope·G (stream streamId(initialState, crossbar); unverified). Stuck cells sit
   * at gMin / gMax. Wear starts at 0.
   */
  initialize(state: 'hrs' | 'random'): void {
    const d = this.config.device;
    const L = 2 ** this.config.cells.cellBits;
    const thrHrs = Math.min(2 ** 32, Math.floor(d.faults.stuckHrsRate * 2 ** 32));
    const thrBoth = Math.min(2 ** 32, Math.floor((d.faults.stuckHrsRate + d.faults.stuckLrsRate) * 2 ** 32));
    const g = this.g.view, lv = this.lv.view, st = this.st.view, ft = this.ft.view;
    this.wr.view.fill(0);
    const nt = normalTable();
    const spacing = (d.gMaxUS - d.gMinUS) / (L - 1);
    const gMin = Math.fround(d.gMinUS), gMax = Math.fround(d.gMaxUS);
    for (let cb = 0; cb < this.numCrossbars; cb++) {
      const fr = new HostRng(this.seed, streamId(StreamPurpose.faults, cb));
      const ir = state === 'random' ? new HostRng(this.seed, streamId(StreamPurpose.initialState, cb)) : null;
      const base = cb * this.cellsPerCrossbar;
      for (let c = 0; c < this.cellsPerCrossbar; c++) {
        const i = base + c;
        const u = fr.nextU32();
        const f = u < thrHrs ? FAULT_STUCK_HRS : u < thrBoth ? FAULT_STUCK_LRS : FAULT_NONE;
        ft[i] = f;
        if (ir) {
          const level = Math.floor((ir.nextU32() * L) / 2 ** 32);
          const z = nt[ir.nextU32() >>> Q_SHIFT]!;
          const gt = d.gMinUS + level * spacing;
          const sigma = Math.max(0, d.programmingError.sigmaUS + d.programmingError.slope * gt);
          const gv = Math.min(d.gMaxUS, Math.max(d.gMinUS, gt + sigma * z));
          lv[i] = level;
          st[i] = STATUS_UNVERIFIED;
          g[i] = f === FAULT_STUCK_HRS ? gMin : f === FAULT_STUCK_LRS ? gMax : gv;
        } else {
          lv[i] = 0;
          st[i] = f === FAULT_STUCK_LRS ? STATUS_UNVERIFIED : STATUS_VERIFIED;
          g[i] = f === FAULT_STUCK_LRS ? gMax : gMin;
        }
      }
    }
    this.opCounter = 0;
  }

  /** Counts of stuck cells. */
  faultCounts(): { stuckHrs: number; stuckLrs: number } {
    let h = 0, l = 0;
    for (const f of this.ft.view) { if (f === 1) h++; else if (f === 2) l++; }
    return { stuckHrs: h, stuckLrs: l };
  }
}
