// Canvas heatmap of per-cell values (conductances, pulses, reprogrammed cells): one pixel block per cell, a
// perceptually ordered colour ramp, and a legend. Pure drawing; no simulation state.
import type { Heatmap } from './protocol.js';

// Dark blue → teal → yellow ramp (control points, interpolated linearly in RGB).
const RAMP: [number, number, number][] = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104], [244, 136, 73], [254, 188, 43], [240, 249, 33]];

export function rampColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x)), f = x - i;
  const a = RAMP[i]!, b = RAMP[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Draws `h` into `canvas` (resized to fit `maxWidth` CSS pixels) with a legend under it. */
export function drawHeatmap(canvas: HTMLCanvasElement, h: Heatmap, maxWidth = 1100): void {
  const legendH = 28;
  const cell = Math.max(1, Math.floor(Math.min(maxWidth / h.cols, 400 / h.rows)));
  const w = h.cols * cell, hh = h.rows * cell;
  canvas.width = Math.max(w, 240);
  canvas.height = hh + legendH;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(w, hh);
  const span = h.max - h.min || 1;
  for (let r = 0; r < h.rows; r++) {
    for (let c = 0; c < h.cols; c++) {
      const v = h.values[r * h.cols + c]!;
      const [R, G, B] = Number.isNaN(v) ? [255, 255, 255] // NaN: background
        : h.blankBelowMin && v < h.min ? [226, 226, 234] : rampColor((v - h.min) / span);
      for (let dy = 0; dy < cell; dy++) {
        let p = ((r * cell + dy) * w + c * cell) * 4;
        for (let dx = 0; dx < cell; dx++, p += 4) { img.data[p] = R; img.data[p + 1] = G; img.data[p + 2] = B; img.data[p + 3] = 255; }
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  const lw = Math.min(200, canvas.width - 80);
  for (let x = 0; x < lw; x++) {
    const [R, G, B] = rampColor(x / (lw - 1));
    ctx.fillStyle = `rgb(${R | 0},${G | 0},${B | 0})`;
    ctx.fillRect(40 + x, hh + 8, 1, 12);
  }
  ctx.fillStyle = '#222';
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  const label = (v: number): string => (Math.abs(v) < 1e-9 ? '0' : String(+v.toPrecision(3)));
  ctx.fillText(label(h.min), 36, hh + 14);
  ctx.textAlign = 'left';
  ctx.fillText(`${label(h.max)} ${h.unit}`, 44 + lw, hh + 14);
}
