// Tiling, the Placement type shared by mapping, programming, inference and BLM, its validation, and the baseline
// mapping (DESIGN §3.1).
//
// Units: rows/cols of layers, tiles and blocks are LOGICAL weights. A crossbar holds tileRows × tileCols logical
// weights; logical column j of a crossbar occupies physical columns j·cellsPerWeight .. j·cellsPerWeight +
// cellsPerWeight − 1 (see physicalColumn in src/hardware/derived.ts); logical row i is physical row i.
import type { HardwareConfig } from '../hardware/config.js';
import { cellsPerWeight, tileCols, tileRows } from '../hardware/derived.js';
import { crossbarLayers, type ImportedModel } from './types.js';

/** A crossbar layer's weight matrix: K rows (inputs) × N columns (outputs). */
export interface LayerMatrix { name: string; rows: number; cols: number }

/** What a mapper needs to know about the hardware. */
export interface MappingGeometry {
  /** Logical rows of a crossbar (= physical rows). */
  tileRows: number;
  /** Logical columns (weights) of a crossbar. */
  tileCols: number;
  /** Physical size of one crossbar, cells. */
  crossbarRows: number;
  crossbarCols: number;
  cellsPerWeight: number;
}

export function mappingGeometry(cfg: Pick<HardwareConfig, 'crossbar' | 'weights' | 'cells'>): MappingGeometry {
  const g = {
    tileRows: tileRows(cfg), tileCols: tileCols(cfg), crossbarRows: cfg.crossbar.rows, crossbarCols: cfg.crossbar.cols,
    cellsPerWeight: cellsPerWeight(cfg),
  };
  if (g.tileCols < 1) throw new Error(`a crossbar of ${cfg.crossbar.cols} columns cannot hold one weight of ${g.cellsPerWeight} cells; use more columns or fewer cells per weight`);
  return g;
}

/** The weight matrices of a model's crossbar layers, in layer order. */
export function layerMatrices(model: ImportedModel): LayerMatrix[] {
  return crossbarLayers(model).map((o) => ({ name: o.name, rows: o.rows, cols: o.cols }));
}

/** A rectangle of one layer's matrix: rows srcRow..srcRow+rows−1, columns srcCol..srcCol+cols−1. */
export interface Tile { layer: number; srcRow: number; rows: number; srcCol: number; cols: number }

/** A block placed in a crossbar: its top-left cell is at (rowOffset, colOffset) in logical coordinates. */
export interface PlacedBlock extends Tile {
  /** Crossbar id (index in the pool). */
  crossbar: number;
  /** Physical = logical row of the block's first row in the crossbar. */
  rowOffset: number;
  /** LOGICAL column of the block's first column (physical column = colOffset·cellsPerWeight + ...). */
  colOffset: number;
  /** The block is stored with the differential pair's roles swapped (BLM may do this); false from the mappers. */
  negated: boolean;
}

export interface LayerSummary {
  layer: number; name: string; rows: number; cols: number;
  /** Blocks (tiles) of this layer. */
  blocks: number;
  /** Distinct crossbars holding part of this layer. */
  crossbars: number;
  /** Cells holding this layer's weights (rows·cols·cellsPerWeight). */
  cells: number;
}

/**
 * Cost of sharing crossbars between layers. L(c) = number of distinct layers on crossbar c.
 * - `crossbarActivations` = Σ_c L(c): crossbar MVM operations per inference (per input vector of each layer).
 *   Blocks of ONE layer on one crossbar sit in disjoint rows and columns, so they run in one MVM together.
 * - `extraMvmSteps` = Σ_c (L(c) − 1): MVMs that, without sharing, would run on separate crossbars and now run one
 *   after another on the same crossbar. Layer-by-layer execution is not slowed (the layers run at different times
 *   anyway); in a layer-pipelined accelerator each is a step of serialization. 0 for the baseline.
 * - `maxLayersPerCrossbar` = max_c L(c): the slow-down of a layer-pipelined schedule (1 = none).
 * - `sharedCrossbars`: crossbars with L(c) > 1.
 */
export interface SharingCost { crossbarActivations: number; extraMvmSteps: number; maxLayersPerCrossbar: number; sharedCrossbars: number }

export interface Placement {
  /** Who made it: "baseline", "xamm", "blm", ... */
  scheme: string;
  geometry: MappingGeometry;
  layers: LayerMatrix[];
  blocks: PlacedBlock[];
  /** Distinct crossbars used. */
  crossbars: number;
  /** Crossbar ids used, ascending. */
  crossbarIds: number[];
  /** Cells holding weights. */
  usedCells: number;
  /** usedCells / (crossbars · crossbarRows · crossbarCols). */
  utilization: number;
  perLayer: LayerSummary[];
  sharing: SharingCost;
}

/** Cuts a K×N matrix into tiles of at most tileRows × tileCols, row blocks outer, column blocks inner. */
export function tileLayer(layer: number, m: LayerMatrix, g: Pick<MappingGeometry, 'tileRows' | 'tileCols'>): Tile[] {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    throw new Error(`layer ${layer} (${m.name}) has a ${m.rows} × ${m.cols} matrix; both sizes must be positive integers`);
  }
  const tiles: Tile[] = [];
  for (let r = 0; r < m.rows; r += g.tileRows) {
    for (let c = 0; c < m.cols; c += g.tileCols) {
      tiles.push({ layer, srcRow: r, rows: Math.min(g.tileRows, m.rows - r), srcCol: c, cols: Math.min(g.tileCols, m.cols - c) });
    }
  }
  return tiles;
}

export function tileLayers(layers: LayerMatrix[], g: MappingGeometry): Tile[] {
  return layers.flatMap((m, i) => tileLayer(i, m, g));
}

/** Builds a Placement (derived figures included) from blocks. Does not validate: call checkPlacement. */
export function makePlacement(scheme: string, geometry: MappingGeometry, layers: LayerMatrix[], blocks: PlacedBlock[]): Placement {
  const byXbar = new Map<number, Set<number>>();
  const perLayerXbars = layers.map(() => new Set<number>());
  const perLayer: LayerSummary[] = layers.map((m, i) => ({ layer: i, name: m.name, rows: m.rows, cols: m.cols, blocks: 0, crossbars: 0, cells: 0 }));
  let usedCells = 0;
  for (const b of blocks) {
    const cells = b.rows * b.cols * geometry.cellsPerWeight;
    usedCells += cells;
    if (!byXbar.has(b.crossbar)) byXbar.set(b.crossbar, new Set());
    byXbar.get(b.crossbar)!.add(b.layer);
    const s = perLayer[b.layer];
    if (s) { s.blocks++; s.cells += cells; perLayerXbars[b.layer].add(b.crossbar); }
  }
  perLayer.forEach((s, i) => { s.crossbars = perLayerXbars[i].size; });
  const crossbarIds = [...byXbar.keys()].sort((a, b) => a - b);
  let act = 0, maxL = 0, shared = 0;
  for (const set of byXbar.values()) { act += set.size; maxL = Math.max(maxL, set.size); if (set.size > 1) shared++; }
  const crossbars = crossbarIds.length;
  return {
    scheme, geometry, layers, blocks, crossbars, crossbarIds, usedCells,
    utilization: crossbars ? usedCells / (crossbars * geometry.crossbarRows * geometry.crossbarCols) : 0,
    perLayer,
    sharing: { crossbarActivations: act, extraMvmSteps: act - crossbars, maxLayersPerCrossbar: maxL, sharedCrossbars: shared },
  };
}

/** Baseline mapping: tiles in layer order, one tile per crossbar, at offset (0, 0); crossbar ids 0, 1, 2, ... */
export function baselinePlacement(layers: LayerMatrix[], geometry: MappingGeometry): Placement {
  const blocks = tileLayers(layers, geometry).map((t, i): PlacedBlock => ({ ...t, crossbar: i, rowOffset: 0, colOffset: 0, negated: false }));
  return makePlacement('baseline', geometry, layers, blocks);
}

/** Error from checkPlacement: the placement is not a valid mapping. */
export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlacementError';
  }
}

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Validates a placement: every block within its layer and its crossbar, every weight of every layer covered
 * exactly once, no two blocks overlapping in a crossbar, and the derived figures consistent. Throws
 * PlacementError naming the first problem.
 */
export function checkPlacement(p: Placement): void {
  const g = p.geometry;
  const cover = p.layers.map((m) => new Uint8Array(m.rows * m.cols));
  const occ = new Map<number, Int32Array>(); // crossbar → index+1 of the block occupying each logical cell
  // plain loops, no per-call closures: V8 re-optimizes a fresh closure's hot loops on every call, and placements are
  // validated at every switch of every sweep point
  for (let i = 0; i < p.blocks.length; i++) {
    const b = p.blocks[i]!;
    const what = `block ${i} (layer ${b.layer}, rows ${b.srcRow}+${b.rows}, cols ${b.srcCol}+${b.cols}, crossbar ${b.crossbar} at ${b.rowOffset},${b.colOffset})`;
    for (const k of ['layer', 'srcRow', 'srcCol', 'crossbar', 'rowOffset', 'colOffset'] as const) {
      if (!isNat(b[k])) throw new PlacementError(`${what}: ${k} must be a non-negative integer, got ${String(b[k])}`);
    }
    if (!isNat(b.rows) || !isNat(b.cols) || b.rows < 1 || b.cols < 1) throw new PlacementError(`${what}: rows and cols must be positive integers`);
    if (typeof b.negated !== 'boolean') throw new PlacementError(`${what}: negated must be a boolean`);
    const m = p.layers[b.layer];
    if (!m) throw new PlacementError(`${what}: layer ${b.layer} does not exist (the model has ${p.layers.length})`);
    if (b.srcRow + b.rows > m.rows || b.srcCol + b.cols > m.cols) {
      throw new PlacementError(`${what}: reaches outside layer ${b.layer} (${m.name}, ${m.rows} × ${m.cols})`);
    }
    if (b.rowOffset + b.rows > g.tileRows || b.colOffset + b.cols > g.tileCols) {
      throw new PlacementError(`${what}: reaches outside the crossbar (${g.tileRows} rows × ${g.tileCols} logical columns)`);
    }
    const cv = cover[b.layer];
    for (let r = b.srcRow; r < b.srcRow + b.rows; r++) {
      for (let c = b.srcCol; c < b.srcCol + b.cols; c++) {
        if (cv[r * m.cols + c]++) throw new PlacementError(`${what}: weight (${r}, ${c}) of layer ${b.layer} (${m.name}) is mapped twice`);
      }
    }
    let o = occ.get(b.crossbar);
    if (!o) { o = new Int32Array(g.tileRows * g.tileCols); occ.set(b.crossbar, o); }
    for (let r = b.rowOffset; r < b.rowOffset + b.rows; r++) {
      for (let c = b.colOffset; c < b.colOffset + b.cols; c++) {
        const prev = o[r * g.tileCols + c];
        if (prev) throw new PlacementError(`${what}: overlaps block ${prev - 1} in crossbar ${b.crossbar} at logical cell (${r}, ${c})`);
        o[r * g.tileCols + c] = i + 1;
      }
    }
  }
  cover.forEach((cv, l) => {
    const idx = cv.indexOf(0);
    if (idx >= 0) {
      const m = p.layers[l];
      throw new PlacementError(`weight (${Math.floor(idx / m.cols)}, ${idx % m.cols}) of layer ${l} (${m.name}) is not mapped`);
    }
  });
  if (p.crossbars !== occ.size) throw new PlacementError(`placement says ${p.crossbars} crossbars but its blocks use ${occ.size}`);
}
