// The routing rule of a BLM placement (see src/matching/blm.ts): same-layer blocks on one crossbar run in one MVM
// step, so two of them that share crossbar rows must take the same input rows, and two that share columns must
// feed the same output columns. Conflict listing, the check, the extra MVM steps of serial routing, and building
// a validated placement from a block → slot assignment.
import { checkPlacement, makePlacement, mappingGeometry, PlacementError, type LayerMatrix, type Placement, type PlacedBlock, type Tile } from '../mapping/placement.js';
import type { QuantizedModel } from '../inference/quantized-model.js';
import type { BlockGrid, Slot } from './blocks.js';

/** A (block i, block j) pair that breaks the routing rule, and why. */
export interface RoutingConflict { a: number; b: number; kind: 'rows' | 'cols'; crossbar: number }

export const overlap = (a0: number, an: number, b0: number, bn: number): boolean => a0 < b0 + bn && b0 < a0 + an;

/** Same-layer blocks on one crossbar that share rows with different inputs, or columns with different outputs. */
export function routingConflicts(blocks: readonly PlacedBlock[]): RoutingConflict[] {
  const groups = new Map<string, number[]>();
  blocks.forEach((b, i) => {
    const k = `${b.crossbar}/${b.layer}`;
    const g = groups.get(k);
    if (g) g.push(i); else groups.set(k, [i]);
  });
  const out: RoutingConflict[] = [];
  for (const g of groups.values()) {
    for (let x = 0; x < g.length; x++) {
      for (let y = x + 1; y < g.length; y++) {
        const p = blocks[g[x]!]!, q = blocks[g[y]!]!;
        if (overlap(p.rowOffset, p.rows, q.rowOffset, q.rows) && p.srcRow - p.rowOffset !== q.srcRow - q.rowOffset) {
          out.push({ a: g[x]!, b: g[y]!, kind: 'rows', crossbar: p.crossbar });
        } else if (overlap(p.colOffset, p.cols, q.colOffset, q.cols) && p.srcCol - p.colOffset !== q.srcCol - q.colOffset) {
          out.push({ a: g[x]!, b: g[y]!, kind: 'cols', crossbar: p.crossbar });
        }
      }
    }
  }
  return out;
}

/** Throws PlacementError when same-layer blocks on one crossbar would mix inputs or outputs. */
export function checkRouting(p: Placement): void {
  const c = routingConflicts(p.blocks)[0];
  if (!c) return;
  const A = p.blocks[c.a]!, B = p.blocks[c.b]!;
  const d = (b: PlacedBlock) => `(rows ${b.srcRow}+${b.rows}, cols ${b.srcCol}+${b.cols} at ${b.rowOffset},${b.colOffset})`;
  throw new PlacementError(c.kind === 'rows'
    ? `blocks ${c.a} ${d(A)} and ${c.b} ${d(B)} of layer ${A.layer} share rows of crossbar ${c.crossbar} but take different input rows; ` +
      'one crossbar row cannot carry two inputs in one MVM: put them in disjoint rows or another crossbar'
    : `blocks ${c.a} ${d(A)} and ${c.b} ${d(B)} of layer ${A.layer} share columns of crossbar ${c.crossbar} but feed different outputs; ` +
      'their currents would add in one column: put them in disjoint columns or another crossbar');
}

/**
 * Extra MVM steps a placement needs: per (crossbar, layer), blocks are put greedily (in order) into the first step
 * they do not conflict with; Σ (steps − 1).
 */
export function serialMvmSteps(blocks: readonly PlacedBlock[]): number {
  const groups = new Map<string, PlacedBlock[][]>();
  let extra = 0;
  for (const b of blocks) {
    const k = `${b.crossbar}/${b.layer}`;
    let steps = groups.get(k);
    if (!steps) { steps = []; groups.set(k, steps); }
    const fits = (step: PlacedBlock[]) => step.every((q) =>
      !(overlap(q.rowOffset, q.rows, b.rowOffset, b.rows) && q.srcRow - q.rowOffset !== b.srcRow - b.rowOffset) &&
      !(overlap(q.colOffset, q.cols, b.colOffset, b.cols) && q.srcCol - q.colOffset !== b.srcCol - b.colOffset));
    const step = steps.find(fits);
    if (step) step.push(b); else { steps.push([b]); if (steps.length > 1) extra++; }
  }
  return extra;
}

/**
 * Builds and validates the placement that puts block i on slot assign[i] (negated[i] = stored as −W). Throws a
 * clear error when a slot is used twice, a slot does not exist, or the routing rule is broken.
 */
export function placeBlocks(
  scheme: string, qm: QuantizedModel, _grid: BlockGrid, blocks: readonly Tile[], slots: readonly Slot[],
  assign: ArrayLike<number>, negated?: ArrayLike<number | boolean>, routing: 'strict' | 'serial' = 'strict',
): Placement {
  if (assign.length !== blocks.length) throw new Error(`placeBlocks: ${assign.length} slot indices for ${blocks.length} blocks; pass one per block`);
  const owner = new Int32Array(slots.length).fill(-1);
  const placed: PlacedBlock[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const s = assign[i]!;
    const slot = slots[s];
    if (!Number.isInteger(s) || !slot) throw new Error(`placeBlocks: block ${i} is assigned to slot ${s}, but the pool has slots 0..${slots.length - 1}`);
    const prev = owner[s]!;
    if (prev >= 0) {
      throw new Error(`placeBlocks: slot ${s} (crossbar ${slot.crossbar} at ${slot.rowOffset},${slot.colOffset}) would be written twice, ` +
        `by blocks ${prev} and ${i}; every slot holds at most one block — fix the assignment (each block needs its own slot)`);
    }
    owner[s] = i;
    const b = blocks[i]!;
    placed.push({
      layer: b.layer, srcRow: b.srcRow, rows: b.rows, srcCol: b.srcCol, cols: b.cols,
      crossbar: slot.crossbar, rowOffset: slot.rowOffset, colOffset: slot.colOffset, negated: !!(negated && negated[i]),
    });
  }
  const layers: LayerMatrix[] = qm.layers.map((l) => ({ name: l.op.name, rows: l.op.rows, cols: l.op.cols }));
  const p = makePlacement(scheme, mappingGeometry(qm.config), layers, placed);
  checkPlacement(p);
  if (routing === 'strict') checkRouting(p);
  return p;
}
