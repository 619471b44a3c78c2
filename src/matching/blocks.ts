// Blocks and slots for BLM (DESIGN §3.2).
//
//   const grid = blockGrid(cfg, { blockRows: 64, blockCols: 8 });     // default: the whole tile
//   const inc = modelBlocks(qm, grid);         // the incoming model's blocks and their target levels
//   const sl = poolSlots(pool, grid);          // every block-sized region of the pool and its present levels
//   blockCostMatrix(inc.levels, inc.blocks.length, sl.levels, sl.slots.length, grid.cellsPerBlock, ...)
//
// Units: blockRows × blockCols LOGICAL weights; a block covers blockRows physical rows × blockCols·cellsPerWeight
// physical columns. Both must divide the tile (tileRows × tileCols logical weights), so that the tile grid and the
// block grid line up: a layer is cut into tiles (tileLayer, row blocks outer), each tile into blocks (row blocks
// outer). Edge blocks of a layer are smaller; their levels are padded to the full block with 255 ("cell unused",
// costs nothing), so that every block and every slot is one flat run of `cellsPerBlock` u8 levels in the same cell
// order (row-major: blockRows rows of blockCols·cpw cells).
//
// Slots: every block-aligned region (rowOffset a multiple of blockRows, colOffset a multiple of blockCols, inside
// the tile area) of crossbars 0..numCrossbars−1 — those holding the resident model and free ones alike. A slot's
// levels are what the pool holds now (pool.levels()). With the offset scheme the reference column lies outside the
// tile area, so no slot includes it.
import type { HardwareConfig } from '../hardware/config.js';
import type { CrossbarPool } from '../hardware/pool.js';
import { cellsPerWeight, tileCols, tileRows } from '../hardware/derived.js';
import { encodeLevels } from '../hardware/encode.js';
import { tileLayer, type Tile } from '../mapping/placement.js';
import type { QuantizedModel } from '../inference/quantized-model.js';

export interface BlockGridOptions {
  /** Logical rows of a block (default: tileRows, the whole tile). */
  blockRows?: number;
  /** Logical columns (weights) of a block (default: tileCols, the whole tile). */
  blockCols?: number;
}

export interface BlockGrid {
  blockRows: number;
  blockCols: number;
  tileRows: number;
  tileCols: number;
  cellsPerWeight: number;
  /** Physical columns of a block: blockCols·cellsPerWeight. */
  physCols: number;
  /** blockRows·physCols. */
  cellsPerBlock: number;
  /** Slots per crossbar along rows and columns (tileRows / blockRows, tileCols / blockCols). */
  slotRows: number;
  slotCols: number;
}

/** Validates the block size against the tile (clear error when it does not divide it). */
export function blockGrid(cfg: Pick<HardwareConfig, 'crossbar' | 'weights' | 'cells'>, opts: BlockGridOptions = {}): BlockGrid {
  const tr = tileRows(cfg), tc = tileCols(cfg), cpw = cellsPerWeight(cfg);
  if (tc < 1) throw new Error(`a crossbar of ${cfg.crossbar.cols} columns cannot hold one weight of ${cpw} cells; use more columns or fewer cells per weight`);
  const br = opts.blockRows ?? tr, bc = opts.blockCols ?? tc;
  for (const [name, v, t, tn] of [['blockRows', br, tr, 'tileRows'], ['blockCols', bc, tc, 'tileCols']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`BLM: ${name} must be a positive integer, got ${v}`);
    if (t % v !== 0) {
      const divs: number[] = [];
      for (let d = 1; d <= t; d++) if (t % d === 0) divs.push(d);
      throw new Error(`BLM: ${name} = ${v} does not divide the tile's ${tn} = ${t} (the tile is ${tr} × ${tc} logical weights); ` +
        `use a divisor of ${t}: ${divs.join(', ')}`);
    }
  }
  return {
    blockRows: br, blockCols: bc, tileRows: tr, tileCols: tc, cellsPerWeight: cpw, physCols: bc * cpw,
    cellsPerBlock: br * bc * cpw, slotRows: tr / br, slotCols: tc / bc,
  };
}

/** An incoming block: a rectangle of one layer, plus where the baseline (in-place) mapping puts it. */
export interface ModelBlock extends Tile {
  /** Index of its tile in baseline order (= the baseline crossbar). */
  tile: number;
  /** Position in the baseline mapping: crossbar = tile index, offsets inside the tile. */
  inPlace: { crossbar: number; rowOffset: number; colOffset: number };
}

export interface IncomingBlocks {
  grid: BlockGrid;
  blocks: ModelBlock[];
  /** blocks.length × cellsPerBlock target levels (255 = padding). */
  levels: Uint8Array;
  /** Same for the blocks stored negated (−W). */
  negatedLevels: Uint8Array;
}

/** Cuts every tile of `qm` into blocks and encodes each block's target levels (plain and negated). */
export function modelBlocks(qm: QuantizedModel, grid: BlockGrid): IncomingBlocks {
  const blocks: ModelBlock[] = [];
  let tileIndex = 0;
  qm.layers.forEach((l, li) => {
    for (const t of tileLayer(li, { name: l.op.name, rows: l.op.rows, cols: l.op.cols }, grid)) {
      for (let r = 0; r < t.rows; r += grid.blockRows) {
        for (let c = 0; c < t.cols; c += grid.blockCols) {
          blocks.push({
            layer: li, srcRow: t.srcRow + r, rows: Math.min(grid.blockRows, t.rows - r), srcCol: t.srcCol + c,
            cols: Math.min(grid.blockCols, t.cols - c), tile: tileIndex, inPlace: { crossbar: tileIndex, rowOffset: r, colOffset: c },
          });
        }
      }
      tileIndex++;
    }
  });
  const cpb = grid.cellsPerBlock, cpw = grid.cellsPerWeight;
  const levels = new Uint8Array(blocks.length * cpb).fill(255);
  const negatedLevels = new Uint8Array(blocks.length * cpb).fill(255);
  // each layer encoded once (as is and negated), then every block's rows copied out of it
  let layer = -1, rowCells = 0;
  let plain: Uint8Array = new Uint8Array(0), neg: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.layer !== layer) {
      layer = b.layer;
      const l = qm.layers[layer]!, K = l.op.rows, N = l.op.cols;
      plain = encodeLevels(l.q.ints, K, N, qm.config);
      if (qm.config.cells.sign === 'differential') {
        // −W swaps the two cells of every differential pair (adjacent columns 2k, 2k + 1)
        neg = new Uint8Array(plain.length);
        for (let c = 0; c < plain.length; c += 2) { neg[c] = plain[c + 1]!; neg[c + 1] = plain[c]!; }
      } else {
        const ints = new Int32Array(l.q.ints.length);
        for (let k = 0; k < ints.length; k++) ints[k] = -l.q.ints[k]! || 0;
        neg = encodeLevels(ints, K, N, qm.config);
      }
      rowCells = N * cpw;
    }
    const pc = b.cols * cpw;
    for (let r = 0; r < b.rows; r++) {
      const from = (b.srcRow + r) * rowCells + b.srcCol * cpw, to = i * cpb + r * grid.physCols;
      levels.set(plain.subarray(from, from + pc), to);
      negatedLevels.set(neg.subarray(from, from + pc), to);
    }
  }
  return { grid, blocks, levels, negatedLevels };
}

export interface Slot { crossbar: number; rowOffset: number; colOffset: number }

export interface PoolSlots {
  grid: BlockGrid;
  /** Crossbar-major, then slot row, then slot column: slot index = (crossbar·slotRows + r)·slotCols + c. */
  slots: Slot[];
  /** slots.length × cellsPerBlock present levels. */
  levels: Uint8Array;
}

/** Index of the slot at (crossbar, rowOffset, colOffset), or −1 when it is not block-aligned / not in the pool. */
export function slotIndex(grid: BlockGrid, numCrossbars: number, s: Slot): number {
  if (s.crossbar < 0 || s.crossbar >= numCrossbars || s.rowOffset % grid.blockRows || s.colOffset % grid.blockCols) return -1;
  const r = s.rowOffset / grid.blockRows, c = s.colOffset / grid.blockCols;
  if (r < 0 || r >= grid.slotRows || c < 0 || c >= grid.slotCols) return -1;
  return (s.crossbar * grid.slotRows + r) * grid.slotCols + c;
}

/**
 * Every block-aligned slot of the pool, with the levels it holds now. With `stuckLevels` [hrs, lrs], a stuck cell is
 * given that pseudo-level instead of its nominal one (fault-aware pricing: what it costs does not depend on it).
 */
export function poolSlots(pool: CrossbarPool, grid: BlockGrid, stuckLevels?: readonly [number, number]): PoolSlots {
  if (pool.rows !== grid.tileRows || pool.cols < grid.tileCols * grid.cellsPerWeight) {
    throw new Error(`BLM: the pool's crossbars are ${pool.rows} × ${pool.cols} cells but the model was quantized for tiles of ` +
      `${grid.tileRows} × ${grid.tileCols} weights of ${grid.cellsPerWeight} cells; use the same hardware config`);
  }
  const slots: Slot[] = [];
  for (let cb = 0; cb < pool.numCrossbars; cb++) {
    for (let r = 0; r < grid.slotRows; r++) {
      for (let c = 0; c < grid.slotCols; c++) slots.push({ crossbar: cb, rowOffset: r * grid.blockRows, colOffset: c * grid.blockCols });
    }
  }
  const cpb = grid.cellsPerBlock, lv = pool.levels().view;
  const levels = new Uint8Array(slots.length * cpb);
  const ft = stuckLevels ? pool.faults().view : null;
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    const start = (s.crossbar * pool.rows + s.rowOffset) * pool.cols + s.colOffset * grid.cellsPerWeight;
    for (let k = 0; k < grid.blockRows; k++) {
      const at = start + k * pool.cols;
      levels.set(lv.subarray(at, at + grid.physCols), i * cpb + k * grid.physCols);
      if (stuckLevels && ft) {
        for (let c = 0; c < grid.physCols; c++) {
          const f = ft[at + c]!;
          if (f !== 0) levels[i * cpb + k * grid.physCols + c] = stuckLevels[f - 1]!;
        }
      }
    }
  }
  return { grid, slots, levels };
}
