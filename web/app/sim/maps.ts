// Per-crossbar maps for the page's heatmaps: every crossbar, each reduced to at most MAX_SIDE × MAX_SIDE values
// (ds × ds physical cells per value), with a one-line text summary per crossbar (the pictures' text alternative).
import type { Placement } from '../../../src/mapping/placement.js';
import type { CrossbarMaps, MapScale } from '../protocol.js';

/** Values per side of one crossbar's picture (larger crossbars are averaged down). */
const MAX_SIDE = 64;

const fmt = (n: number): string => n.toLocaleString('en-US');

interface Grid { physRows: number; physCols: number; ds: number; rows: number; cols: number }

function grid(physRows: number, physCols: number): Grid {
  const ds = Math.max(1, Math.ceil(Math.max(physRows, physCols) / MAX_SIDE));
  return { physRows, physCols, ds, rows: Math.ceil(physRows / ds), cols: Math.ceil(physCols / ds) };
}

/** Means of ds × ds windows of one crossbar's cells, `cell(r, c)` giving a physical cell's value. */
function reduceMean(g: Grid, out: Float32Array, at: number, cell: (r: number, c: number) => number): void {
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      let sum = 0, n = 0;
      for (let rr = r * g.ds; rr < Math.min(g.physRows, (r + 1) * g.ds); rr++) {
        for (let cc = c * g.ds; cc < Math.min(g.physCols, (c + 1) * g.ds); cc++) { sum += cell(rr, cc); n++; }
      }
      out[at + r * g.cols + c] = sum / n;
    }
  }
}

/** The value below which `q` of the positive values lie (the colour scale's top, so a few outliers do not flatten it). */
function positiveQuantile(v: Float32Array, q: number): number {
  const pos = v.filter((x) => x > 0).sort();
  return pos.length ? pos[Math.min(pos.length - 1, Math.floor(q * pos.length))]! : 0;
}

/**
 * Write-verify cycles (SET + RESET pulses) per cell of every crossbar of a pool of `numCrossbars` × rows × cols cells.
 */
export function cyclesMaps(title: string, shape: { numCrossbars: number; rows: number; cols: number },
  perCell: { setPulses: Uint32Array; resetPulses: Uint32Array }): CrossbarMaps {
  const g = grid(shape.rows, shape.cols);
  const n = shape.numCrossbars, per = shape.rows * shape.cols;
  const values = new Float32Array(n * g.rows * g.cols);
  const summaries: string[] = [];
  let max = 0;
  for (let x = 0; x < n; x++) {
    const base = x * per;
    let pulsed = 0, cycles = 0, top = 0;
    for (let i = base; i < base + per; i++) {
      const v = perCell.setPulses[i]! + perCell.resetPulses[i]!;
      if (v > 0) { pulsed++; cycles += v; if (v > top) top = v; }
    }
    if (top > max) max = top;
    reduceMean(g, values, x * g.rows * g.cols, (r, c) => perCell.setPulses[base + r * shape.cols + c]! + perCell.resetPulses[base + r * shape.cols + c]!);
    summaries.push(pulsed ? `crossbar ${x}: ${fmt(pulsed)} of ${fmt(per)} cells pulsed, ${fmt(cycles)} cycles, at most ${fmt(top)} on one cell` : `crossbar ${x}: no cell pulsed`);
  }
  const top = Math.max(1, positiveQuantile(values, 0.99));
  const scale: MapScale = { kind: 'continuous', min: 0, max: top, unit: 'cycles', zero: 'no pulse' };
  return {
    name: 'cycles', title: `${title}; colours up to the 99th percentile (${+top.toPrecision(3)} cycles; the largest on one cell is ${fmt(max)})`,
    quantity: g.ds > 1 ? `write-verify cycles per cell (mean of ${g.ds}×${g.ds} cells)` : 'write-verify cycles',
    crossbars: Array.from({ length: n }, (_, i) => i), ...g, values, scale, summaries,
  };
}

/** Which layer each cell of each crossbar of a placement holds (categories = layers; 0 = empty). */
export function occupancyMaps(p: Placement): CrossbarMaps {
  const geo = p.geometry;
  const g = grid(geo.crossbarRows, geo.crossbarCols);
  const ids = p.crossbarIds;
  const slot = new Map(ids.map((id, i) => [id, i]));
  const per = geo.crossbarRows * geo.crossbarCols;
  const layerOf = new Uint16Array(ids.length * per); // layer + 1 per physical cell, 0 = empty
  for (const b of p.blocks) {
    const base = slot.get(b.crossbar)! * per;
    const c0 = b.colOffset * geo.cellsPerWeight, c1 = (b.colOffset + b.cols) * geo.cellsPerWeight;
    for (let r = b.rowOffset; r < b.rowOffset + b.rows; r++) layerOf.fill(b.layer + 1, base + r * geo.crossbarCols + c0, base + r * geo.crossbarCols + c1);
  }
  const values = new Float32Array(ids.length * g.rows * g.cols);
  const summaries = ids.map((id, i) => {
    const base = i * per;
    // a reduced value shows the layer most of its cells hold (empty when most are empty)
    for (let r = 0; r < g.rows; r++) {
      for (let c = 0; c < g.cols; c++) {
        const count = new Map<number, number>();
        for (let rr = r * g.ds; rr < Math.min(g.physRows, (r + 1) * g.ds); rr++) {
          for (let cc = c * g.ds; cc < Math.min(g.physCols, (c + 1) * g.ds); cc++) {
            const l = layerOf[base + rr * geo.crossbarCols + cc]!;
            count.set(l, (count.get(l) ?? 0) + 1);
          }
        }
        let best = 0, bestN = -1;
        for (const [l, k] of count) if (k > bestN || (k === bestN && l < best)) { best = l; bestN = k; }
        values[i * g.rows * g.cols + r * g.cols + c] = best;
      }
    }
    const perLayer = new Map<number, number>();
    for (let k = base; k < base + per; k++) perLayer.set(layerOf[k]!, (perLayer.get(layerOf[k]!) ?? 0) + 1);
    const parts = [...perLayer].filter(([l]) => l > 0).sort((a, b) => a[0] - b[0]).map(([l, k]) => `${p.layers[l - 1]!.name} ${fmt(k)} cells`);
    return `crossbar ${id}: ${parts.join(', ') || 'empty'}; ${fmt(perLayer.get(0) ?? 0)} cells empty`;
  });
  return {
    name: 'layers', title: `${p.crossbars} crossbars (${p.scheme}), ${geo.crossbarRows} × ${geo.crossbarCols} cells each: the layer stored on each cell`,
    quantity: g.ds > 1 ? `the layer most of these ${g.ds}×${g.ds} cells hold` : 'the layer this cell holds',
    crossbars: ids, ...g, values, summaries,
    scale: { kind: 'categorical', categories: p.layers.map((l, i) => ({ value: i + 1, label: l.name })), empty: 'empty' },
  };
}

/** Conductances (µS) of the cells of some crossbars, `cells(x)` giving crossbar x's rows × cols values. */
export function conductanceMaps(title: string, n: number, rows: number, cols: number, cells: (x: number) => Float32Array,
  range: { min: number; max: number }): CrossbarMaps {
  const g = grid(rows, cols);
  const values = new Float32Array(n * g.rows * g.cols);
  const summaries: string[] = [];
  for (let x = 0; x < n; x++) {
    const v = cells(x);
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (const c of v) { lo = Math.min(lo, c); hi = Math.max(hi, c); sum += c; }
    reduceMean(g, values, x * g.rows * g.cols, (r, c) => v[r * cols + c]!);
    summaries.push(`crossbar ${x}: ${lo.toFixed(1)}–${hi.toFixed(1)} µS, mean ${(sum / v.length).toFixed(1)} µS`);
  }
  return {
    name: 'conductance', title, quantity: g.ds > 1 ? `conductance (mean of ${g.ds}×${g.ds} cells)` : 'conductance',
    crossbars: Array.from({ length: n }, (_, i) => i), ...g, values, summaries,
    scale: { kind: 'continuous', min: range.min, max: range.max, unit: 'µS' },
  };
}
