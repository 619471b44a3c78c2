// Every crossbar of a result as its own small picture, PAGE at a time, with a legend, a hover read-out of the value
// under the pointer, and the per-crossbar summaries as text (the pictures' text alternative). A result with several
// map sets (one per strategy) gets a chooser.
import { describeValue, drawCrossbar, legendOf, pixelsPerValue } from '../heatmap.js';
import type { CrossbarMaps } from '../protocol.js';
import { el } from './dom.js';

export const PAGE = 24;

export class MapsView {
  private sets: CrossbarMaps[] = [];
  private set = 0;
  private page = 0;

  constructor(private readonly root: HTMLElement) {}

  clear(): void {
    this.sets = [];
    this.root.replaceChildren();
    this.root.hidden = true;
  }

  show(sets: CrossbarMaps[]): void {
    this.sets = sets;
    this.set = Math.max(0, sets.length - 1); // a comparison opens on its last strategy (HA3M when it ran)
    this.page = 0;
    this.render();
  }

  private render(): void {
    const m = this.sets[this.set];
    if (!m) { this.clear(); return; }
    this.root.hidden = false;
    const pages = Math.ceil(m.crossbars.length / PAGE);
    const first = this.page * PAGE, last = Math.min(m.crossbars.length, first + PAGE);
    const readout = el('p', { id: 'map-readout', class: 'readout muted', text: 'Point at a crossbar (or focus it with Tab) to read its values.' });
    this.root.replaceChildren(...[
      el('h3', { id: 'maps-title', text: m.title }),
      this.sets.length > 1 ? this.chooser() : null,
      this.legend(m),
      pages > 1 ? this.pager(m, pages, first, last) : el('p', { class: 'muted', text: `${m.crossbars.length} crossbar${m.crossbars.length > 1 ? 's' : ''}` }),
      el('div', { class: 'crossbars', id: 'crossbars' }, ...m.crossbars.slice(first, last).map((id, k) => this.figure(m, first + k, id, readout))),
      readout,
      el('details', {}, el('summary', { text: 'Every crossbar as text' }), el('ul', { class: 'summaries' }, ...m.summaries.map((s) => el('li', { text: s })))),
    ].filter((x): x is HTMLElement => x !== null));
  }

  private chooser(): HTMLElement {
    const sel = el('select', { id: 'maps-set', onchange: () => { this.set = Number(sel.value); this.page = 0; this.render(); document.getElementById('maps-set')?.focus(); } },
      ...this.sets.map((s, i) => { const o = new Option(s.name, String(i)); o.selected = i === this.set; return o; }));
    return el('label', { class: 'inline' }, 'Heatmap of ', sel);
  }

  private legend(m: CrossbarMaps): HTMLElement {
    const l = legendOf(m.scale);
    return el('div', { class: 'legend', role: 'list', 'aria-label': 'colour legend' },
      l.ramp ? el('span', { class: 'ramp-item', role: 'listitem' }, el('span', { text: l.ramp.from }), el('span', { class: 'ramp', style: `background:${l.ramp.gradient}` }), el('span', { text: l.ramp.to })) : null,
      ...l.swatches.map((s) => el('span', { class: 'swatch-item', role: 'listitem' }, el('span', { class: 'swatch', style: `background:${s.colour}` }), s.label)));
  }

  private pager(m: CrossbarMaps, pages: number, first: number, last: number): HTMLElement {
    const go = (p: number) => () => {
      const forward = p > this.page;
      this.page = p;
      this.render();
      document.getElementById(forward ? 'maps-next' : 'maps-prev')?.focus();
    };
    return el('div', { class: 'pager' },
      el('button', { type: 'button', id: 'maps-prev', disabled: this.page === 0, onclick: go(this.page - 1), text: '← previous' }),
      el('span', { id: 'maps-range', 'aria-live': 'polite', text: `crossbars ${m.crossbars[first]}–${m.crossbars[last - 1]} (${first + 1}–${last} of ${m.crossbars.length}), page ${this.page + 1} of ${pages}` }),
      el('button', { type: 'button', id: 'maps-next', disabled: this.page >= pages - 1, onclick: go(this.page + 1), text: 'next →' }));
  }

  private figure(m: CrossbarMaps, index: number, id: number, readout: HTMLElement): HTMLElement {
    const px = pixelsPerValue(m);
    const canvas = el('canvas', { role: 'img', tabindex: 0, 'aria-label': m.summaries[index]!, 'data-crossbar': id });
    drawCrossbar(canvas, m, index, px);
    canvas.style.width = `${m.cols * px}px`;
    const hover = (e: MouseEvent): void => {
      const rect = canvas.getBoundingClientRect();
      const c = Math.min(m.cols - 1, Math.max(0, Math.floor(((e.clientX - rect.left) / rect.width) * m.cols)));
      const r = Math.min(m.rows - 1, Math.max(0, Math.floor(((e.clientY - rect.top) / rect.height) * m.rows)));
      const text = describeValue(m, index, r, c);
      readout.textContent = text;
      canvas.title = text;
    };
    canvas.addEventListener('mousemove', hover);
    canvas.addEventListener('focus', () => { readout.textContent = m.summaries[index]!; });
    return el('figure', { class: 'crossbar' }, canvas, el('figcaption', { text: `#${id}` }));
  }
}
