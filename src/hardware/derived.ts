// Quantities that follow from a HardwareConfig (DESIGN §2). One place, so the encoder, the kernels' hosts, the
// mapper and the programming simulator agree on the physical layout.
import type { HardwareConfig } from './config.js';

type Shape = Pick<HardwareConfig, 'weights' | 'cells'>;

/** Conductance levels per cell. */
export const levelsPerCell = (c: Pick<HardwareConfig, 'cells'>): number => 2 ** c.cells.cellBits;
/** Largest level index. */
export const maxLevel = (c: Pick<HardwareConfig, 'cells'>): number => 2 ** c.cells.cellBits - 1;
/** Largest weight integer magnitude: 2^(weightBits-1) - 1 (sign-magnitude). */
export const maxWeightInt = (c: Pick<HardwareConfig, 'weights'>): number => 2 ** (c.weights.weightBits - 1) - 1;

/**
 * Bits stored in slices: differential stores |W| (weightBits-1 bits); offset stores W + 2^(weightBits-1), which needs
 * weightBits bits.
 */
export const storedBits = (c: Shape): number =>
  c.cells.sign === 'differential' ? c.weights.weightBits - 1 : c.weights.weightBits;
/** Slices per weight: ceil(storedBits / cellBits). */
export const magnitudeSlices = (c: Shape): number => Math.ceil(storedBits(c) / c.cells.cellBits);
/** Cells per sign group (1) or pair (2). */
export const signCells = (c: Shape): number => (c.cells.sign === 'differential' ? 2 : 1);
/** Physical cells one logical weight occupies in a row. */
export const cellsPerWeight = (c: Shape): number => magnitudeSlices(c) * signCells(c);
/** Physical columns reserved per crossbar (the offset scheme's reference column). */
export const reservedColumns = (c: Pick<HardwareConfig, 'cells'>): number => (c.cells.sign === 'offset' ? 1 : 0);
/** Logical columns (weights) that fit in one crossbar row. */
export const tileCols = (c: Shape & Pick<HardwareConfig, 'crossbar'>): number =>
  Math.floor((c.crossbar.cols - reservedColumns(c)) / cellsPerWeight(c));
/** Logical rows of a tile: every physical row holds one input. */
export const tileRows = (c: Pick<HardwareConfig, 'crossbar'>): number => c.crossbar.rows;
/** Offset added to W in the offset scheme. */
export const weightOffset = (c: Shape): number => (c.cells.sign === 'offset' ? 2 ** (c.weights.weightBits - 1) : 0);

/** Conductance spacing between adjacent levels, µS. */
export const levelSpacingUS = (c: Pick<HardwareConfig, 'cells' | 'device'>): number =>
  (c.device.gMaxUS - c.device.gMinUS) / (2 ** c.cells.cellBits - 1);
/** Target conductance of a level, µS: G(l) = gMin + l·(gMax − gMin)/(2^cellBits − 1). */
export const levelConductanceUS = (c: Pick<HardwareConfig, 'cells' | 'device'>, level: number): number =>
  c.device.gMinUS + level * levelSpacingUS(c);

/**
 * Physical column of (logical column j, slice s, sign cell k) within a crossbar. Differential: k = 0 positive,
 * k = 1 negative, slices least significant first, so a weight's cells are [s0+, s0−, s1+, s1−, ...]. Offset: k = 0.
 * The offset scheme's reference column is the last physical column.
 */
export function physicalColumn(c: Shape, j: number, s: number, k: number): number {
  return j * cellsPerWeight(c) + s * signCells(c) + k;
}
