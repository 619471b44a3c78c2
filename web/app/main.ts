// The page: preset and model pickers, action buttons, progress, metrics and the crossbar heatmap. All simulation
// runs in the worker (worker.ts) through the typed protocol (protocol.ts). Actions are data: each names the worker
// method it needs, and its button only appears when the worker reports that capability.
// `document.body.dataset.state` is "loading" | "ready" | "busy" | "done" | "error" (the browser test waits on it).
import { drawHeatmap } from './heatmap.js';
import { WorkerClient, type Metric, type DemoResult, type Method } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
};

interface ModelChoice { id: string; label: string; layers: { name: string; rows: number; cols: number }[] }
let models: ModelChoice[] = [];

interface Action { id: string; label: string; needs: Method; primary?: boolean; title?: string; run(): Promise<void> }

const client = new WorkerClient(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
const presetSel = $<HTMLSelectElement>('preset');
const modelSel = $<HTMLSelectElement>('model');
const modelBSel = $<HTMLSelectElement>('model-b');
const schemeSel = $<HTMLSelectElement>('scheme');
const seedInput = $<HTMLInputElement>('seed');
const progressEl = $<HTMLProgressElement>('progress');
const statusEl = $('status');

function setState(state: 'loading' | 'ready' | 'busy' | 'done' | 'error', text: string): void {
  document.body.dataset.state = state;
  statusEl.textContent = text;
  document.querySelectorAll<HTMLButtonElement>('#actions button').forEach((b) => { b.disabled = state === 'busy' || state === 'loading'; });
}

function showMetrics(target: HTMLElement, metrics: Metric[]): void {
  target.replaceChildren(...metrics.flatMap((m) => {
    const dt = document.createElement('dt'); dt.textContent = m.label;
    const dd = document.createElement('dd'); dd.textContent = m.value;
    if (m.hint) dd.title = m.hint;
    return [dt, dd];
  }));
}

function showResult(r: DemoResult, ms: number): void {
  showMetrics($('results'), [...r.metrics, { label: 'wall time (worker)', value: `${ms.toFixed(0)} ms` }]);
  $('heatmap-title').textContent = r.heatmap ? r.heatmap.title : '';
  if (r.heatmap) drawHeatmap($<HTMLCanvasElement>('heatmap'), r.heatmap);
}

const model = (): ModelChoice => models.find((m) => m.id === modelSel.value) ?? models[0]!;
const seed = (): number => Math.max(0, Math.floor(Number(seedInput.value) || 0));
const onProgress = (done: number, total: number, label: string): void => {
  progressEl.max = total; progressEl.value = done; statusEl.textContent = label;
};

async function guarded(label: string, fn: () => Promise<void>): Promise<void> {
  setState('busy', `${label}…`);
  progressEl.removeAttribute('value');
  try {
    await fn();
    progressEl.max = 1; progressEl.value = 1;
    setState('done', `${label}: done`);
  } catch (e) {
    setState('error', `${label} failed: ${(e as Error).message}`);
  }
}

async function loadConfig(): Promise<void> {
  const { result } = await client.call('config', { preset: presetSel.value });
  $('preset-description').textContent = result.description;
  showMetrics($('config'), result.metrics);
  $('config-json').textContent = result.json;
}

const scheme = (): 'baseline' | 'xamm' => (schemeSel.value === 'xamm' ? 'xamm' : 'baseline');

function fillModels(selectA?: string): void {
  const keepB = modelBSel.value;
  modelSel.replaceChildren(...models.map((m) => new Option(m.label, m.id)));
  modelBSel.replaceChildren(...models.map((m) => new Option(m.label, m.id)));
  if (selectA) modelSel.value = selectA;
  // default B: the "B" weights of the same architecture, else what was chosen before
  const pair = modelSel.value.endsWith('-a') ? modelSel.value.replace(/-a$/, '-b') : '';
  modelBSel.value = models.some((m) => m.id === pair) ? pair : keepB || models[0]!.id;
}

/** Strategy buttons, filled in from the worker's list at start. */
const strategyActions: Action[] = [];

const ACTIONS: Action[] = [
  {
    id: 'program', label: 'Program A', needs: 'program', primary: true,
    run: () => guarded('programming model A', async () => {
      const { result, ms } = await client.call('program', { preset: presetSel.value, model: model().id, scheme: scheme(), seed: seed() }, onProgress);
      showResult(result, ms);
    }),
  },
  ...(['baseline', 'xamm'] as const).map((scheme): Action => ({
    id: `map-${scheme}`, label: scheme === 'xamm' ? 'Map: XAMM' : 'Map: baseline', needs: 'map', primary: scheme === 'xamm',
    run: () => guarded(`mapping (${scheme})`, async () => {
      const { result, ms } = await client.call('map', { preset: presetSel.value, model: model().id, scheme }, onProgress);
      showResult(result, ms);
    }),
  })),
  {
    id: 'mvm', label: 'Encode + MVM (first layer)', needs: 'mvmDemo',
    run: () => guarded('encode + MVM', async () => {
      const l = model().layers[0]!;
      const { result, ms } = await client.call('mvmDemo', { preset: presetSel.value, seed: seed(), rows: l.rows, cols: l.cols, batch: 16 }, onProgress);
      showResult(result, ms);
    }),
  },
  {
    id: 'fingerprint', label: 'Determinism fingerprint', needs: 'fingerprint',
    run: () => guarded('fingerprint', async () => {
      const { result, ms } = await client.call('fingerprint', { seed: seed() }, onProgress);
      showResult({
        metrics: [
          { label: 'digest', value: result.digest, hint: 'compare with `node --import tsx web/tools/cli.ts fingerprint --seed N`' },
          ...result.steps.map((s) => ({ label: s.name, value: Object.keys(s.result).length + ' values hashed' })),
        ],
        heatmap: null,
      }, ms);
    }),
  },
];

async function start(): Promise<void> {
  setState('loading', 'loading the engine…');
  const { result: hello } = await client.call('hello', {});
  presetSel.replaceChildren(...hello.presets.map((p) => new Option(`${p.name} — ${p.description}`, p.name)));
  const caps = new Set(hello.capabilities);
  models = (await client.call('models', {})).result;
  fillModels();
  modelSel.onchange = () => fillModels(modelSel.value);
  for (const st of hello.strategies) {
    strategyActions.push({
      id: `switch-${st.id}`, label: `Switch: ${st.label}`, needs: 'switch', primary: st.id === 'blm', title: st.description,
      run: () => guarded(`switching (${st.label.toLowerCase()})`, async () => {
        const { result, ms } = await client.call('switch', {
          preset: presetSel.value, modelA: model().id, modelB: modelBSel.value, scheme: scheme(), strategy: st.id, seed: seed(),
        }, onProgress);
        showResult(result, ms);
      }),
    });
  }
  ACTIONS.splice(1, 0, ...strategyActions);
  $('actions').replaceChildren(...ACTIONS.filter((a) => caps.has(a.needs)).map((a) => {
    const b = document.createElement('button');
    b.id = `action-${a.id}`; b.textContent = a.label;
    if (a.title) b.title = a.title;
    if (a.primary) b.className = 'primary';
    b.onclick = () => void a.run();
    return b;
  }));
  presetSel.onchange = () => void guarded('loading config', loadConfig);
  const fileInput = $<HTMLInputElement>('model-file');
  const importFiles = (files: File[]): Promise<void> => guarded('loading the model', async () => {
    const { result } = await client.call('importModel', { files }, onProgress);
    models = (await client.call('models', {})).result;
    fillModels(result.id);
    showMetrics($('results'), [
      { label: 'model', value: result.label },
      ...result.layers.map((l) => ({ label: l.name, value: `${l.rows} × ${l.cols} weights` })),
    ]);
  });
  fileInput.onchange = () => void importFiles(Array.from(fileInput.files ?? []));
  // Drag and drop anywhere on the page (model.json + its .bin files together).
  document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dropping'); });
  document.addEventListener('dragleave', () => document.body.classList.remove('dropping'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dropping');
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length) void importFiles(files);
  });
  $('footer').textContent = `wasm ${hello.wasmSha256.slice(0, 12)}… (same bytes as the Node build) · simulation in a Web Worker`;
  await loadConfig();
  setState('ready', 'ready');
}

start().catch((e: unknown) => setState('error', `could not start: ${(e as Error).message}`));
