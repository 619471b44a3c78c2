// BLM, phase 3 — assign and route: a minimum-cost assignment of blocks to slots that obeys the routing rule
// (src/matching/routing.ts). Strict routing accepts the assigned blocks cheapest first and re-assigns those that
// would break the rule among the remaining slots, with the conflicting slots forbidden, until all are placed; the
// cheapest block of a round is always accepted, so this ends after at most `blocks` rounds. When a round finds no
// assignment (small blocks of a big layer can run out of compatible free slots), the tiles of the stuck blocks are
// pinned to their in-place slots (accepted first; no other block may use those slots) and the matching runs again;
// in the worst case every tile ends up in place. Serial routing is one plain assignment.
import { AssignmentError, linearAssignment } from './assignment.js';
import type { AssignClock } from './blm-layer.js';
import type { Priced } from './blm-price.js';
import { overlap } from './routing.js';

/** What the assignment phase carries between its attempts (pins and repairs accumulate over them). */
export interface AssignState {
  p: Priced;
  inPlace: Int32Array;
  inPlaceCost: number | null;
  /** Tiles (baseline order) pinned in place so far. */
  pinnedTiles: Set<number>;
  /** Per block: 1 when its tile is pinned. */
  pinned: Uint8Array;
  repairs: number;
  notes: string[];
  clock: AssignClock;
}

export function assignState(p: Priced, inPlace: Int32Array, inPlaceCost: number | null, notes: string[], clock: AssignClock): AssignState {
  return { p, inPlace, inPlaceCost, pinnedTiles: new Set(), pinned: new Uint8Array(p.nb), repairs: 0, notes, clock };
}

class RepairStuck extends Error {
  constructor(readonly tiles: Set<number>) { super('routing repair stuck'); }
}

function timedAssignment(clock: AssignClock, m: Float32Array, rows: number, cols: number): Int32Array {
  const ta = performance.now();
  try { return linearAssignment(m, rows, cols).rowToCol; } finally { clock.assignMs += performance.now() - ta; }
}

/** Would block bi on slot s break the routing rule with a block accepted before (accepted: crossbar/layer → blocks)? */
function conflictsAt(p: Priced, bi: number, s: number, accepted: Map<string, number[]>, at: Int32Array): boolean {
  const v = p.inc.blocks[bi]!, slot = p.sl.slots[s]!;
  const list = accepted.get(`${slot.crossbar}/${v.layer}`);
  if (!list) return false;
  for (const ki of list) {
    const k = p.inc.blocks[ki]!, ks = p.sl.slots[at[ki]!]!;
    if (overlap(ks.rowOffset, k.rows, slot.rowOffset, v.rows) && k.srcRow - ks.rowOffset !== v.srcRow - slot.rowOffset) return true;
    if (overlap(ks.colOffset, k.cols, slot.colOffset, v.cols) && k.srcCol - ks.colOffset !== v.srcCol - slot.colOffset) return true;
  }
  return false;
}

/** Assignment of the pending blocks to the free slots, with the slots where they would conflict forbidden. */
function repairRound(st: AssignState, m: Float32Array, pending: number[], taken: Uint8Array, accepted: Map<string, number[]>, at: Int32Array): Int32Array {
  const { p } = st, ns = p.ns;
  st.repairs++;
  const free: number[] = [];
  for (let s = 0; s < ns; s++) if (!taken[s]) free.push(s);
  const sub = new Float32Array(pending.length * free.length);
  pending.forEach((bi, r) => {
    for (let j = 0; j < free.length; j++) {
      const s = free[j]!;
      sub[r * free.length + j] = conflictsAt(p, bi, s, accepted, at) ? Infinity : m[bi * ns + s]!;
    }
  });
  let sol: Int32Array;
  try {
    sol = timedAssignment(st.clock, sub, pending.length, free.length);
  } catch (e) {
    if (e instanceof AssignmentError) throw new RepairStuck(new Set(pending.map((bi) => p.inc.blocks[bi]!.tile)));
    throw e;
  }
  return Int32Array.from(sol, (j) => free[j]!);
}

/** One matching on `m` with routing repair rounds until every block is accepted. */
function repairRounds(st: AssignState, m: Float32Array): Int32Array {
  const { p, pinned } = st, nb = p.nb, ns = p.ns;
  const at = new Int32Array(nb).fill(-1);
  const taken = new Uint8Array(ns);
  const accepted = new Map<string, number[]>();
  let pending = Array.from({ length: nb }, (_, i) => i);
  for (let round = 0; pending.length; round++) {
    const got = round === 0 ? timedAssignment(st.clock, m, nb, ns) : repairRound(st, m, pending, taken, accepted, at);
    // pinned blocks first (they have nowhere else to go), then cheapest first
    const order = pending.map((bi, r) => ({ bi, s: got[r]! })).sort((x, y) =>
      pinned[y.bi]! - pinned[x.bi]! || m[x.bi * ns + x.s]! - m[y.bi * ns + y.s]! || x.bi - y.bi);
    const next: number[] = [];
    for (const { bi, s } of order) {
      if (conflictsAt(p, bi, s, accepted, at)) { next.push(bi); continue; }
      at[bi] = s;
      taken[s] = 1;
      const key = `${p.sl.slots[s]!.crossbar}/${p.inc.blocks[bi]!.layer}`;
      const list = accepted.get(key);
      if (list) list.push(bi); else accepted.set(key, [bi]);
    }
    pending = next.sort((x, y) => x - y);
  }
  return at;
}

/** m0 with the pinned blocks held to their in-place slots and those slots forbidden to every other block. */
function pinnedMatrix(st: AssignState, m0: Float32Array): Float32Array {
  const { p, pinned, inPlace } = st, nb = p.nb, ns = p.ns;
  const m = new Float32Array(m0);
  const pinnedSlot = new Uint8Array(ns);
  for (let b = 0; b < nb; b++) {
    pinned[b] = st.pinnedTiles.has(p.inc.blocks[b]!.tile) ? 1 : 0;
    if (pinned[b]) pinnedSlot[inPlace[b]!] = 1;
  }
  for (let b = 0; b < nb; b++) {
    const row = m.subarray(b * ns, (b + 1) * ns);
    if (pinned[b]) { const keep = row[inPlace[b]!]!; row.fill(Infinity); row[inPlace[b]!] = keep; } else {
      for (let s = 0; s < ns; s++) if (pinnedSlot[s]) row[s] = Infinity;
    }
  }
  return m;
}

/** Strict routing: repair rounds; tiles whose blocks get stuck are pinned in place and the matching runs again. */
function assignStrict(st: AssignState, m0: Float32Array): Int32Array | null {
  for (;;) {
    const m = st.pinnedTiles.size ? pinnedMatrix(st, m0) : m0;
    try {
      return repairRounds(st, m);
    } catch (e) {
      if (e instanceof AssignmentError) { st.notes.push(e.message); return null; }
      if (!(e instanceof RepairStuck)) throw e;
      if (st.inPlaceCost === null) throw new AssignmentError('routing repair stuck and the in-place placement does not fit the pool');
      const before = st.pinnedTiles.size;
      for (const t of e.tiles) st.pinnedTiles.add(t);
      if (st.pinnedTiles.size === before) return null;
      st.notes.push(`routing repair: tile(s) ${[...e.tiles].join(', ')} could not be placed under the routing rule; pinned in place`);
    }
  }
}

/** Serial routing: one plain assignment. */
function assignSerial(st: AssignState, m: Float32Array): Int32Array | null {
  try { return timedAssignment(st.clock, m, st.p.nb, st.p.ns); } catch (e) {
    if (e instanceof AssignmentError) { st.notes.push(e.message); return null; }
    throw e;
  }
}

/**
 * Assigns on `work` (layer mode's restricted matrix, or the full cost); when that is infeasible in layer mode,
 * falls back to the full cost (global matching). Returns null when no placement was found at all.
 */
export function assignAndRoute(st: AssignState, work: Float32Array, routing: 'strict' | 'serial'): { assign: Int32Array | null; fellBack: boolean } {
  const run = routing === 'strict' ? assignStrict : assignSerial;
  const found = run(st, work);
  if (found || work === st.p.cost) return { assign: found, fellBack: false };
  st.notes.push('layer mode: the block assignment within paired layers is infeasible; fell back to global matching');
  return { assign: run(st, st.p.cost), fellBack: true };
}
