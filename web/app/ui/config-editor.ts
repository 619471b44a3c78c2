// The editable hardware fields. The page never judges a value itself: every edit is sent to the worker, which
// validates it with the CLI's config schema, and the problems come back per field (next to the field, with
// aria-invalid) or, when they name no editable field, in the list under the fields.
import { CONFIG_FIELDS, fieldValue, type ConfigField, type HardwareChoice } from '../inputs.js';
import type { ConfigProblem } from '../protocol.js';
import { $, el } from './dom.js';

const idOf = (f: ConfigField): string => `cfg-${f.path.replace(/\./g, '-')}`;

export class ConfigEditor {
  private presetValues: Record<string, number | string> = {};
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly root: HTMLElement, onChange: () => void) {
    root.replaceChildren(...CONFIG_FIELDS.map((f) => {
      const input = f.kind === 'choice'
        ? el('select', { id: idOf(f), 'aria-describedby': `${idOf(f)}-error` }, ...(f.choices ?? []).map((c) => new Option(c, c)))
        : el('input', { id: idOf(f), type: 'text', inputmode: f.kind === 'int' ? 'numeric' : 'decimal', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${idOf(f)}-error` });
      const changed = (): void => { clearTimeout(this.timer); this.timer = setTimeout(onChange, 250); };
      input.addEventListener('input', changed);
      input.addEventListener('change', changed);
      return el('div', { class: 'field' },
        el('label', { for: idOf(f), title: f.hint, text: f.label }), input,
        el('span', { class: 'field-error', id: `${idOf(f)}-error` }));
    }), el('ul', { id: 'config-problems', class: 'field-error', hidden: true }));
  }

  private input(f: ConfigField): HTMLInputElement | HTMLSelectElement {
    return $<HTMLInputElement>(idOf(f));
  }

  /** Shows a preset's values (after a preset change: every edit is dropped). */
  fill(values: Record<string, number | string>): void {
    this.presetValues = values;
    for (const f of CONFIG_FIELDS) this.input(f).value = String(values[f.path] ?? '');
    this.showProblems([]);
  }

  /** The preset and the fields whose value differs from it. */
  choice(preset: string): HardwareChoice {
    const edits: Record<string, number | string> = {};
    for (const f of CONFIG_FIELDS) {
      const v = fieldValue(f, this.input(f).value);
      if (v !== this.presetValues[f.path]) edits[f.path] = v;
    }
    return { preset, edits };
  }

  showProblems(problems: ConfigProblem[]): void {
    for (const f of CONFIG_FIELDS) {
      const mine = problems.filter((p) => p.fields.includes(f.path)).map((p) => p.message);
      const input = this.input(f);
      $(`${idOf(f)}-error`).textContent = mine.join(' · ');
      if (mine.length) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    }
    const other = problems.filter((p) => p.fields.length === 0);
    const list = $('config-problems');
    list.replaceChildren(...other.map((p) => el('li', { text: p.message })));
    list.hidden = other.length === 0;
  }
}
