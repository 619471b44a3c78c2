// XAMM — crossbar-aware model mapping (DESIGN §3.1): pack partly-empty tiles of different layers into shared
// crossbars, in disjoint row AND column ranges, never changing a weight.
//
// Packing problem. Tiles in one crossbar occupy disjoint row ranges and disjoint column ranges (a staircase along
// the diagonal), so a set of tiles fits one crossbar iff Σ rows ≤ R and Σ cols ≤ C (R × C logical weights): a
// 2-D VECTOR bin packing, not a geometric one. A tile that spans all rows or all columns (every interior tile of
// a big layer) fits only alone; only edge tiles and small layers can share.
//
// Heuristic: First-Fit Decreasing by size max(rows/R, cols/C) (ties: larger rows/R + cols/C first, then tile
// order), followed by bin elimination: try to move every tile of the least-filled shared crossbar into the others
// (first fit); keep the move only if all its tiles find room; repeat until nothing moves. Why: FFD sorted by the
// largest normalized dimension is the standard, robust heuristic for vector bin packing (the binding dimension
// decides whether an item fits; big items first leave small items to fill the gaps), it is deterministic and
// O(n·b) on the few tiles that can share; the elimination pass removes the occasional crossbar FFD wastes at the
// end. We also report a lower bound, (#tiles that cannot share) + max(⌈Σ rows / R⌉, ⌈Σ cols / C⌉) over the
// tiles that can, so one can see how far from optimal a result can be. When the heuristic is above that bound and
// at most 24 tiles can share (the usual case: one corner tile per layer plus whole small layers), a budgeted
// branch-and-bound search over those tiles looks for a packing with fewer crossbars (optimal when it completes).
import {
  baselinePlacement, makePlacement, tileLayers,
  type LayerMatrix, type MappingGeometry, type PlacedBlock, type Placement, type Tile,
} from './placement.js';

export interface XammPlacement extends Placement {
  /** Crossbars of the baseline mapping of the same layers. */
  baselineCrossbars: number;
  /** A lower bound on the crossbars any disjoint-rows-and-columns packing of these tiles needs. */
  lowerBound: number;
  /** True if packing saved no crossbar and the baseline placement was returned (scheme still "xamm"). */
  fellBack: boolean;
}

interface Bin { rows: number; cols: number; items: number[] }

export interface XammOptions {
  /** Run the exact search after the heuristic when few tiles can share (default true). */
  exact?: boolean;
}

/** XAMM placement of the given layers. Never uses more crossbars than baselinePlacement. */
export function xammPlacement(layers: LayerMatrix[], g: MappingGeometry, opts: XammOptions = {}): XammPlacement {
  const R = g.tileRows, C = g.tileCols;
  const tiles = tileLayers(layers, g);
  const baseline = baselinePlacement(layers, g);
  const size = (t: Tile): number => Math.max(t.rows / R, t.cols / C);
  const sum = (t: Tile): number => t.rows / R + t.cols / C;

  // Tiles spanning all rows or all columns each need their own crossbar.
  const bins: Bin[] = [];
  const small: number[] = [];
  tiles.forEach((t, i) => {
    if (t.rows === R || t.cols === C) bins.push({ rows: t.rows, cols: t.cols, items: [i] });
    else small.push(i);
  });
  const solo = bins.length;
  small.sort((a, b) => size(tiles[b]) - size(tiles[a]) || sum(tiles[b]) - sum(tiles[a]) || a - b);

  // First-fit decreasing over the shareable tiles.
  const open: Bin[] = [];
  const fits = (bin: Bin, t: Tile): boolean => bin.rows + t.rows <= R && bin.cols + t.cols <= C;
  for (const i of small) {
    const t = tiles[i];
    let bin = open.find((b) => fits(b, t));
    if (!bin) { bin = { rows: 0, cols: 0, items: [] }; open.push(bin); }
    bin.rows += t.rows; bin.cols += t.cols; bin.items.push(i);
  }

  // Bin elimination: empty the least-filled bin into the others when all its tiles fit.
  for (let improved = true; improved && open.length > 1;) {
    improved = false;
    const order = open.map((b, i) => i).sort((a, b) => fill(open[a]) - fill(open[b]) || a - b);
    for (const victim of order) {
      const trial = open.map((b) => ({ rows: b.rows, cols: b.cols, items: b.items.slice() }));
      let ok = true;
      for (const i of open[victim].items) {
        const t = tiles[i];
        const dst = trial.find((b, j) => j !== victim && fits(b, t));
        if (!dst) { ok = false; break; }
        dst.rows += t.rows; dst.cols += t.cols; dst.items.push(i);
      }
      if (ok) {
        trial.splice(victim, 1);
        open.splice(0, open.length, ...trial);
        improved = true;
        break;
      }
    }
  }
  function fill(b: Bin): number { return Math.max(b.rows / R, b.cols / C); }

  let sr = 0, sc = 0;
  for (const i of small) { sr += tiles[i].rows; sc += tiles[i].cols; }
  const smallBound = small.length ? Math.max(Math.ceil(sr / R), Math.ceil(sc / C)) : 0;
  const lowerBound = solo + smallBound;

  // Exact search when the heuristic may not be optimal and the shareable tiles are few (the usual case: at most
  // one corner tile per layer plus whole small layers).
  if (opts.exact !== false && open.length > smallBound && small.length <= EXACT_MAX_ITEMS) {
    const better = exactPack(small.map((i) => tiles[i]), R, C, open.length, smallBound);
    if (better) open.splice(0, open.length, ...better.map((idx) => binOf(idx.map((k) => small[k]))));
  }
  function binOf(items: number[]): Bin {
    return { rows: items.reduce((a, i) => a + tiles[i].rows, 0), cols: items.reduce((a, i) => a + tiles[i].cols, 0), items };
  }

  const all = bins.concat(open);
  if (all.length >= baseline.crossbars) {
    // Packing saved nothing: keep the baseline (same crossbars, no sharing cost).
    return { ...baseline, scheme: 'xamm', baselineCrossbars: baseline.crossbars, lowerBound, fellBack: true };
  }
  // Crossbar ids in tile order of each crossbar's first tile; inside a crossbar, tiles stacked along the diagonal in
  // tile order.
  for (const b of all) b.items.sort((x, y) => x - y);
  all.sort((a, b) => a.items[0] - b.items[0]);
  const blocks: PlacedBlock[] = [];
  all.forEach((bin, id) => {
    let r = 0, c = 0;
    for (const i of bin.items) {
      const t = tiles[i];
      blocks.push({ ...t, crossbar: id, rowOffset: r, colOffset: c, negated: false });
      r += t.rows; c += t.cols;
    }
  });
  blocks.sort((a, b) => a.layer - b.layer || a.srcRow - b.srcRow || a.srcCol - b.srcCol);
  const p = makePlacement('xamm', g, layers, blocks);
  if (p.crossbars > baseline.crossbars) {
    return { ...baseline, scheme: 'xamm', baselineCrossbars: baseline.crossbars, lowerBound, fellBack: true };
  }
  return { ...p, baselineCrossbars: baseline.crossbars, lowerBound, fellBack: false };
}

/** Largest number of shareable tiles for which the exact search runs. */
const EXACT_MAX_ITEMS = 24;
/** Node budget of the exact search (deterministic: counted, not timed). */
const EXACT_BUDGET = 200_000;

/**
 * Branch and bound for 2-D vector bin packing: items (in the given order, largest first) go into an existing bin
 * that has room or into one new bin; bins with the same load are tried once; a branch stops when it cannot beat
 * the best count. Returns bins (as item indices) using fewer than `upper` bins, or null if none was found within
 * the budget. Stops early at `lower` (a lower bound).
 */
function exactPack(items: Tile[], R: number, C: number, upper: number, lower: number): number[][] | null {
  let best = upper;
  let bestBins: number[][] | null = null;
  let nodes = 0;
  const rows: number[] = [], cols: number[] = [], members: number[][] = [];
  const dfs = (i: number): void => {
    if (best <= lower || ++nodes > EXACT_BUDGET) return;
    if (i === items.length) {
      if (members.length < best) { best = members.length; bestBins = members.map((m) => m.slice()); }
      return;
    }
    const t = items[i];
    const seen = new Set<number>();
    for (let b = 0; b < members.length; b++) {
      if (rows[b] + t.rows > R || cols[b] + t.cols > C) continue;
      const key = rows[b] * (C + 1) + cols[b];
      if (seen.has(key)) continue;
      seen.add(key);
      rows[b] += t.rows; cols[b] += t.cols; members[b].push(i);
      dfs(i + 1);
      rows[b] -= t.rows; cols[b] -= t.cols; members[b].pop();
    }
    if (members.length + 1 < best) {
      rows.push(t.rows); cols.push(t.cols); members.push([i]);
      dfs(i + 1);
      rows.pop(); cols.pop(); members.pop();
    }
  };
  dfs(0);
  return bestBins;
}
