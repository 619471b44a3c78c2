// Colours and drawing of crossbar maps: a perceptually ordered ramp for quantities (cycles, conductance), a
// colour-blind-safe categorical palette for layers, light grey for "nothing here". Pure drawing; no page state.
import type { CrossbarMaps, MapScale } from './protocol.js';

// Dark blue → magenta → yellow ramp (control points, interpolated linearly in RGB).
const RAMP: [number, number, number][] = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104], [244, 136, 73], [254, 188, 43], [240, 249, 33]];

/** Okabe–Ito (without black) and three more from Tol's muted set: distinguishable with common colour blindness. */
export const CATEGORY_COLOURS: [number, number, number][] = [
  [0, 114, 178], [230, 159, 0], [0, 158, 115], [204, 121, 167], [86, 180, 233], [213, 94, 0], [240, 228, 66],
  [136, 34, 85], [68, 170, 153], [153, 153, 51],
];

export const EMPTY_COLOUR: [number, number, number] = [226, 226, 234];

export function rampColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x)), f = x - i;
  const a = RAMP[i]!, b = RAMP[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export const css = ([r, g, b]: [number, number, number]): string => `rgb(${r | 0},${g | 0},${b | 0})`;

/** A categorical palette entry (cycled when there are more categories than colours). */
export const categoryColour = (value: number): [number, number, number] => CATEGORY_COLOURS[(value - 1) % CATEGORY_COLOURS.length]!;

export function colourOf(scale: MapScale, v: number): [number, number, number] {
  if (scale.kind === 'categorical') return v > 0 ? categoryColour(v) : EMPTY_COLOUR;
  if (scale.zero !== undefined && v === 0) return EMPTY_COLOUR;
  return rampColor((v - scale.min) / (scale.max - scale.min || 1));
}

/** Canvas pixels per map value so that a crossbar's picture is about `side` pixels on its longer side. */
export const pixelsPerValue = (m: Pick<CrossbarMaps, 'rows' | 'cols'>, side = 128): number => Math.max(1, Math.floor(side / Math.max(m.rows, m.cols)));

/** Draws crossbar number `index` of `m` (its position in m.crossbars) into `canvas`. */
export function drawCrossbar(canvas: HTMLCanvasElement, m: CrossbarMaps, index: number, px = pixelsPerValue(m)): void {
  canvas.width = m.cols * px;
  canvas.height = m.rows * px;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(canvas.width, canvas.height);
  const base = index * m.rows * m.cols;
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const [R, G, B] = colourOf(m.scale, m.values[base + r * m.cols + c]!);
      for (let dy = 0; dy < px; dy++) {
        let p = ((r * px + dy) * canvas.width + c * px) * 4;
        for (let dx = 0; dx < px; dx++, p += 4) { img.data[p] = R; img.data[p + 1] = G; img.data[p + 2] = B; img.data[p + 3] = 255; }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

const num = (v: number): string => (Math.abs(v) < 1e-9 ? '0' : String(+v.toPrecision(3)));

/** What one map value at (r, c) of crossbar `index` means, in words (the hover read-out). */
export function describeValue(m: CrossbarMaps, index: number, r: number, c: number): string {
  const v = m.values[(index * m.rows + r) * m.cols + c]!;
  const span = (i: number, n: number): string => (m.ds > 1 ? `${i * m.ds}–${Math.min(n, (i + 1) * m.ds) - 1}` : String(i));
  const where = `crossbar ${m.crossbars[index]}, row${m.ds > 1 ? 's' : ''} ${span(r, m.physRows)}, column${m.ds > 1 ? 's' : ''} ${span(c, m.physCols)}`;
  if (m.scale.kind === 'categorical') {
    return `${where}: ${v > 0 ? `${m.scale.categories.find((k) => k.value === v)?.label ?? `category ${v}`} — ${m.quantity}` : m.scale.empty}`;
  }
  if (m.scale.zero !== undefined && v === 0) return `${where}: ${m.scale.zero}`;
  return `${where}: ${num(v)} ${m.scale.unit} — ${m.quantity}`;
}

/** Legend entries: a ramp with its ends (continuous) or one swatch per category, plus the grey "empty" swatch. */
export function legendOf(scale: MapScale): { ramp?: { from: string; to: string; gradient: string }; swatches: { colour: string; label: string }[] } {
  if (scale.kind === 'categorical') {
    return { swatches: [...scale.categories.map((k) => ({ colour: css(categoryColour(k.value)), label: k.label })), { colour: css(EMPTY_COLOUR), label: scale.empty }] };
  }
  const stops = Array.from({ length: 9 }, (_, i) => `${css(rampColor(i / 8))} ${i * 12.5}%`).join(', ');
  return {
    ramp: { from: `${num(scale.min)}`, to: `${num(scale.max)} ${scale.unit}`, gradient: `linear-gradient(to right, ${stops})` },
    swatches: scale.zero !== undefined ? [{ colour: css(EMPTY_COLOUR), label: scale.zero }] : [],
  };
}
